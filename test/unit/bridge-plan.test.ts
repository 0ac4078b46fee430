import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handlersFor } from "../../provider/registry";
import {
    BridgeInputs, batchWordProblem, checkBridge, createBatch, diffBridge, failedBatchLine, liveOutputs,
    parseBridge, updateBatch,
} from "../../provider/bridge-plan";
import { UNKNOWN } from "../../provider/inputs";

const base: BridgeInputs = { name: "br0", netns: "gw", members: ["pa", "pb"], up: true };

describe("checkBridge", () => {
    it("fills defaults: no members, up", () => {
        assert.deepEqual(checkBridge({ name: "br0", netns: "gw" }),
            { inputs: { name: "br0", netns: "gw", members: [], up: true }, failures: [] });
    });
    it("sorts members so that reordering is not a change", () => {
        assert.deepEqual(checkBridge({ name: "br0", netns: "gw", members: ["pb", "pa"], mtu: 1400 }).inputs,
            { name: "br0", netns: "gw", members: ["pa", "pb"], mtu: 1400, up: true });
    });
    it("names each bad property and the fix", () => {
        const { failures } = checkBridge({ name: "a-name-too-long-x", netns: "a/b", members: ["ok", "ok", "br"], mtu: 10, up: "yes" });
        assert.deepEqual(failures?.map((f) => f.property), ["name", "netns", "members", "mtu", "up"]);
        assert.match(failures![0].reason, /Bridge name .* at most 15/);
        assert.match(failures![1].reason, /netns "a\/b" may only contain/);
        assert.match(failures![2].reason, /members\[1\] "ok" is listed twice/);
        assert.match(failures![3].reason, /mtu must be an integer from 68 to 65535.*leave it out/);
        assert.match(failures![4].reason, /up must be true or false/);
    });
    it("rejects the bridge as its own member, and non-list members", () => {
        assert.match(checkBridge({ name: "br0", netns: "gw", members: ["br0"] }).failures![0].reason, /is the bridge itself/);
        assert.match(checkBridge({ name: "br0", netns: "gw", members: "pa" }).failures![0].reason, /must be a list of interface names/);
    });
    it("rejects names that `ip -batch` would misread", () => {
        assert.match(checkBridge({ name: "br#0", netns: "gw" }).failures![0].reason, /'#', a quote/);
        assert.match(checkBridge({ name: "br0", netns: "gw", members: ["\"pa"] }).failures![0].reason, /members\[0\].*ip -batch/);
        assert.equal(batchWordProblem("veth-a.100"), undefined);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkBridge({ name: UNKNOWN, netns: UNKNOWN, members: UNKNOWN, mtu: UNKNOWN, up: UNKNOWN }).failures, []);
        assert.deepEqual(checkBridge({ name: "br0", netns: "gw", members: ["pa", UNKNOWN] }).failures, []);
    });
});

describe("diffBridge", () => {
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffBridge(base, { ...base }), { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("replaces, deleting first, when name or netns changes", () => {
        assert.deepEqual(diffBridge(base, { ...base, name: "br1" }), { changes: true, replaces: ["name"], deleteBeforeReplace: true });
        assert.deepEqual(diffBridge(base, { ...base, netns: UNKNOWN }).replaces, ["netns"]);
    });
    it("updates members, mtu and up in place", () => {
        for (const news of [{ ...base, members: ["pa"] }, { ...base, mtu: 9000 }, { ...base, up: false }]) {
            assert.deepEqual(diffBridge(base, news), { changes: true, replaces: [], deleteBeforeReplace: false });
        }
    });
    it("treats unknown members as a change", () => {
        assert.equal(diffBridge(base, { ...base, members: UNKNOWN as never }).changes, true);
        assert.equal(diffBridge(base, { ...base, members: ["pa", UNKNOWN] }).changes, true);
    });
    it("reads state without members or up as empty and up", () => {
        const old = { name: "br0", netns: "gw" } as BridgeInputs;
        assert.equal(diffBridge(old, { name: "br0", netns: "gw", members: [], up: true }).changes, false);
    });
});

describe("bridge batches", () => {
    it("create: the bridge on line 1, ports, then MTU and up", () => {
        assert.equal(createBatch({ ...base, mtu: 9000 }), [
            "link add name br0 type bridge",
            "link set dev pa master br0",
            "link set dev pb master br0",
            "link set dev br0 mtu 9000",
            "link set dev br0 up",
            "",
        ].join("\n"));
        assert.equal(createBatch({ ...base, members: [], up: false }), "link add name br0 type bridge\n");
    });
    it("update: from the live state to the wanted one", () => {
        const live = { members: ["pa", "pz"], mtu: 1500, up: true };
        assert.equal(updateBatch(live, { ...base, mtu: 1400, up: false }), [
            "link set dev pz nomaster",
            "link set dev pb master br0",
            "link set dev br0 mtu 1400",
            "link set dev br0 down",
            "",
        ].join("\n"));
    });
    it("update: nothing to do gives an empty script; no mtu leaves the MTU alone", () => {
        assert.equal(updateBatch({ members: ["pa", "pb"], mtu: 1400, up: true }, base), "");
    });
    it("finds the failed line", () => {
        assert.equal(failedBatchLine('Cannot find device "nope"\nCommand failed -:3'), 3);
        assert.equal(failedBatchLine("RTNETLINK answers: Operation not permitted"), undefined);
    });
});

describe("parseBridge", () => {
    const json = JSON.stringify([
        { ifname: "lo", flags: ["LOOPBACK"], mtu: 65536 },
        { ifname: "pb", flags: ["BROADCAST"], mtu: 1500, master: "br0", linkinfo: { info_kind: "veth", info_slave_kind: "bridge" } },
        { ifname: "pa", flags: ["UP"], mtu: 1500, master: "br0", linkinfo: { info_kind: "veth" } },
        { ifname: "px", flags: ["UP"], mtu: 1500, master: "other", linkinfo: { info_kind: "veth" } },
        { ifname: "br0", flags: ["BROADCAST", "UP", "LOWER_UP"], mtu: 1400, linkinfo: { info_kind: "bridge" } },
        { ifname: "notbr", flags: ["UP"], mtu: 1500, linkinfo: { info_kind: "dummy" } },
    ]);
    it("reads ports (sorted), MTU and the UP flag", () => {
        assert.deepEqual(parseBridge(json, "br0"), { members: ["pa", "pb"], mtu: 1400, up: true });
    });
    it("says gone for a missing interface or one that is not a bridge", () => {
        assert.equal(parseBridge(json, "br9"), undefined);
        assert.equal(parseBridge(json, "notbr"), undefined);
    });
    it("reports the MTU only when the inputs manage it", () => {
        const live = { members: ["pa"], mtu: 1400, up: false };
        assert.deepEqual(liveOutputs(base, live), { name: "br0", netns: "gw", members: ["pa"], up: false });
        assert.deepEqual(liveOutputs({ ...base, mtu: 9000 }, live).mtu, 1400);
    });
});

describe("registry", () => {
    it("serves the bridge handlers, connection handling included", async () => {
        assert.deepEqual(await handlersFor("bridge").check!({}, { name: "br0", netns: "gw", members: ["pb", "pa"] }), { inputs: { name: "br0", netns: "gw", members: ["pa", "pb"], up: true }, failures: [] });
    });
});
