import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import * as nodeNet from "node:net";
import { describe, it } from "node:test";
import {
    IpAddress, formatCidr, formatIp, hostBitsOnes, hostBitsZero, isIPv4Mapped, isIPv6LinkLocal, isMulticast,
    networkOf, parseCidr, parseIp,
} from "../../provider/net";

/** The address or the problem, for compact assertions. */
function ip(text: string): string {
    const r = parseIp(text);
    return r.ok ? formatIp(r.value) : `! ${r.problem}`;
}
function cidr(text: string): string {
    const r = parseCidr(text);
    return r.ok ? formatCidr(r.value) : `! ${r.problem}`;
}

describe("parseIp / formatIp", () => {
    const good: Array<[string, string]> = [
        ["192.0.2.1", "192.0.2.1"],
        ["0.0.0.0", "0.0.0.0"],
        ["255.255.255.255", "255.255.255.255"],
        ["2001:DB8::1", "2001:db8::1"],
        ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
        ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of two equal runs
        ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero word is not compressed
        ["::", "::"],
        ["::1", "::1"],
        ["1::", "1::"],
        ["fe80::1:2", "fe80::1:2"],
        ["::ffff:192.0.2.1", "::ffff:192.0.2.1"], // IPv4-mapped keeps its dotted tail, as ip prints it
        ["::ffff:c000:201", "::ffff:192.0.2.1"],
        ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
        ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ];
    for (const [text, want] of good) it(`reads ${text} as ${want}`, () => assert.equal(ip(text), want));

    const bad: Array<[string, RegExp]> = [
        ["192.0.2.300", /300 is more than 255/],
        ["192.0.2", /has 3 dot-separated parts/],
        ["192.0.2.1.5", /has 5/],
        ["192.0.2.01", /leading zero, which some tools read as octal; write 1/],
        ["192.0.2.-1", /"-1" is not a decimal number/],
        ["192.0.2.0x1", /not a decimal number/],
        ["192.0.2.", /"" is not a decimal/],
        [" 192.0.2.1", /whitespace/],
        ["192.0.2.1/24", /has a prefix length/],
        ["2001:db8::1::2", /more than once/],
        ["2001:db8:::1", /more than once/],
        [":1::", /empty group/],
        ["1:2:3:4:5:6:7:8:9", /has 9 groups/],
        ["1:2:3:4:5:6:7", /has 7 groups/],
        ["1:2:3:4::5:6:7:8", /at most 7/],
        ["12345::", /"12345" is not 1 to 4 hex digits/],
        ["g::1", /only contain hex digits/],
        ["fe80::1%eth0", /zone indexes/],
        ["1.2.3.4::", /may only come last/],
        ["::1.2.3.256", /IPv4 tail 256 is more than 255/],
        ["", /has 1 dot-separated part/],
    ];
    for (const [text, reason] of bad) it(`rejects ${JSON.stringify(text)}`, () => assert.match(ip(text), reason));
});

describe("parseCidr", () => {
    const good: Array<[string, string]> = [
        ["192.0.2.1/24", "192.0.2.1/24"], // host bits are kept
        ["192.0.2.0/24", "192.0.2.0/24"],
        ["0.0.0.0/0", "0.0.0.0/0"],
        ["192.0.2.1/32", "192.0.2.1/32"],
        ["2001:DB8::0001/64", "2001:db8::1/64"],
        ["::/0", "::/0"],
        ["2001:db8::1/128", "2001:db8::1/128"],
    ];
    for (const [text, want] of good) it(`reads ${text} as ${want}`, () => assert.equal(cidr(text), want));

    const bad: Array<[string, RegExp]> = [
        ["192.0.2.1", /no prefix length/],
        ["192.0.2.1/", /prefix length "" is not a decimal/],
        ["192.0.2.1/33", /33 is more than 32/],
        ["2001:db8::1/129", /129 is more than 128/],
        ["192.0.2.1/024", /"024" is not a decimal number without leading zeros/],
        ["192.0.2.1/-1", /"-1"/],
        ["192.0.2.1/24/8", /"24\/8"/],
        ["192.0.2.1 /24", /whitespace/],
        ["192.0.2.1/24\n", /whitespace/],
        ["192.0.2.300/24", /300 is more than 255/],
        ["/24", /dot-separated/],
        ["192.0.2.1/0x18", /not a decimal/],
    ];
    for (const [text, reason] of bad) it(`rejects ${JSON.stringify(text)}`, () => assert.match(cidr(text), reason));
});

describe("address math", () => {
    const c = (text: string) => { const r = parseCidr(text); assert.ok(r.ok, text); return r.value; };
    it("finds the network", () => {
        assert.equal(formatCidr(networkOf(c("192.0.2.77/24"))), "192.0.2.0/24");
        assert.equal(formatCidr(networkOf(c("198.51.100.130/25"))), "198.51.100.128/25");
        assert.equal(formatCidr(networkOf(c("192.0.2.1/0"))), "0.0.0.0/0");
        assert.equal(formatCidr(networkOf(c("2001:db8:1:2::5/48"))), "2001:db8:1::/48");
        assert.equal(formatCidr(networkOf(c("2001:db8::1/128"))), "2001:db8::1/128");
    });
    it("tells network and broadcast addresses", () => {
        assert.ok(hostBitsZero(c("192.0.2.0/24")));
        assert.ok(!hostBitsZero(c("192.0.2.1/24")));
        assert.ok(hostBitsZero(c("192.0.2.1/32")), "a /32 has no host bits");
        assert.ok(hostBitsOnes(c("192.0.2.255/24")));
        assert.ok(hostBitsOnes(c("192.0.2.127/25")));
        assert.ok(!hostBitsOnes(c("192.0.2.254/24")));
    });
    it("classifies special addresses", () => {
        const a = (text: string) => { const r = parseIp(text); assert.ok(r.ok, text); return r.value; };
        assert.ok(isIPv4Mapped(a("::ffff:192.0.2.1")));
        assert.ok(!isIPv4Mapped(a("::192.0.2.1")));
        assert.ok(isMulticast(a("224.0.0.1")) && isMulticast(a("ff02::1")) && !isMulticast(a("192.0.2.1")));
        assert.ok(isIPv6LinkLocal(a("fe80::1")) && isIPv6LinkLocal(a("febf::1")) && !isIPv6LinkLocal(a("fec0::1")));
    });
});

/** Random text that is often, but not always, a valid IPv6 address. */
function randomIPv6ish(): string {
    const hex = "0123456789abcdefABCDEF";
    const group = () => Array.from({ length: randomInt(0, 6) }, () => hex[randomInt(hex.length)]).join("") || "0";
    const groups = Array.from({ length: randomInt(0, 10) }, group);
    if (randomInt(4) === 0) groups.push(`${randomInt(300)}.${randomInt(300)}.${randomInt(256)}.${randomInt(256)}`);
    let text = groups.join(":");
    if (randomInt(2) === 0) {
        const at = randomInt(groups.length + 1);
        text = [...groups.slice(0, at), "", ...groups.slice(at)].join(":");
        if (at === 0) text = `:${text}`;
        if (at === groups.length) text = `${text}:`;
    }
    if (randomInt(10) === 0) text = text.replace(/:/, ":::");
    return text;
}

function randomAddress(family: 4 | 6): IpAddress {
    const bytes = Array.from({ length: family === 4 ? 4 : 16 }, () => (randomInt(3) === 0 ? 0 : randomInt(256)));
    return { family, bytes };
}

describe("properties (random inputs)", () => {
    it("format then parse gives the same address", () => {
        for (let i = 0; i < 3000; i++) {
            const addr = randomAddress(i % 2 === 0 ? 4 : 6);
            const back = parseIp(formatIp(addr));
            assert.ok(back.ok, formatIp(addr));
            assert.deepEqual(back.value, addr, formatIp(addr));
        }
    });
    it("formats like the WHATWG URL parser (RFC 5952) apart from glibc's dotted tails", () => {
        for (let i = 0; i < 3000; i++) {
            const addr = randomAddress(6);
            const full = Array.from({ length: 8 }, (_, w) => ((addr.bytes[2 * w] << 8) | addr.bytes[2 * w + 1]).toString(16)).join(":");
            const text = formatIp(addr);
            if (text.includes(".")) continue; // ip prints ::ffff:a.b.c.d; URL prints hex words
            assert.equal(text, new URL(`http://[${full}]`).hostname.slice(1, -1), full);
        }
    });
    it("accepts exactly what node:net accepts", () => {
        let valid = 0;
        for (let i = 0; i < 5000; i++) {
            const text = randomIPv6ish();
            const ours = parseIp(text).ok;
            assert.equal(ours, nodeNet.isIPv6(text) || nodeNet.isIPv4(text), `${JSON.stringify(text)}: ours ${ours}`);
            if (ours) valid++;
        }
        assert.ok(valid > 500, `enough valid samples (${valid})`);
    });
    it("keeps host bits in a CIDR and clears them in its network", () => {
        for (let i = 0; i < 2000; i++) {
            const family = i % 2 === 0 ? 4 : 6;
            const addr = randomAddress(family);
            const prefix = randomInt(family === 4 ? 33 : 129);
            const parsed = parseCidr(`${formatIp(addr)}/${prefix}`);
            assert.ok(parsed.ok);
            assert.deepEqual(parsed.value.bytes, addr.bytes);
            const net = networkOf(parsed.value);
            assert.ok(hostBitsZero(net));
            assert.deepEqual(networkOf(net), net, "idempotent");
        }
    });
});
