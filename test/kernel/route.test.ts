import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { addressProvider } from "../../provider/address";
import { routeProvider as provider } from "../../provider/route";
import type { RouteInputs } from "../../provider/route-plan";
import { vethPairProvider } from "../../provider/veth-pair";
import { removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { checked, ipRun, routesIn, settled } from "../helpers/links";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

/** True if one ping from `netns` to `address` is answered within a second. */
function pings(netns: string, address: string): boolean {
    return spawnSync("ip", ["netns", "exec", netns, "ping", "-c", "1", "-W", "1", address], { stdio: "ignore" }).status === 0;
}

describe("Route handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const namespaces = new Set<string>();
    const ns = () => {
        const n = uniqueName("trt");
        namespaces.add(n);
        ipRun(undefined, "netns", "add", n);
        return n;
    };
    /** A namespace with r0 up on 192.0.2.1/24 and fe80::1 (its peer r1 in the same namespace). */
    const lan = () => {
        const n = ns();
        ipRun(n, "link", "add", "name", "r0", "type", "veth", "peer", "name", "r1");
        ipRun(n, "link", "set", "dev", "r1", "up");
        ipRun(n, "link", "set", "dev", "r0", "up");
        ipRun(n, "address", "add", "192.0.2.1/24", "dev", "r0");
        return n;
    };
    after(async () => {
        removeNamespaces(namespaces);
        await settled(before, ["trt", "trtx"]);
    });

    it("connects two namespaces: VethPair + Address + Route, proven by ping", async () => {
        const [left, right] = [ns(), ns()];
        for (const n of [left, right]) ipRun(n, "link", "set", "dev", "lo", "up"); // as Namespace loopbackUp does
        const link = await vethPairProvider.create(await checked(vethPairProvider, {
            a: { name: "to-r", netns: left }, b: { name: "to-l", netns: right },
        }));
        // The link's own subnet, plus one far address per side that the other side has no route to.
        const addresses = [];
        for (const [netns, iface, cidr] of [
            [left, "to-r", "192.0.2.1/24"], [right, "to-l", "192.0.2.2/24"],
            [right, "lo", "198.51.100.1/32"], [left, "lo", "203.0.113.1/32"],
        ]) {
            addresses.push(await addressProvider.create(await checked(addressProvider, { cidr, interface: iface, netns })));
        }
        assert.ok(pings(left, "192.0.2.2"), "the link works on its own subnet");
        assert.equal(pings(left, "198.51.100.1"), false, "no route yet");
        assert.equal(pings(right, "203.0.113.1"), false, "no route back yet");

        const toFar = await provider.create(await checked(provider, { destination: "198.51.100.0/24", via: "192.0.2.2", netns: left }));
        assert.ok(pings(left, "198.51.100.1"), "the route carries traffic");
        const back = await provider.create(await checked(provider, { destination: "default", via: "192.0.2.1", netns: right }));
        assert.ok(pings(right, "203.0.113.1"), "the default route carries traffic");

        await provider.delete!(toFar.id, toFar.outs!);
        assert.equal(pings(left, "198.51.100.1"), false, "gone with the route");
        await provider.delete!(back.id, back.outs!);
        for (const a of addresses) await addressProvider.delete!(a.id, a.outs!);
        await vethPairProvider.delete!(link.id, link.outs!);
        assert.deepEqual(routesIn(right, "-4"), [], "nothing left behind in the namespace");
    });

    it("create → inspect → read → update via → drift → delete → gone → delete again", async () => {
        const n = lan();
        const inputs = await checked(provider, { destination: "198.51.100.0/24", via: "192.0.2.2", netns: n });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${n}/254/198.51.100.0/24/0`);
        assert.deepEqual(outs, { destination: "198.51.100.0/24", via: "192.0.2.2", table: 254, netns: n });
        assert.deepEqual(routesIn(n, "-4").filter((r) => r.dst === "198.51.100.0/24"),
            [{ dst: "198.51.100.0/24", gateway: "192.0.2.2", dev: "r0", flags: [] }]);
        assert.deepEqual((await provider.read!(id, outs)).props, outs);
        assert.deepEqual((await provider.read!(id)).inputs, { ...outs, metric: 0 }, "imports by id");

        const changed: RouteInputs = { ...outs!, via: "192.0.2.3", device: "r0" };
        await provider.update!(id, outs!, changed);
        const live = routesIn(n, "-4").filter((r) => r.dst === "198.51.100.0/24");
        assert.deepEqual(live.map((r) => [r.gateway, r.metric]), [["192.0.2.3", undefined]], "replaced in place, same metric");

        ipRun(n, "route", "replace", "198.51.100.0/24", "via", "192.0.2.4", "dev", "r0");
        assert.deepEqual((await provider.read!(id, changed)).props, { ...changed, via: "192.0.2.4" }, "read reports the drift");

        await provider.delete!(id, changed);
        assert.deepEqual(routesIn(n, "-4").filter((r) => r.dst === "198.51.100.0/24"), []);
        assert.equal((await provider.read!(id, changed)).id, "");
        await provider.delete!(id, changed); // idempotent
    });

    it("keeps routes of different metrics apart: delete never takes another metric's route", async () => {
        const n = lan();
        const plain = await provider.create(await checked(provider, { destination: "198.51.100.0/24", via: "192.0.2.2", netns: n }));
        const backup = await provider.create(await checked(provider, { destination: "198.51.100.0/24", via: "192.0.2.3", metric: 100, netns: n }));
        const metrics = () => routesIn(n, "-4").filter((r) => r.dst === "198.51.100.0/24").map((r) => r.metric ?? 0);
        assert.deepEqual(metrics(), [0, 100]);

        await provider.delete!(plain.id, plain.outs!);
        assert.deepEqual(metrics(), [100]);
        // `ip route del 198.51.100.0/24 metric 0` would now delete the metric-100 route.
        await provider.delete!(plain.id, plain.outs!);
        assert.deepEqual(metrics(), [100], "deleting the gone metric-0 route again leaves metric 100 alone");
        assert.equal((await provider.read!(plain.id, plain.outs)).id, "", "the metric-0 route reads as gone");
        assert.equal((await provider.read!(backup.id, backup.outs)).id, backup.id);
        await provider.delete!(backup.id, backup.outs!);
        assert.deepEqual(metrics(), []);
    });

    it("handles IPv6, other tables, and link-local gateways", async () => {
        const n = lan();
        const inputs = await checked(provider, { destination: "default", via: "FE80::2", device: "r0", table: 100, netns: n });
        assert.equal(inputs.destination, "::/0");
        const { id, outs } = await provider.create(inputs);
        assert.deepEqual(routesIn(n, "-6", "table", "100").map((r) => [r.dst, r.gateway, r.metric]), [["default", "fe80::2", 1024]]);
        assert.deepEqual((await provider.read!(id, outs)).props, { ...inputs, via: "fe80::2" });
        await provider.delete!(id, outs!);
        assert.equal((await provider.read!(id, outs)).id, "", "the table is gone with its last route");
        await provider.delete!(id, outs!);
    });

    it("explains an unreachable gateway and an existing route, changing nothing", async () => {
        const n = lan();
        await assert.rejects(provider.create(await checked(provider, { destination: "198.51.100.0/24", via: "203.0.113.9", netns: n })),
            new RegExp(`create route "198.51.100.0/24" in netns "${n}": gateway 203.0.113.9 is not on a directly connected network`));
        ipRun(n, "route", "add", "198.51.100.0/24", "via", "192.0.2.2");
        await assert.rejects(provider.create(await checked(provider, { destination: "198.51.100.0/24", via: "192.0.2.3", netns: n })),
            /a route to 198.51.100.0\/24 with metric 0 already exists in table 254, and this resource does not adopt it/);
        assert.deepEqual(routesIn(n, "-4").filter((r) => r.dst === "198.51.100.0/24").map((r) => r.gateway), ["192.0.2.2"]);
        const missing = uniqueName("trtx");
        await assert.rejects(provider.create(await checked(provider, { destination: "default", device: "r0", netns: missing })),
            new RegExp(`network namespace "${missing}" does not exist`));
    });

    it("deletes successfully when its device or its namespace is gone", async () => {
        const n = lan();
        const onDevice = await provider.create(await checked(provider, { destination: "203.0.113.0/24", device: "r1", netns: n }));
        ipRun(n, "link", "delete", "dev", "r1");
        assert.equal((await provider.read!(onDevice.id, onDevice.outs)).id, "");
        await provider.delete!(onDevice.id, onDevice.outs!);

        const m = lan();
        const inNs = await provider.create(await checked(provider, { destination: "198.51.100.0/24", via: "192.0.2.2", netns: m }));
        ipRun(undefined, "netns", "delete", m);
        assert.equal((await provider.read!(inNs.id, inNs.outs)).id, "");
        await provider.delete!(inNs.id, inNs.outs!);
    });
});
