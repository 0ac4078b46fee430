import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { charonPaths, parseListSas } from "../../provider/charon-plan";
import { overrideRunnerForTesting } from "../../provider/runner";
import { strongSwanProvider as provider } from "../../provider/strongswan";
import { StrongSwanInputs, StrongSwanOutputs, checkStrongSwan, diffStrongSwan } from "../../provider/strongswan-plan";
import { pskValue } from "../../provider/strongswan-render";
import { HostSnapshot, removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { addAddress, run, runIn, vethBetween } from "../helpers/netcmd";
import { RecordingRunner } from "../helpers/faults";
import { strongswanTierProblem, tierOptions } from "../helpers/prereqs";

const PREFIX = "tsw";
const modeOf = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, "0");
/** The binary of a live process, or undefined (gone, or a zombie). */
function exeOf(pid: number): string | undefined {
    try {
        return execFileSync("readlink", [`/proc/${pid}/exe`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return undefined;
    }
}
const charonAlive = (pid: number) => exeOf(pid) === "/usr/lib/ipsec/charon";
function pingThroughTunnel(ns: string): boolean {
    return spawnSync("ip", ["netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", "192.0.2.1", "198.51.100.1"],
        { stdio: "ignore" }).status === 0;
}
const sas = (ns: string) => parseListSas(runIn(ns, ["swanctl", "--list-sas", "--pretty"]));
/** Charons (any) among a namespace's processes. */
function charonsIn(ns: string): number[] {
    const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout ?? "";
    return pids.split("\n").filter(Boolean).map(Number).filter((pid) => exeOf(pid)?.endsWith("/charon"));
}

describe("StrongSwan handlers with real charons (libipsec)", tierOptions(strongswanTierProblem()), () => {
    const hostBefore = snapshotHost();
    const etcNetnsExisted = existsSync("/etc/netns");
    const A = uniqueName(PREFIX);
    const B = uniqueName(PREFIX);
    const C = uniqueName(PREFIX);
    const made = [A, B, C];
    const pidsSeen = new Set<number>();
    const recorder = new RecordingRunner();
    const tag = randomBytes(4).toString("hex");
    // Hostile on purpose: quotes, braces, '#', a backslash, non-ASCII; unique so argv searches mean something.
    const psk1 = `p"s}k{# \\t 'one' ü ${tag}`;
    const psk2 = `second key ${tag} with spaces`;
    const ids = { A: `gw "A" {one} #1`, B: "CN=gw b, O=Example\\ Org" };

    function config(side: "A" | "B", psk: string, extra: Record<string, unknown> = {}): StrongSwanInputs {
        const me = side === "A" ? { ns: A, addr: "203.0.113.1", net: "192.0.2.1/32", id: ids.A } : { ns: B, addr: "203.0.113.2", net: "198.51.100.1/32", id: ids.B };
        const peer = side === "A" ? { addr: "203.0.113.2", net: "198.51.100.1/32", id: ids.B } : { addr: "203.0.113.1", net: "192.0.2.1/32", id: ids.A };
        const { inputs, failures } = checkStrongSwan({
            netns: me.ns,
            dataPlane: "libipsec",
            settings: { "charon.retransmit_tries": 3 },
            connections: [{
                name: "gw", localAddrs: [me.addr], remoteAddrs: [peer.addr], proposals: ["aes256-sha256-modp2048"],
                local: { auth: "psk", id: me.id }, remote: { auth: "psk", id: peer.id },
                children: [{ name: "net", localTs: [me.net], remoteTs: [peer.net], espProposals: ["aes256gcm16-modp2048"] }],
            }],
            secrets: [{ name: "gw", ids: [me.id, peer.id], secret: psk }],
            initiate: side === "A" ? ["net"] : [],
            ...extra,
        });
        assert.deepEqual(failures, []);
        return inputs!;
    }
    const outs: Partial<Record<"A" | "B", StrongSwanOutputs>> = {};
    const remember = (side: "A" | "B", o: StrongSwanOutputs | undefined) => {
        assert.ok(o);
        outs[side] = o;
        if (o.pid) pidsSeen.add(o.pid);
        return o;
    };
    /** No PSK in any form in `text` (outputs, errors). */
    const assertNoSecret = (text: string, what: string) => {
        for (const form of [psk1, psk2, pskValue(psk1).slice(2), pskValue(psk2).slice(2), tag]) {
            assert.ok(!text.includes(form), `${what} must not contain a PSK (found ${JSON.stringify(form)})`);
        }
    };

    before(() => {
        overrideRunnerForTesting(recorder);
        for (const ns of made) run(["ip", "netns", "add", ns]);
        for (const ns of made) run(["ip", "-n", ns, "link", "set", "lo", "up"]);
        vethBetween(A, `${A}v`, B, `${B}v`);
        addAddress(A, `${A}v`, "203.0.113.1/24");
        addAddress(B, `${B}v`, "203.0.113.2/24");
        addAddress(A, "lo", "192.0.2.1/32");
        addAddress(B, "lo", "198.51.100.1/32");
    });

    after(() => {
        overrideRunnerForTesting(undefined);
        // Kill whatever charon of ours survived a failed test: by namespace, and by the overlay it mounts
        // (a charon outlives `ip netns delete`).
        const victims = new Set<number>(pidsSeen);
        for (const ns of made) {
            for (const pid of charonsIn(ns)) victims.add(pid);
            try {
                victims.add(Number(readFileSync(charonPaths(ns).pidFile, "utf8").trim()));
            } catch { /* no pid file */ }
        }
        for (const pid of victims) {
            let mounts = "";
            try {
                mounts = readFileSync(`/proc/${pid}/mountinfo`, "utf8");
            } catch { continue; }
            if (charonAlive(pid) && made.some((ns) => mounts.includes(`/netns/${ns}/ipsec.d`))) process.kill(pid, "SIGKILL");
        }
        removeNamespaces(made);
        for (const ns of made) rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
        if (!etcNetnsExisted && existsSync("/etc/netns") && readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns");
        // Other sessions may add or remove their own namespaces meanwhile: only ours must be as before.
        const changed = (before: HostSnapshot, now: HostSnapshot) => (Object.keys(before) as Array<keyof HostSnapshot>)
            .flatMap((k) => {
                const [was, is] = [before[k].map(String), now[k].map(String)];
                return [...was.filter((x) => !is.includes(x)), ...is.filter((x) => !was.includes(x))];
            });
        assert.deepEqual(changed(hostBefore, snapshotHost()).filter((x) => x.startsWith(PREFIX)), [],
            "the host is as the tests found it");
        assert.deepEqual(made.flatMap(charonsIn), [], "no charon left");
    });

    it("creates a responder and an initiator whose tunnel carries a ping", async () => {
        remember("B", (await provider.create(config("B", psk1))).outs);
        const { id, outs: a } = await provider.create(config("A", psk1));
        remember("A", a);
        assert.equal(id, A);
        for (const [ns, o] of [[A, outs.A!], [B, outs.B!]] as const) {
            assert.equal(o.running, true);
            assert.ok(charonAlive(o.pid), `${ns}: pid ${o.pid} is a live charon`);
            assert.deepEqual(o.loadedConnections, ["gw"]);
            assert.equal(o.viciSocket, `/etc/netns/${ns}/ipsec.d/run/charon.vici`);
            assert.equal(o.viciUri, "unix:///etc/ipsec.d/run/charon.vici");
            assert.ok(statSync(o.viciSocket).isSocket());
            assert.equal(modeOf(`/etc/netns/${ns}/swanctl/swanctl.conf`), "0600", "the secrets file is 0600");
            assertNoSecret(JSON.stringify(o), "outputs");
        }
        assert.deepEqual(outs.A!.establishedChildren, ["net"]);

        const [ike] = sas(A);
        assert.equal(ike.state, "ESTABLISHED");
        assert.equal(ike.children[0].state, "INSTALLED");
        assert.ok(ike.children[0].encap, "libipsec: UDP-encapsulated");
        const before = ike.children[0];
        assert.ok(pingThroughTunnel(A), "ping 192.0.2.1 -> 198.51.100.1 through the tunnel");
        const afterPing = sas(A)[0].children[0];
        assert.ok(afterPing.packetsOut >= before.packetsOut + 3, `packets out ${before.packetsOut} -> ${afterPing.packetsOut}`);
        assert.ok(afterPing.packetsIn >= before.packetsIn + 3, `packets in ${before.packetsIn} -> ${afterPing.packetsIn}`);

        const read = await provider.read!(A, outs.A!);
        assert.equal(read.id, A);
        assert.deepEqual(read.props, outs.A, "read of a healthy gateway matches the create outputs");
        assert.equal(diffStrongSwan(read.props!, config("A", psk1)).changes, false, "no diff after create");
    });

    it("refuses to create a second gateway for a namespace whose charon runs, and leaves that charon alone", async () => {
        await assert.rejects(provider.create(config("A", psk1)), (err: Error) => {
            assert.match(err.message, /^create strongSwan ".+": a charon .*already running|a charon not managed/);
            assertNoSecret(err.message, "the error");
            return true;
        });
        assert.ok(charonAlive(outs.A!.pid));
        runIn(A, ["swanctl", "--stats"]); // its vici socket still answers
        assert.equal(modeOf(`/etc/netns/${A}/swanctl/swanctl.conf`), "0600");
    });

    it("hot-reloads a PSK change on both sides in the same charons and re-establishes the tunnel", async () => {
        const [a, b] = [config("A", psk2), config("B", psk2)];
        const diff = diffStrongSwan(outs.A!, a);
        assert.equal(diff.changes, true);
        assert.deepEqual(diff.replaces, []);
        const ikeBefore = sas(A)[0].uniqueId;
        const [pidA, pidB] = [outs.A!.pid, outs.B!.pid];
        // Pulumi updates both at once, in any order: here the initiator goes first and keeps retrying
        // while the responder still has the old key.
        const initiatesBefore = recorder.ran.filter((r) => r.argv.includes("--initiate")).length;
        const updatingA = provider.update!(A, outs.A!, a);
        await new Promise((r) => setTimeout(r, 1_500));
        const ub = await provider.update!(B, outs.B!, b);
        const ua = await updatingA;
        const attempts = recorder.ran.filter((r) => r.argv.includes("--initiate")).length - initiatesBefore;
        assert.ok(attempts >= 2, `A retried its initiation (${attempts} attempts)`);
        remember("A", ua.outs as StrongSwanOutputs);
        remember("B", ub.outs as StrongSwanOutputs);
        assert.equal(outs.A!.pid, pidA, "A: same charon");
        assert.equal(outs.B!.pid, pidB, "B: same charon");
        assert.ok(charonAlive(pidA) && charonAlive(pidB));
        assert.deepEqual(outs.A!.establishedChildren, ["net"]);
        const [ike] = sas(A);
        assert.equal(ike.state, "ESTABLISHED");
        assert.notEqual(ike.uniqueId, ikeBefore, "a new IKE_SA, authenticated with the new key");
        assert.ok(pingThroughTunnel(A), "ping after the PSK change");
        assert.ok(readFileSync(`/etc/netns/${A}/swanctl/swanctl.conf`, "utf8").includes(pskValue(psk2)));
        assert.equal(modeOf(`/etc/netns/${A}/swanctl/swanctl.conf`), "0600");
    });

    it("restarts charon when a strongswan.conf setting changes, and brings the tunnel back", async () => {
        const oldPid = outs.A!.pid;
        const a = config("A", psk2, { settings: { "charon.retransmit_tries": 4 } });
        assert.equal(diffStrongSwan(outs.A!, a).changes, true);
        remember("A", (await provider.update!(A, outs.A!, a)).outs as StrongSwanOutputs);
        assert.notEqual(outs.A!.pid, oldPid, "a new charon");
        assert.equal(charonAlive(oldPid), false, "the old one is gone");
        assert.ok(charonAlive(outs.A!.pid));
        assert.match(readFileSync(`/etc/netns/${A}/strongswan.conf`, "utf8"), /retransmit_tries = 4/);
        assert.deepEqual(outs.A!.establishedChildren, ["net"]);
        assert.ok(pingThroughTunnel(A), "ping after the restart");
    });

    it("reports a charon killed with -9 as not running, and update starts it again", async () => {
        const a = config("A", psk2, { settings: { "charon.retransmit_tries": 4 } });
        const dead = outs.A!.pid;
        process.kill(dead, "SIGKILL");
        for (let i = 0; i < 100 && charonAlive(dead); i++) await new Promise((r) => setTimeout(r, 20));
        const read = await provider.read!(A, outs.A!);
        assert.equal(read.id, A, "still there: its files are");
        const props = read.props as StrongSwanOutputs;
        assert.equal(props.running, false);
        assert.equal(props.pid, 0);
        assert.deepEqual(props.loadedConnections, []);
        assert.equal(props.strongswanConfSha256, outs.A!.strongswanConfSha256, "the files are intact");
        assert.equal(diffStrongSwan(props, a).changes, true, "the next up has work to do");
        remember("A", (await provider.update!(A, props, a)).outs as StrongSwanOutputs);
        assert.notEqual(outs.A!.pid, dead);
        assert.ok(charonAlive(outs.A!.pid));
        assert.equal(outs.A!.running, true);
        assert.ok(pingThroughTunnel(A), "ping after the restart");
        assert.equal(diffStrongSwan(outs.A!, a).changes, false);
    });

    it("fails create with swanctl's message for a configuration charon rejects, leaving nothing behind", async () => {
        const { inputs, failures } = checkStrongSwan({
            netns: C, dataPlane: "libipsec",
            connections: [{
                name: "bad", remoteAddrs: ["203.0.113.9"], proposals: ["nosuchalg-sha256"],
                local: { id: "c.example" }, remote: { id: "d.example" }, children: [{ name: "x" }],
            }],
            secrets: [{ name: "c", secret: psk1 }],
        });
        assert.deepEqual(failures, [], "the proposal is only known to be bad to charon");
        await assert.rejects(provider.create(inputs!), (err: Error) => {
            assert.match(err.message, /^create strongSwan ".+": swanctl --load-all failed .*invalid value for: proposals/);
            assertNoSecret(err.message, "the error");
            return true;
        });
        assert.deepEqual(charonsIn(C), [], "no charon left running");
        assert.equal(existsSync(`/etc/netns/${C}`), false, "no files left");
    });

    it("refuses to adopt a strongswan.conf it did not write, and leaves it in place", async () => {
        mkdirSync(`/etc/netns/${C}`, { recursive: true });
        writeFileSync(`/etc/netns/${C}/strongswan.conf`, "# someone else's\n");
        try {
            await assert.rejects(provider.create(config("A", psk1, { netns: C })), /already exists and is not managed/);
            assert.equal(readFileSync(`/etc/netns/${C}/strongswan.conf`, "utf8"), "# someone else's\n");
            assert.deepEqual(readdirSync(`/etc/netns/${C}`), ["strongswan.conf"], "nothing else written");
            assert.deepEqual(charonsIn(C), []);
        } finally {
            rmSync(`/etc/netns/${C}`, { recursive: true, force: true });
            if (!etcNetnsExisted && readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns");
        }
    });

    it("deletes a gateway: charon stopped, files gone; deleting again succeeds", async () => {
        const pid = outs.A!.pid;
        await provider.delete!(A, outs.A!);
        assert.equal(charonAlive(pid), false);
        assert.deepEqual(charonsIn(A), []);
        assert.equal(existsSync(`/etc/netns/${A}`), false);
        await provider.delete!(A, outs.A!);
        assert.equal((await provider.read!(A, outs.A!)).id, "", "read reports it gone");
    });

    it("deletes a gateway whose namespace was deleted under it: the orphaned charon is stopped too", async () => {
        const pid = outs.B!.pid;
        run(["ip", "netns", "delete", B]);
        assert.ok(charonAlive(pid), "charon outlives `ip netns delete`");
        const read = await provider.read!(B, outs.B!);
        assert.equal((read.props as StrongSwanOutputs).running, false);
        await provider.delete!(B, outs.B!);
        assert.equal(charonAlive(pid), false);
        assert.equal(existsSync(`/etc/netns/${B}`), false);
        await provider.delete!(B, outs.B!);
        if (!etcNetnsExisted && existsSync("/etc/netns")) {
            assert.ok(readdirSync("/etc/netns").every((e) => !made.includes(e)) && readdirSync("/etc/netns").length > 0,
                "/etc/netns, created for these gateways, was removed with the last of them (others' entries aside)");
        }
    });

    it("never put a PSK into argv; the keys went over stdin only", () => {
        for (const { argv } of recorder.ran) assertNoSecret(argv.join(" "), `argv ${JSON.stringify(argv.slice(0, 4))}`);
        const written = recorder.ran.filter((r) => r.stdin?.includes(pskValue(psk1)) || r.stdin?.includes(pskValue(psk2)));
        assert.ok(written.length >= 3, "swanctl.conf with the keys went over stdin (create A, create B, reload)");
    });
});
