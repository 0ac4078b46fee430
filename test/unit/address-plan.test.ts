import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    AddressInputs, addressCommands as cmd, addressFromId, addressId, addressOutputs, addressPresent, checkAddress, diffAddress,
} from "../../provider/address-plan";
import { UNKNOWN } from "../../provider/inputs";

const base = { interface: "to-r", netns: "left" };
const olds = addressOutputs({ cidr: "192.0.2.1/24", ...base });

describe("checkAddress", () => {
    const normalized: Array<[string, string]> = [
        ["192.0.2.1/24", "192.0.2.1/24"], // host bits are what an interface address is made of
        ["2001:DB8:0::1/64", "2001:db8::1/64"],
        ["192.0.2.0/32", "192.0.2.0/32"], // a /32 has no network address
        ["192.0.2.0/31", "192.0.2.0/31"], // RFC 3021 point-to-point
        ["2001:db8::/127", "2001:db8::/127"], // RFC 6164
        ["fe80::1/64", "fe80::1/64"],
    ];
    for (const [cidr, want] of normalized) {
        it(`accepts ${cidr} as ${want}`, () => {
            assert.deepEqual(checkAddress({ cidr, ...base }), { inputs: { cidr: want, ...base }, failures: [] });
        });
    }
    const bad: Array<[unknown, RegExp]> = [
        ["192.0.2.300/24", /^Address cidr "192.0.2.300\/24" is not a valid IPv4 or IPv6 CIDR \(300 is more than 255\); write it like 192.0.2.1\/24 or 2001:db8::1\/64$/],
        ["192.0.2.1", /no prefix length/],
        ["192.0.2.1/33", /33 is more than 32/],
        ["2001:db8::1/129", /129 is more than 128/],
        ["192.0.2.01/24", /leading zero/],
        ["192.0.2.1 /24", /whitespace/],
        ["192.0.2.0/24", /network address of 192.0.2.0\/24.*like 192.0.2.1\/24/],
        ["2001:db8::/64", /network address of 2001:db8::\/64.*like 2001:db8::1\/64/],
        ["192.0.2.255/24", /broadcast address of 192.0.2.0\/24.*like 192.0.2.254\/24/],
        ["0.0.0.0/8", /unspecified/],
        ["224.0.0.5/24", /multicast/],
        ["ff02::1/64", /multicast/],
        ["::ffff:192.0.2.1/120", /IPv4-mapped.*like 192.0.2.1\/24/],
        [24, /must be a string/],
    ];
    for (const [cidr, reason] of bad) {
        it(`rejects ${JSON.stringify(cidr)}`, () => {
            const { failures } = checkAddress({ cidr, ...base });
            assert.equal(failures?.[0]?.property, "cidr");
            assert.match(failures![0].reason, reason);
        });
    }
    it("checks interface and netns", () => {
        const { failures } = checkAddress({ cidr: "192.0.2.1/24", interface: "x".repeat(16), netns: "a b" });
        assert.deepEqual(failures!.map((f) => f.property), ["interface", "netns"]);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkAddress({ cidr: UNKNOWN, interface: UNKNOWN, netns: UNKNOWN }).failures, []);
    });
});

describe("diffAddress", () => {
    const news = (cidr: string, o: Partial<AddressInputs> = {}): AddressInputs => ({ cidr, ...base, ...o });
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffAddress(olds, news("192.0.2.1/24")), { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("replaces, adding first, for an address in another subnet", () => {
        assert.deepEqual(diffAddress(olds, news("198.51.100.1/24")), { changes: true, replaces: ["cidr"], deleteBeforeReplace: false });
    });
    it("deletes first for the same address with another prefix", () => {
        assert.equal(diffAddress(olds, news("192.0.2.1/25")).deleteBeforeReplace, true);
        const v6 = addressOutputs({ cidr: "2001:db8::1/64", ...base });
        assert.equal(diffAddress(v6, news("2001:db8::1/48")).deleteBeforeReplace, true, "IPv6 refuses one address twice");
    });
    it("adds first within one IPv4 subnet (promote_secondaries keeps the new one when the old goes)", () => {
        assert.equal(diffAddress(olds, news("192.0.2.2/24")).deleteBeforeReplace, false);
    });
    it("adds first on another interface or in another namespace", () => {
        assert.deepEqual(diffAddress(olds, news("192.0.2.1/24", { interface: "eth9" })),
            { changes: true, replaces: ["interface"], deleteBeforeReplace: false });
        assert.deepEqual(diffAddress(olds, news("192.0.2.2/24", { netns: "other" })),
            { changes: true, replaces: ["cidr", "netns"], deleteBeforeReplace: false });
    });
    it("deletes first when an unknown cidr may collide", () => {
        assert.deepEqual(diffAddress(olds, news(UNKNOWN)), { changes: true, replaces: ["cidr"], deleteBeforeReplace: true });
    });
});

describe("address outputs, ids and argv", () => {
    it("splits the address from its prefix", () => {
        assert.deepEqual(olds, { cidr: "192.0.2.1/24", ...base, address: "192.0.2.1", prefixLength: 24 });
    });
    it("round-trips ids", () => {
        assert.equal(addressId(olds), "left/to-r/192.0.2.1/24");
        assert.deepEqual(addressFromId("left/to-r/2001:db8::1/64"), { netns: "left", interface: "to-r", cidr: "2001:db8::1/64" });
        assert.equal(addressFromId("to-r/192.0.2.1/24"), undefined);
    });
    it("builds argv", () => {
        assert.deepEqual(cmd.add(olds), ["ip", "address", "add", "192.0.2.1/24", "dev", "to-r"]);
        assert.deepEqual(cmd.delete(olds), ["ip", "address", "delete", "192.0.2.1/24", "dev", "to-r"]);
    });
    it("finds the address by value and prefix in ip -json output", () => {
        const json = JSON.stringify([{ ifname: "to-r", addr_info: [
            { family: "inet", local: "192.0.2.1", prefixlen: 25 },
            { family: "inet6", local: "2001:db8::1", prefixlen: 64 },
        ] }]);
        assert.equal(addressPresent(json, "192.0.2.1/24"), false, "another prefix is another address");
        assert.equal(addressPresent(json, "192.0.2.1/25"), true);
        assert.equal(addressPresent(json, "2001:db8::1/64"), true);
        assert.equal(addressPresent("[]", "2001:db8::1/64"), false);
    });
});
