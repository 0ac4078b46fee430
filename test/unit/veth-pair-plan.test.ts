import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../provider/inputs";
import { NETNS_GONE, macProblem, parseLink } from "../../provider/linkstate";
import { handlersFor } from "../../provider/registry";
import {
    VethPairInputs, checkVethPair, diffVethPair, endChanges, vethPairCommands as cmd, vethPairFromId, vethPairId,
} from "../../provider/veth-pair-plan";

const pair: VethPairInputs = { a: { name: "to-r", netns: "left", up: true }, b: { name: "to-l", netns: "right", up: true } };

describe("checkVethPair", () => {
    it("fills up = true, keeps the host namespace as absent, lower-cases the MAC", () => {
        const { inputs, failures } = checkVethPair({
            a: { name: "to-r", netns: "left" },
            b: { name: "to-l", mtu: 1400, mac: "02:AB:00:00:00:01", up: false },
        });
        assert.deepEqual(failures, []);
        assert.deepEqual(inputs, {
            a: { name: "to-r", netns: "left", up: true },
            b: { name: "to-l", mtu: 1400, mac: "02:ab:00:00:00:01", up: false },
        });
    });
    it("names each bad property and the fix", () => {
        const { failures } = checkVethPair({
            a: { name: "this-name-is-too-long", netns: "a/b", mtu: 20, mac: "01:00:5e:00:00:01", up: "yes" },
            b: { name: "ok", namespace: "right" },
        });
        const by = Object.fromEntries(failures!.map((f) => [f.property, f.reason]));
        assert.deepEqual(Object.keys(by).sort(), ["a.mac", "a.mtu", "a.name", "a.netns", "a.up", "b.namespace"]);
        assert.match(by["a.name"], /^VethPair a.name "this-name-is-too-long" is 21 bytes long/);
        assert.match(by["a.netns"], /may only contain.*leave it out for the host namespace/);
        assert.match(by["a.mtu"], /from 68 to 65535/);
        assert.match(by["a.mac"], /multicast.*like 02:00:00:00:00:01/);
        assert.match(by["a.up"], /true or false/);
        assert.match(by["b.namespace"], /not a property of a veth end; use name, netns, mtu, mac, up/);
    });
    it("requires both ends as objects", () => {
        const { failures } = checkVethPair({ a: "veth0" });
        assert.deepEqual(failures!.map((f) => f.property), ["a", "b"]);
        assert.match(failures![0].reason, /must be an object like \{ name:/);
    });
    it("refuses two ends of one name in one namespace", () => {
        const { failures } = checkVethPair({ a: { name: "v", netns: "n" }, b: { name: "v", netns: "n" } });
        assert.deepEqual(failures!.map((f) => f.property), ["b.name"]);
        assert.match(failures![0].reason, /unique per namespace/);
        assert.deepEqual(checkVethPair({ a: { name: "v", netns: "n" }, b: { name: "v", netns: "m" } }).failures, []);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkVethPair({ a: UNKNOWN, b: { name: UNKNOWN, netns: UNKNOWN, mtu: UNKNOWN, mac: UNKNOWN, up: UNKNOWN } }).failures, []);
    });
});

describe("diffVethPair", () => {
    const same = (o: object) => ({ ...pair, ...o }) as VethPairInputs;
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffVethPair(pair, pair), { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("updates mtu, mac and up in place", () => {
        assert.deepEqual(diffVethPair(pair, same({ a: { ...pair.a, mtu: 9000, mac: "02:00:00:00:00:01", up: false } })),
            { changes: true, replaces: [], deleteBeforeReplace: false });
    });
    it("does not count a dropped mtu or mac as a change (left as it is)", () => {
        const olds = same({ a: { ...pair.a, mtu: 1400, mac: "02:00:00:00:00:01" } });
        assert.equal(diffVethPair(olds, pair).changes, false);
    });
    it("replaces on a new name, deleting first since the other end keeps its name", () => {
        assert.deepEqual(diffVethPair(pair, same({ b: { ...pair.b, name: "to-l2" } })),
            { changes: true, replaces: ["b.name"], deleteBeforeReplace: true });
    });
    it("replaces without deleting first when no new end takes an old end's place", () => {
        const moved: VethPairInputs = { a: { ...pair.a, netns: "left2" }, b: { ...pair.b, netns: "right2" } };
        assert.deepEqual(diffVethPair(pair, moved),
            { changes: true, replaces: ["a.netns", "b.netns"], deleteBeforeReplace: false });
    });
    it("deletes first when the ends swap places", () => {
        const swapped: VethPairInputs = { a: pair.b, b: pair.a };
        assert.equal(diffVethPair(pair, swapped).deleteBeforeReplace, true);
    });
    it("replaces (deleting first) when identity is unknown in preview", () => {
        assert.deepEqual(diffVethPair(pair, same({ a: UNKNOWN })), { changes: true, replaces: ["a"], deleteBeforeReplace: true });
        assert.deepEqual(diffVethPair(pair, same({ b: { ...pair.b, netns: UNKNOWN } })).replaces, ["b.netns"]);
    });
    it("counts an unknown mtu as an in-place change", () => {
        assert.deepEqual(diffVethPair(pair, same({ a: { ...pair.a, mtu: UNKNOWN } })),
            { changes: true, replaces: [], deleteBeforeReplace: false });
    });
});

describe("endChanges", () => {
    it("lists only what differs", () => {
        assert.equal(endChanges(pair.a, pair.a), undefined);
        assert.deepEqual(endChanges({ ...pair.a, mtu: 1500 }, { ...pair.a, mtu: 1400, up: false }), { mtu: 1400, up: false });
    });
});

describe("veth argv", () => {
    it("creates both ends in one call, each in its namespace, names after `name`", () => {
        assert.deepEqual(cmd.add({ name: "mtu", netns: "l", mtu: 1400, mac: "02:00:00:00:00:0a", up: true }, { name: "b", up: true }),
            ["ip", "link", "add", "name", "mtu", "netns", "l", "mtu", "1400", "address", "02:00:00:00:00:0a",
                "type", "veth", "peer", "name", "b"]);
    });
    it("sets only the changes", () => {
        assert.deepEqual(cmd.set("v", { up: false }), ["ip", "link", "set", "dev", "v", "down"]);
        assert.deepEqual(cmd.set("v", { mtu: 1280, mac: "02:00:00:00:00:01", up: true }),
            ["ip", "link", "set", "dev", "v", "mtu", "1280", "address", "02:00:00:00:00:01", "up"]);
    });
    it("round-trips ids", () => {
        assert.equal(vethPairId(pair), "left/to-r:right/to-l");
        assert.deepEqual(vethPairFromId("left/to-r:to-l"), { a: { name: "to-r", netns: "left", up: true }, b: { name: "to-l", up: true } });
        assert.equal(vethPairFromId("nonsense"), undefined);
    });
});

describe("linkstate", () => {
    it("reads up from the flags, the MAC in lower case, and the kind", () => {
        assert.deepEqual(parseLink('[{"ifname":"v","flags":["BROADCAST","UP"],"mtu":1400,"address":"02:AA:00:00:00:01","linkinfo":{"info_kind":"veth"}}]'),
            { ifname: "v", mtu: 1400, up: true, mac: "02:aa:00:00:00:01", kind: "veth" });
        assert.equal(parseLink("[]"), undefined);
    });
    it("recognises a missing namespace in every form iproute2 reports it, and nothing else", () => {
        assert.match('Cannot open network namespace "gw": No such file or directory', NETNS_GONE);
        assert.match("Cannot open network namespace: No such file or directory", NETNS_GONE);
        assert.match('Cannot remove namespace file "/run/netns/gw": No such file or directory', NETNS_GONE);
        assert.doesNotMatch('Cannot remove namespace file "/run/netns/gw": Operation not permitted', NETNS_GONE);
        assert.doesNotMatch("RTNETLINK answers: No such file or directory", NETNS_GONE);
    });
    it("accepts unicast MACs only", () => {
        assert.equal(macProblem("02:00:00:00:00:01"), undefined);
        assert.match(macProblem("00:00:00:00:00:00")!, /all zeros/);
        assert.match(macProblem("ff:ff:ff:ff:ff:ff")!, /multicast/);
        assert.match(macProblem("02-00-00-00-00-01")!, /not a MAC address/);
        assert.match(macProblem("02:00:00:00:00")!, /not a MAC address/);
        assert.match(macProblem(42)!, /42 is not a MAC address/);
    });
});

describe("registry", () => {
    it("serves the VethPair, InterfaceAttachment, Address and Route handlers, connection handling included", async () => {
        assert.deepEqual((await handlersFor("vethPair").check!({}, { a: { name: "x" }, b: { name: "y" } })).failures, []);
        assert.deepEqual((await handlersFor("interfaceAttachment").check!({}, { interface: "eth1", netns: "gw" })).failures, []);
        assert.deepEqual((await handlersFor("address").check!({}, { cidr: "192.0.2.1/24", interface: "x", netns: "gw" })).inputs,
            { cidr: "192.0.2.1/24", interface: "x", netns: "gw" });
        assert.deepEqual((await handlersFor("route").check!({}, { destination: "default", device: "x", netns: "gw" })).inputs,
            { destination: "default", device: "x", table: 254, netns: "gw" });
        // Another host is another pair: the shared connection handling adds the replace.
        const diff = await handlersFor("vethPair").diff!("id", { ...pair, connection: { host: "192.0.2.10" } }, pair);
        assert.deepEqual(diff.replaces, ["connection"]);
    });
});
