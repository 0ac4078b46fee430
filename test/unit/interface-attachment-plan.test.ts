import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../provider/inputs";
import {
    InterfaceAttachmentOutputs, attachmentChanges, checkInterfaceAttachment, diffInterfaceAttachment,
    interfaceAttachmentCommands as cmd, interfaceAttachmentFromId,
} from "../../provider/interface-attachment-plan";

const olds: InterfaceAttachmentOutputs = { interface: "eth1", netns: "gw", up: true, originalUp: false, originalMtu: 1500 };

describe("checkInterfaceAttachment", () => {
    it("fills up = true", () => {
        assert.deepEqual(checkInterfaceAttachment({ interface: "eth1", netns: "gw" }),
            { inputs: { interface: "eth1", netns: "gw", up: true }, failures: [] });
    });
    it("names each bad property and the fix", () => {
        const { failures } = checkInterfaceAttachment({ interface: "a b", netns: "", up: 1, mtu: 70000 });
        assert.deepEqual(failures!.map((f) => f.property), ["interface", "netns", "up", "mtu"]);
        assert.match(failures![0].reason, /^InterfaceAttachment interface "a b" must not contain/);
        assert.match(failures![1].reason, /^InterfaceAttachment netns must be a non-empty string/);
        assert.match(failures![3].reason, /from 68 to 65535/);
    });
    it("refuses loopback, which never changes namespace", () => {
        assert.match(checkInterfaceAttachment({ interface: "lo", netns: "gw" }).failures![0].reason, /loopback.*cannot leave/);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkInterfaceAttachment({ interface: UNKNOWN, netns: UNKNOWN, up: UNKNOWN, mtu: UNKNOWN }).failures, []);
    });
});

describe("diffInterfaceAttachment", () => {
    it("reports no change for equal inputs (original state is not an input)", () => {
        assert.deepEqual(diffInterfaceAttachment(olds, { interface: "eth1", netns: "gw", up: true }),
            { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("updates up and mtu in place", () => {
        assert.deepEqual(diffInterfaceAttachment(olds, { interface: "eth1", netns: "gw", up: false, mtu: 9000 }),
            { changes: true, replaces: [], deleteBeforeReplace: false });
    });
    it("moving the same device elsewhere returns it to the host first", () => {
        assert.deepEqual(diffInterfaceAttachment(olds, { interface: "eth1", netns: "gw2", up: true }),
            { changes: true, replaces: ["netns"], deleteBeforeReplace: true });
    });
    it("another device can be attached before this one returns", () => {
        assert.deepEqual(diffInterfaceAttachment(olds, { interface: "eth2", netns: "gw", up: true }),
            { changes: true, replaces: ["interface"], deleteBeforeReplace: false });
    });
    it("an unknown device might be the same one: delete first", () => {
        assert.deepEqual(diffInterfaceAttachment(olds, { interface: UNKNOWN, netns: "gw", up: true }),
            { changes: true, replaces: ["interface"], deleteBeforeReplace: true });
    });
    it("lists only real changes", () => {
        assert.equal(attachmentChanges(olds, { ...olds }), undefined);
        assert.deepEqual(attachmentChanges({ ...olds, mtu: 1400 }, { ...olds, mtu: undefined }), undefined);
    });
});

describe("attachment argv", () => {
    it("moves alone, then settles, and restores the recorded state", () => {
        assert.deepEqual(cmd.moveIn("eth1", "gw"), ["ip", "link", "set", "dev", "eth1", "netns", "gw"]);
        assert.deepEqual(cmd.settle({ interface: "eth1", netns: "gw", up: true, mtu: 1400 }),
            ["ip", "link", "set", "dev", "eth1", "mtu", "1400", "up"]);
        assert.equal(cmd.settle({ interface: "eth1", netns: "gw", up: false }), undefined, "a moved device is down already");
        assert.deepEqual(cmd.moveOut("eth1"), ["ip", "link", "set", "dev", "eth1", "netns", "1"]);
        assert.deepEqual(cmd.restore(olds), ["ip", "link", "set", "dev", "eth1", "mtu", "1500", "down"]);
        assert.equal(cmd.restore({ interface: "eth1", netns: "gw", up: true }), undefined, "imported state: nothing to restore");
    });
    it("reads ids", () => {
        assert.deepEqual(interfaceAttachmentFromId("gw/eth1"), { netns: "gw", interface: "eth1", up: true });
        assert.equal(interfaceAttachmentFromId("eth1"), undefined);
    });
});
