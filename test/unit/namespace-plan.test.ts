import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../provider/inputs";
import { checkNamespace, diffNamespace, loopbackIsUp, namespaceOutputs } from "../../provider/namespace-plan";

describe("checkNamespace", () => {
    it("fills loopbackUp = true", () => {
        const result = checkNamespace({ name: "gw" });
        assert.deepEqual(result, { inputs: { name: "gw", loopbackUp: true }, failures: [] });
    });
    it("names the property and the fix", () => {
        const { failures } = checkNamespace({ name: "a/b", loopbackUp: "yes" });
        assert.deepEqual(failures?.map((f) => f.property), ["name", "loopbackUp"]);
        assert.match(failures![0].reason, /Namespace name "a\/b" may only contain letters/);
        assert.match(failures![1].reason, /loopbackUp must be true or false/);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkNamespace({ name: UNKNOWN, loopbackUp: UNKNOWN }).failures, []);
    });
});

describe("diffNamespace", () => {
    const olds = namespaceOutputs({ name: "gw", loopbackUp: true });
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffNamespace(olds, { name: "gw", loopbackUp: true }),
            { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("replaces, deleting first, when the name changes", () => {
        assert.deepEqual(diffNamespace(olds, { name: "gw2", loopbackUp: true }),
            { changes: true, replaces: ["name"], deleteBeforeReplace: true });
    });
    it("replaces when the name is unknown in preview", () => {
        assert.deepEqual(diffNamespace(olds, { name: UNKNOWN, loopbackUp: true }).replaces, ["name"]);
    });
    it("updates loopbackUp in place", () => {
        assert.deepEqual(diffNamespace(olds, { name: "gw", loopbackUp: false }),
            { changes: true, replaces: [], deleteBeforeReplace: false });
    });
});

describe("loopbackIsUp", () => {
    it("reads the UP flag, not the operstate", () => {
        assert.equal(loopbackIsUp('[{"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"operstate":"UNKNOWN"}]'), true);
        assert.equal(loopbackIsUp('[{"ifname":"lo","flags":["LOOPBACK"],"operstate":"DOWN"}]'), false);
    });
});
