import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handlersFor } from "../../provider/registry";
import { UNKNOWN } from "../../provider/inputs";
import {
    SysctlOutputs, checkSysctl, diffSysctl, normalizeValue, sysctlCommands, sysctlKeyProblem, sysctlPath,
} from "../../provider/sysctl-plan";

describe("checkSysctl", () => {
    it("normalizes the slashed form to dotted, and numbers to strings", () => {
        assert.deepEqual(checkSysctl({ netns: "gw", key: "net/ipv4/ip_forward", value: 1 }),
            { inputs: { netns: "gw", key: "net.ipv4.ip_forward", value: "1" }, failures: [] });
    });
    it("keeps dots inside interface names, as sysctl(8) writes them", () => {
        assert.equal(checkSysctl({ netns: "gw", key: "net/ipv4/conf/eth0.100/rp_filter", value: "2" }).inputs?.key,
            "net.ipv4.conf.eth0/100.rp_filter");
        assert.equal(sysctlPath("net.ipv4.conf.eth0/100.rp_filter"), "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
        assert.equal(sysctlPath("net.ipv6.conf.all.forwarding"), "/proc/sys/net/ipv6/conf/all/forwarding");
    });
    it("collapses whitespace so a port range compares equal to what the kernel prints", () => {
        assert.equal(checkSysctl({ netns: "gw", key: "net.ipv4.ip_local_port_range", value: " 32768   60999 " }).inputs?.value,
            "32768 60999");
        assert.equal(normalizeValue("32768\t60999\n"), "32768 60999");
    });
    it("names each bad property and the fix", () => {
        const { failures } = checkSysctl({ netns: "", key: "kernel.hostname", value: true });
        assert.deepEqual(failures?.map((f) => f.property), ["netns", "key", "value"]);
        assert.match(failures![1].reason, /not a net\.\* key; only per-namespace settings/);
        assert.match(failures![2].reason, /must be a string or a number/);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkSysctl({ netns: UNKNOWN, key: UNKNOWN, value: UNKNOWN }).failures, []);
    });
    for (const [key, reason] of [
        ["net", /not a net\.\* key/],
        ["net..ipv4", /empty segment/],
        ["net.ipv4.", /empty segment/],
        ["net/ipv4/../../kernel/hostname", /"\.\." as a path component/],
        ["net.ipv4.conf.//.rp_filter", /"\.\." as a path component/],
        ["net.ipv4.conf./.rp_filter", /"\." as a path component/],
        ["net/ipv4//x", /empty segment/],
        ["/proc/sys/net/ipv4/ip_forward", /not a net\.\* key/],
        ["netfilter.x", /not a net\.\* key/],
        ["net.ipv4.ip forward", /whitespace/],
        ["", /non-empty/],
    ] as const) {
        it(`rejects key ${JSON.stringify(key)}`, () => assert.match(sysctlKeyProblem(key) ?? "", reason));
    }
    for (const [value, reason] of [["", /must not be empty/], [Infinity, /finite/], ["1\u0000", /control/], [{}, /string or a number/]] as const) {
        it(`rejects value ${JSON.stringify(value)}`, () => assert.match(checkSysctl({ netns: "gw", key: "net.ipv4.ip_forward", value }).failures![0].reason, reason));
    }
});

describe("diffSysctl", () => {
    const olds: SysctlOutputs = { netns: "gw", key: "net.ipv4.ip_forward", value: "1", previousValue: "0" };
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffSysctl(olds, { netns: "gw", key: "net.ipv4.ip_forward", value: "1" }),
            { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("updates the value in place", () => {
        assert.deepEqual(diffSysctl(olds, { netns: "gw", key: "net.ipv4.ip_forward", value: "0" }),
            { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.equal(diffSysctl(olds, { netns: "gw", key: "net.ipv4.ip_forward", value: UNKNOWN }).changes, true);
    });
    it("replaces on another key or namespace (or an unknown one)", () => {
        assert.deepEqual(diffSysctl(olds, { netns: "gw2", key: UNKNOWN, value: "1" }).replaces, ["netns", "key"]);
    });
});

describe("sysctlCommands", () => {
    it("reads with cat and writes with tee, the value never in argv", () => {
        assert.deepEqual(sysctlCommands.read("net.ipv4.ip_forward"), ["cat", "/proc/sys/net/ipv4/ip_forward"]);
        assert.deepEqual(sysctlCommands.write("net.ipv4.ip_forward"), ["tee", "/proc/sys/net/ipv4/ip_forward"]);
    });
});

describe("registry", () => {
    it("serves the sysctl handlers, connection handling included", async () => {
        assert.deepEqual(await handlersFor("sysctl").check!({}, { netns: "gw", key: "net/ipv4/ip_forward", value: 1 }), { inputs: { netns: "gw", key: "net.ipv4.ip_forward", value: "1" }, failures: [] });
    });
});
