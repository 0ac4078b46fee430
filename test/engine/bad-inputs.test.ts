import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { TestStack, fixtureDir } from "../helpers/engine";
import { hostObjects, snapshotHost } from "../helpers/host";
import { engineTierProblem, tierOptions } from "../helpers/prereqs";

/** [kind, args, the property named, what the message says] */
type Case = [string, Record<string, unknown>, string, RegExp];

const ns = { netns: "ok-ns" };
const swan = (conn: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...ns,
    connections: [{ name: "c", localAddrs: ["203.0.113.1"], remoteAddrs: ["203.0.113.2"], local: { id: "a" }, remote: { id: "b" },
        children: [{ name: "net", localTs: ["192.0.2.0/24"], remoteTs: ["198.51.100.0/24"] }], ...conn }],
    ...extra,
});

const CASES: Case[] = [
    ["Namespace", { name: "a/b" }, "name", /may only contain letters/],
    ["Namespace", { name: ".." }, "name", /path trick/],
    ["Namespace", { name: "-n" }, "name", /must not start with/],
    ["Namespace", { name: "x".repeat(256) }, "name", /at most 255/],
    ["Namespace", { name: "ok", loopbackUp: "yes" }, "loopbackUp", /true or false/],
    ["VethPair", { a: { name: "sixteen-bytes-xx" }, b: { name: "ok" } }, "a.name", /at most 15/],
    ["VethPair", { a: { name: "has space" }, b: { name: "ok" } }, "a.name", /whitespace/],
    ["VethPair", { a: { name: "a0", mtu: 10 }, b: { name: "b0" } }, "a.mtu", /68 to 65535/],
    ["VethPair", { a: { name: "a0", mac: "zz:zz" }, b: { name: "b0" } }, "a.mac", /MAC/i],
    ["VethPair", { a: { name: "a0", netns: "bad/ns" }, b: { name: "b0" } }, "a.netns", /may only contain/],
    ["Address", { ...ns, interface: "eth0", cidr: "192.0.2.300/24" }, "cidr", /not a valid IPv4 or IPv6 CIDR/],
    ["Address", { ...ns, interface: "eth0", cidr: "192.0.2.1" }, "cidr", /prefix/],
    ["Address", { ...ns, interface: "eth0", cidr: "2001:db8::1/129" }, "cidr", /128/],
    ["Address", { ...ns, interface: "a:b", cidr: "192.0.2.1/24" }, "interface", /':'/],
    ["Route", { ...ns, destination: "192.0.2.1/24", via: "192.0.2.254" }, "destination", /192\.0\.2\.0\/24/],
    ["Route", { ...ns, destination: "default", via: "not-an-ip" }, "via", /IP/],
    ["Route", { ...ns, destination: "default", device: "eth0", metric: -1 }, "metric", /metric/],
    ["Route", { ...ns, destination: "default" }, "via", /via.*device|device.*via/],
    ["Bridge", { ...ns, name: "br 0" }, "name", /whitespace/],
    ["Bridge", { ...ns, name: "br0", members: ["p1", "x/y"] }, "members", /'\/'/],
    ["Bridge", { ...ns, name: "br0", mtu: 70000 }, "mtu", /65535/],
    ["Sysctl", { ...ns, key: "kernel.panic", value: "1" }, "key", /net\./],
    ["Sysctl", { ...ns, key: "net.ipv4..ip_forward", value: "1" }, "key", /empty|\.\./],
    ["Sysctl", { ...ns, key: "net.ipv4.ip_forward", value: "1\n2" }, "value", /newline|line/],
    ["FirewallRules", { ...ns, family: "foo", table: "t", body: "" }, "family", /inet/],
    ["FirewallRules", { ...ns, family: "inet", table: "bad name", body: "" }, "table", /table/],
    ["FirewallRules", { ...ns, family: "inet", table: "t", body: "flush ruleset" }, "body", /flush|top-level|outside/],
    ["EtcOverlayFile", { ...ns, path: "/etc/passwd", content: "x" }, "path", /relative/],
    ["EtcOverlayFile", { ...ns, path: "swanctl/../../x", content: "x" }, "path", /\.\./],
    ["EtcOverlayFile", { ...ns, path: "a.conf", content: "x", mode: "999" }, "mode", /octal|mode/],
    ["StrongSwan", swan({ remoteAddrs: ["bad addr"] }), "remoteAddrs", /address/],
    ["StrongSwan", swan({}, { dataPlane: "foo" }), "dataPlane", /kernel|libipsec/],
    ["StrongSwan", swan({ children: [{ name: "net", localTs: ["x"], remoteTs: ["198.51.100.0/24"] }] }), "localTs", /traffic selector|CIDR|subnet/i],
    ["Namespace", { name: "ok", connection: { host: "bad host!", hostKey: "ssh-ed25519 AAAA" } }, "connection.host", /host name or IP/],
    ["Namespace", { name: "ok", connection: { host: "192.0.2.10", port: 70000, hostKey: "ssh-ed25519 AAAA" } }, "connection.port", /65535/],
    ["Namespace", { name: "ok", connection: { host: "192.0.2.10", privateKey: "~/.ssh/id_ed25519", hostKey: "ssh-ed25519 AAAA" } }, "connection.privateKey", /not a path/],
    ["Namespace", { name: "ok", connection: { host: "192.0.2.10" } }, "connection.hostKey", /always verified/],
];

/** Programs the provider may run; during preview none of them may be called. */
const HOST_COMMANDS = ["ip", "nft", "swanctl", "tee", "cat", "install", "dd", "mv", "find", "stat", "readlink", "kill",
    "setsid", "ssh", "rm", "rmdir", "mkdir", "chown", "chmod", "sysctl", "env", "sudo", "unshare", "mount", "touch", "test"];

describe("bad input fails at preview, naming the property, with nothing run on the host", tierOptions(engineTierProblem()), () => {
    let stack: TestStack;
    let stubDir: string;
    const hostBefore = snapshotHost();
    const log = () => (existsSync(path.join(stubDir, "calls.log")) ? readFileSync(path.join(stubDir, "calls.log"), "utf8") : "");

    before(async () => {
        // Stubs shadow every host command: if the provider ran one during preview, the log shows it.
        stubDir = mkdtempSync(path.join(tmpdir(), "netns-stubs-"));
        for (const cmd of HOST_COMMANDS) {
            writeFileSync(path.join(stubDir, cmd), `#!/bin/sh\necho "${cmd} $*" >> ${stubDir}/calls.log\nexit 1\n`);
            chmodSync(path.join(stubDir, cmd), 0o755);
        }
        stack = await TestStack.create(fixtureDir("bad-inputs"), {}, { PATH: `${stubDir}:${process.env.PATH}` });
    });
    after(async () => {
        await stack?.dispose();
        rmSync(stubDir, { recursive: true, force: true });
    });

    it(`has at least 30 cases`, () => assert.ok(CASES.length >= 30));

    for (const [kind, args, property, reason] of CASES) {
        it(`${kind} ${JSON.stringify(args).slice(0, 90)} → ${property}`, async () => {
            await stack.setConfig("case", JSON.stringify({ kind, args }));
            const err = await stack.preview().then(() => undefined, (e: Error) => e);
            assert.ok(err, "preview must fail");
            const text = String(err.message);
            const failure = text.match(/property (\S+) value .*? has a problem: (.*)/) ?? text.match(/error: (.*)/);
            assert.ok(failure, text);
            assert.ok(text.includes(property), `names ${property}: ${failure[0]}`);
            assert.match(text, reason);
            assert.equal(log(), "", "no command ran on the host");
        });
    }

    it("changed nothing on the host", () => {
        assert.deepEqual(hostObjects(), hostObjects(hostBefore));
    });
});
