import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { bridgeProvider as provider } from "../../provider/bridge";
import { BridgeInputs, checkBridge } from "../../provider/bridge-plan";
import { FailingRunner, withRunner } from "../helpers/faults";
import { ipIn, namespaceExists, removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { addAddress, pings, pingsSoon, run, vethBetween } from "../helpers/netcmd";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

interface Link { ifname: string; master?: string; mtu: number; flags: string[]; linkinfo?: { info_kind?: string } }

function links(ns: string): Map<string, Link> {
    const list = JSON.parse(ipIn(ns, "-json", "-details", "link", "show")) as Link[];
    return new Map(list.map((l) => [l.ifname, l]));
}

function checked(news: Record<string, unknown>): BridgeInputs {
    const { inputs, failures } = checkBridge(news);
    assert.deepEqual(failures, []);
    return inputs!;
}

describe("Bridge handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const made = new Set<string>();
    const namespace = () => {
        const n = uniqueName("tbr");
        made.add(n);
        run(["ip", "netns", "add", n]);
        return n;
    };
    /** A namespace with veth pairs p<x> ↔ q<x> for each letter, all inside it. */
    const withPorts = (...letters: string[]) => {
        const ns = namespace();
        for (const x of letters) vethBetween(ns, `p${x}`, ns, `q${x}`);
        return ns;
    };
    after(() => {
        removeNamespaces(made);
        assert.deepEqual(snapshotHost(), before, "the host is as the tests found it");
    });

    it("create → inspect → read → update → read shows drift → delete → gone → delete again", async () => {
        const ns = withPorts("a", "b", "c");
        const inputs = checked({ name: "br0", netns: ns, members: ["pb", "pa"], mtu: 1400 });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${ns}/br0`);
        assert.deepEqual(outs, { name: "br0", netns: ns, members: ["pa", "pb"], mtu: 1400, up: true });
        let live = links(ns);
        assert.equal(live.get("br0")?.linkinfo?.info_kind, "bridge");
        assert.equal(live.get("br0")?.mtu, 1400);
        assert.ok(live.get("br0")?.flags.includes("UP"));
        assert.equal(live.get("pa")?.master, "br0");
        assert.equal(live.get("pb")?.master, "br0");
        assert.equal(live.get("pc")?.master, undefined);

        assert.deepEqual((await provider.read!(id, outs)).props, outs, "read matches what create made");

        const news = checked({ name: "br0", netns: ns, members: ["pb", "pc"], mtu: 1300, up: false });
        const updated = await provider.update!(id, outs!, news);
        assert.deepEqual(updated.outs, news);
        live = links(ns);
        assert.equal(live.get("pa")?.master, undefined, "pa was released");
        assert.equal(live.get("pb")?.master, "br0");
        assert.equal(live.get("pc")?.master, "br0");
        assert.equal(live.get("br0")?.mtu, 1300);
        assert.ok(!live.get("br0")?.flags.includes("UP"));

        // Out of band: a port added, the bridge up, its MTU changed.
        ipIn(ns, "link", "set", "pa", "master", "br0");
        ipIn(ns, "link", "set", "br0", "up", "mtu", "1280");
        const drifted = await provider.read!(id, updated.outs);
        assert.deepEqual(drifted.props, { ...news, members: ["pa", "pb", "pc"], up: true, mtu: 1280 });
        assert.deepEqual(drifted.inputs, drifted.props);

        // An update converges from the live state: pa goes again, the rest is put back.
        await provider.update!(id, drifted.props!, news);
        live = links(ns);
        assert.equal(live.get("pa")?.master, undefined);
        assert.equal(live.get("br0")?.mtu, 1300);

        await provider.delete!(id, news);
        live = links(ns);
        assert.equal(live.has("br0"), false);
        for (const port of ["pa", "pb", "pc"]) assert.ok(live.has(port) && !live.get(port)?.master, `${port} stays, released`);
        assert.equal((await provider.read!(id, news)).id, "", "read reports it gone");
        await provider.delete!(id, news); // idempotent
    });

    it("forwards traffic between two namespaces attached to it", async () => {
        const [left, right, hub] = [namespace(), namespace(), namespace()];
        vethBetween(left, "eth0", hub, "pl");
        vethBetween(right, "eth0", hub, "pr");
        addAddress(left, "eth0", "192.0.2.1/24");
        addAddress(right, "eth0", "192.0.2.2/24");
        assert.equal(pings(left, "192.0.2.2"), false, "no path before the bridge exists");

        const inputs = checked({ name: "br-hub", netns: hub, members: ["pl", "pr"] });
        const { id, outs } = await provider.create(inputs);
        assert.ok(pingsSoon(left, "192.0.2.2"), "ping crosses the bridge");

        await provider.update!(id, outs!, checked({ name: "br-hub", netns: hub, members: ["pl"] }));
        assert.equal(pings(left, "192.0.2.2"), false, "a released port no longer forwards");
        await provider.delete!(id, outs!);
    });

    it("deleting after out-of-band removal succeeds, also when the namespace is gone", async () => {
        const ns = withPorts("a");
        const { id, outs } = await provider.create(checked({ name: "br0", netns: ns, members: ["pa"] }));
        ipIn(ns, "link", "delete", "br0");
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);

        const again = await provider.create(checked({ name: "br0", netns: ns, members: ["pa"] }));
        removeNamespaces([ns]);
        assert.equal(namespaceExists(ns), false);
        assert.equal((await provider.read!(again.id, again.outs)).id, "", "gone with its namespace");
        await provider.delete!(again.id, again.outs!);
    });

    it("delete leaves alone a device of another kind that took the name", async () => {
        const ns = withPorts("a");
        const { id, outs } = await provider.create(checked({ name: "br0", netns: ns, members: ["pa"] }));
        await provider.delete!(id, outs!);
        vethBetween(ns, "br0", ns, "qx"); // out of band, after ours was deleted
        await provider.delete!(id, outs!);
        assert.equal(links(ns).get("br0")?.linkinfo?.info_kind, "veth", "the veth stays");
    });

    it("update reports a bridge deleted out of band and asks for a refresh", async () => {
        const ns = withPorts("a");
        const { id, outs } = await provider.create(checked({ name: "br0", netns: ns, members: [] }));
        ipIn(ns, "link", "delete", "br0");
        await assert.rejects(provider.update!(id, outs!, checked({ name: "br0", netns: ns, members: ["pa"] })),
            new RegExp(`update bridge "br0" in netns "${ns}": the bridge is gone; run \`pulumi refresh\``));
    });

    it("rolls back a create that failed after the bridge was made", async () => {
        const ns = withPorts("a");
        await assert.rejects(provider.create(checked({ name: "br0", netns: ns, members: ["pa", "nope"] })),
            new RegExp(`create bridge "br0" in netns "${ns}": .*Cannot find device "nope"`));
        const live = links(ns);
        assert.equal(live.has("br0"), false, "the bridge was removed again");
        assert.equal(live.get("pa")?.master, undefined, "and its port released");
    });

    it("deletes nothing when the batch process fails without saying on which line", async () => {
        const ns = withPorts("a");
        // Someone else's device under the name: a failure that names no line does not prove `link add` ran.
        vethBetween(ns, "br0", ns, "qx");
        const runner = new FailingRunner((argv) => argv.includes("-batch"));
        await assert.rejects(withRunner(runner, () => provider.create(checked({ name: "br0", netns: ns, members: ["pa"] }))),
            /create bridge "br0" .*injected failure/);
        assert.equal(links(ns).get("br0")?.linkinfo?.info_kind, "veth", "the other device stays");
        assert.ok(!runner.ran.some((argv) => argv.includes("delete")), "no rollback ran");
    });

    it("refuses to adopt an existing interface and leaves it alone", async () => {
        const ns = withPorts("a");
        ipIn(ns, "link", "add", "br0", "type", "bridge");
        ipIn(ns, "link", "set", "pa", "master", "br0");
        await assert.rejects(provider.create(checked({ name: "br0", netns: ns, members: [] })),
            new RegExp(`create bridge "br0" in netns "${ns}": an interface with this name already exists`));
        const live = links(ns);
        assert.ok(live.has("br0"), "the existing bridge was not deleted");
        assert.equal(live.get("pa")?.master, "br0");
    });
});
