import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { TestStack, fixtureDir } from "../helpers/engine";
import { namespaceExists, removeNamespaces, hostObjects, snapshotHost, uniqueName } from "../helpers/host";
import { engineTierProblem, tierOptions } from "../helpers/prereqs";

describe("Namespace through the real engine", tierOptions(engineTierProblem()), () => {
    const hostBefore = snapshotHost();
    const first = uniqueName("ens");
    const second = uniqueName("ens");
    const renamed = uniqueName("ens");
    let stack: TestStack;

    before(async () => {
        stack = await TestStack.create(fixtureDir("namespaces"), { first, second });
    });
    after(async () => {
        await stack?.dispose();
        removeNamespaces([first, second, renamed]);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    it("preview plans two creates and touches nothing", async () => {
        assert.deepEqual(await stack.preview(), { create: 3 }); // the stack and two namespaces
        assert.deepEqual(hostObjects(), hostObjects(hostBefore));
    });

    it("up creates both namespaces", async () => {
        assert.deepEqual(await stack.up(), { create: 3 });
        assert.ok(namespaceExists(first) && namespaceExists(second));
        assert.deepEqual((await stack.outputs()).names, [first, second]);
    });

    it("a second up changes nothing", async () => {
        assert.deepEqual(await stack.up(), {});
    });

    it("refresh sees an out-of-band deletion and up repairs it", async () => {
        execFileSync("ip", ["netns", "delete", second]);
        assert.deepEqual(await stack.refresh(), { delete: 1 });
        assert.deepEqual(await stack.up(), { create: 1 });
        assert.ok(namespaceExists(second));
    });

    it("refresh sees drift of loopback state and up repairs it in place", async () => {
        execFileSync("ip", ["-n", first, "link", "set", "lo", "down"]);
        assert.deepEqual(await stack.refresh(), { update: 1 });
        assert.deepEqual(await stack.up(), { update: 1 });
        assert.match(execFileSync("ip", ["-n", first, "link", "show", "lo"], { encoding: "utf8" }), /<LOOPBACK,UP/);
    });

    it("a loopback change is one in-place update", async () => {
        await stack.setConfig("loopbackUp", "false");
        assert.deepEqual(await stack.preview(), { update: 1 });
        assert.deepEqual(await stack.up(), { update: 1 });
    });

    it("a name change is one replace, deleting first", async () => {
        await stack.setConfig("first", renamed);
        assert.deepEqual(await stack.up(), { replace: 1 });
        assert.ok(namespaceExists(renamed) && !namespaceExists(first));
    });

    it("destroy removes everything", async () => {
        assert.deepEqual(await stack.destroy(), { delete: 3 });
        assert.ok(![renamed, second].some(namespaceExists));
    });
});

describe("engine failures surface", tierOptions(engineTierProblem()), () => {
    it("a provider that cannot be serialized fails the preview", async () => {
        const stack = await TestStack.create(fixtureDir("broken-serialize"));
        try {
            await assert.rejects(stack.preview(), /Error serializing|ERR_PACKAGE_PATH_NOT_EXPORTED/);
        } finally {
            await stack.dispose();
        }
    });

    it("a handler that throws fails the up and records nothing as created", async () => {
        const taken = uniqueName("ens");
        execFileSync("ip", ["netns", "add", taken]); // not ours: create must refuse to adopt it
        const stack = await TestStack.create(fixtureDir("namespaces"), { first: taken, second: uniqueName("ens") });
        try {
            await assert.rejects(stack.up(), /already exists on the host and is not managed by this resource/);
            const state = JSON.parse(await stack.exportState());
            const types = (state.deployment.resources ?? []).map((r: { type: string }) => r.type);
            assert.ok(!types.includes("pulumi-nodejs:dynamic/netns:Namespace") ||
                !JSON.stringify(state).includes(`"name":"${taken}"`), "the failed namespace is not in state");
            assert.ok(namespaceExists(taken), "the foreign namespace is untouched");
        } finally {
            await stack.dispose();
            removeNamespaces([taken]);
        }
    });
});
