import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { proveDemo } from "../../scripts/prove-demo";
import { TestStack, repoRoot } from "../helpers/engine";
import { charonAlive, listEtcNetns, namespaceExists, removeGateways, snapshotHost, uniqueName } from "../helpers/host";
import { engineTierProblem, strongswanTierProblem, tierOptions } from "../helpers/prereqs";

interface DemoProof {
    child: string;
    left: { namespace: string; address: string; pid: number };
    right: { namespace: string; address: string; pid: number };
}

const problem = engineTierProblem() ?? strongswanTierProblem();

describe("the root demo stack: a site-to-site tunnel through the real engine", tierOptions(problem), () => {
    const hostBefore = snapshotHost();
    const prefix = uniqueName("d");
    const namespaces = [`${prefix}-left`, `${prefix}-right`];
    let stack: TestStack;
    const proof = async () => (await stack.outputs()).proof as DemoProof;

    before(async () => {
        stack = await TestStack.create(repoRoot, { prefix, psk: { value: "first-psk-for-tests", secret: true } });
    });
    after(async () => {
        await stack?.dispose();
        removeGateways(namespaces, hostBefore);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    it("up brings the tunnel up: SAs established, ping through it, counters rising", async () => {
        // Two namespaces, a veth, two gateway and two subnet addresses, two charons, the component and the stack.
        assert.deepEqual(await stack.up(), { create: 11 }, stack.output());
        assert.ok(proveDemo(await proof()), "the tunnel works");
    });

    it("the PSK never reaches state or the log in plaintext", async () => {
        assert.doesNotMatch(stack.storedState(), /first-psk-for-tests|6669727374/); // also not as hex
        for (const ns of namespaces) {
            const log = readFileSync(`/etc/netns/${ns}/ipsec.d/run/charon.log`, "utf8");
            assert.doesNotMatch(log, /first-psk-for-tests/);
        }
    });

    it("a new PSK on both sides hot-reloads: same daemons, tunnel re-established", async () => {
        const before = await proof();
        await stack.stack.setConfig("psk", { value: "second-psk-for-tests", secret: true });
        assert.deepEqual(await stack.up(), { update: 2 }, stack.output());
        const after = await proof();
        assert.equal(after.left.pid, before.left.pid, "left charon was not restarted");
        assert.equal(after.right.pid, before.right.pid, "right charon was not restarted");
        assert.ok(proveDemo(after));
    });

    it("a strongswan.conf setting restarts both daemons", async () => {
        const before = await proof();
        await stack.stack.setConfig("strongswanSettings", { value: JSON.stringify({ "charon.retransmit_tries": 4 }) });
        assert.deepEqual(await stack.up(), { update: 2 }, stack.output());
        const after = await proof();
        assert.notEqual(after.left.pid, before.left.pid);
        assert.notEqual(after.right.pid, before.right.pid);
        assert.ok(!charonAlive(before.left.pid) && !charonAlive(before.right.pid), "the old daemons are gone");
        assert.ok(proveDemo(after));
    });

    it("kill -9 of one charon: refresh reports it, up restarts it", async () => {
        const before = await proof();
        process.kill(before.right.pid, "SIGKILL");
        assert.deepEqual(await stack.refresh(), { update: 1 }, stack.output());
        assert.deepEqual(await stack.up(), { update: 1 }, stack.output());
        const after = await proof();
        assert.notEqual(after.right.pid, before.right.pid);
        assert.ok(charonAlive(after.right.pid));
        assert.ok(proveDemo(after));
    });

    it("ip netns delete of a gateway namespace (its charon keeps it alive): refresh and up repair the tunnel", async () => {
        execFileSync("ip", ["netns", "delete", namespaces[1]]);
        await stack.refresh();
        await stack.up();
        assert.ok(namespaceExists(namespaces[1]));
        assert.ok(proveDemo(await proof()), "the tunnel works again");
    });

    it("destroy: no charon, no /etc/netns entries, no namespaces", async () => {
        const { left, right } = await proof();
        assert.deepEqual(await stack.destroy(), { delete: 11 });
        assert.ok(!charonAlive(left.pid) && !charonAlive(right.pid));
        assert.ok(!namespaces.some(namespaceExists));
        assert.deepEqual(listEtcNetns().filter((n) => n.startsWith(prefix)), []);
    });
});

describe("examples/hub-spoke: three gateways through the real engine", tierOptions(problem), () => {
    const hostBefore = snapshotHost();
    const prefix = uniqueName("h");
    const namespaces = ["hub", "spoke1", "spoke2"].map((n) => `${prefix}-${n}`);
    let stack: TestStack;
    interface HubProof {
        hub: { namespace: string; address: string; pid: number };
        spokes: Array<{ namespace: string; address: string; child: string; pid: number }>;
    }
    const proof = async () => (await stack.outputs()).proof as HubProof;
    const proveAll = (p: HubProof) => p.spokes.every((spoke) => proveDemo({ child: spoke.child, left: spoke, right: p.hub }));

    before(async () => {
        stack = await TestStack.create(path.join(repoRoot, "examples", "hub-spoke"),
            { prefix, psk: { value: "hub-psk-one", secret: true } });
    });
    after(async () => {
        await stack?.dispose();
        removeGateways(namespaces, hostBefore);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    it("up: both spokes reach the hub through their tunnels", async () => {
        // 3 namespaces, 2 veth pairs, 7 addresses, 3 charons and the stack.
        assert.deepEqual(await stack.up(), { create: 16 }, stack.output());
        assert.ok(proveAll(await proof()));
    });

    it("a new PSK hot-reloads all three daemons", async () => {
        const before = await proof();
        await stack.stack.setConfig("psk", { value: "hub-psk-two", secret: true });
        assert.deepEqual(await stack.up(), { update: 3 }, stack.output());
        const after = await proof();
        assert.equal(after.hub.pid, before.hub.pid);
        assert.deepEqual(after.spokes.map((s) => s.pid), before.spokes.map((s) => s.pid));
        assert.ok(proveAll(after));
    });

    it("kill -9 of the hub: refresh reports it, up restarts it and the spokes come back", async () => {
        const before = await proof();
        process.kill(before.hub.pid, "SIGKILL");
        const refreshed = await stack.refresh();
        assert.equal(refreshed.update, 1, JSON.stringify(refreshed));
        await stack.up();
        const after = await proof();
        assert.notEqual(after.hub.pid, before.hub.pid);
        assert.ok(proveAll(after), "both tunnels re-established");
    });

    it("destroy leaves no charon, no /etc/netns entries and no namespaces", async () => {
        const p = await proof();
        assert.deepEqual(await stack.destroy(), { delete: 16 });
        assert.ok(![p.hub.pid, ...p.spokes.map((s) => s.pid)].some(charonAlive));
        assert.ok(!namespaces.some(namespaceExists));
        assert.deepEqual(listEtcNetns().filter((n) => n.startsWith(prefix)), []);
    });
});
