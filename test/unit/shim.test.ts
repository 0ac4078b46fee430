import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerShim } from "../../sdk/shim";

describe("providerShim", () => {
    it("serializes small and captures nothing but the kind", async () => {
        const provider = providerShim("namespace");
        // The same call dynamic.Resource makes when it stores the provider in state.
        const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false });
        assert.ok(text.length < 4096, `serialized provider is ${text.length} bytes`);
        assert.doesNotMatch(text, /execa|grpc|__awaiter|process\.env/);
        assert.match(text, /kind: "namespace"/);
        assert.match(text, /require\("pulumi-netns\/provider\/registry"\)/);
    });
    it("fails clearly for an unknown kind", () => {
        const { handlersFor } = require("../../provider/registry");
        assert.throws(() => handlersFor("nope"), /unknown resource kind "nope"/);
    });
});
