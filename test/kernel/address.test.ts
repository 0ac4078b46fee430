import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { addressProvider as provider } from "../../provider/address";
import { removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { addressesOn, checked, ipRun, settled } from "../helpers/links";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

describe("Address handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const namespaces = new Set<string>();
    /** A namespace with a veth pair a0–a1 inside it (never in the host namespace), a0 up. */
    const ns = () => {
        const n = uniqueName("tad");
        namespaces.add(n);
        ipRun(undefined, "netns", "add", n);
        ipRun(n, "link", "add", "name", "a0", "type", "veth", "peer", "name", "a1");
        ipRun(n, "link", "set", "dev", "a0", "up");
        return n;
    };
    after(async () => {
        removeNamespaces(namespaces);
        await settled(before, ["tad", "tadx"]);
    });

    it("create → inspect → read → update → gone out of band → delete → gone → delete again", async () => {
        const n = ns();
        const inputs = await checked(provider, { cidr: "192.0.2.1/24", interface: "a0", netns: n });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${n}/a0/192.0.2.1/24`);
        assert.deepEqual(outs, { cidr: "192.0.2.1/24", interface: "a0", netns: n, address: "192.0.2.1", prefixLength: 24 });
        assert.deepEqual(addressesOn(n, "a0"), ["192.0.2.1/24"]);

        const read = await provider.read!(id, outs);
        assert.deepEqual(read, { id, props: outs });
        assert.deepEqual((await provider.update!(id, outs!, inputs)).outs, outs, "nothing changes in place");

        ipRun(n, "address", "delete", "192.0.2.1/24", "dev", "a0");
        assert.equal((await provider.read!(id, outs)).id, "", "read reports it deleted out of band");
        await provider.delete!(id, outs!); // already gone

        await provider.create(inputs);
        await provider.delete!(id, outs!);
        assert.deepEqual(addressesOn(n, "a0"), []);
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!); // idempotent
    });

    it("finds a normalized IPv6 address as ip prints it", async () => {
        const n = ns();
        const inputs = await checked(provider, { cidr: "2001:DB8:0:0::0001/64", interface: "a0", netns: n });
        assert.equal(inputs.cidr, "2001:db8::1/64");
        const { id, outs } = await provider.create(inputs);
        assert.ok(addressesOn(n, "a0").includes("2001:db8::1/64"));
        assert.equal((await provider.read!(id, outs)).id, id);
        await provider.delete!(id, outs!);
        assert.ok(!addressesOn(n, "a0").includes("2001:db8::1/64"));
    });

    it("keeps the same address with another prefix apart", async () => {
        const n = ns();
        const { id, outs } = await provider.create(await checked(provider, { cidr: "192.0.2.1/24", interface: "a0", netns: n }));
        ipRun(n, "address", "delete", "192.0.2.1/24", "dev", "a0");
        ipRun(n, "address", "add", "192.0.2.1/25", "dev", "a0");
        assert.equal((await provider.read!(id, outs)).id, "", "192.0.2.1/25 is not this address");
        await provider.delete!(id, outs!);
        assert.deepEqual(addressesOn(n, "a0"), ["192.0.2.1/25"], "and delete leaves it alone");
    });

    it("imports by id", async () => {
        const n = ns();
        ipRun(n, "address", "add", "198.51.100.7/24", "dev", "a0");
        const read = await provider.read!(`${n}/a0/198.51.100.7/24`);
        assert.deepEqual(read.inputs, { cidr: "198.51.100.7/24", interface: "a0", netns: n, address: "198.51.100.7", prefixLength: 24 });
    });

    it("refuses to adopt an existing address, and explains missing interfaces and namespaces", async () => {
        const n = ns();
        const inputs = await checked(provider, { cidr: "192.0.2.1/24", interface: "a0", netns: n });
        await provider.create(inputs);
        await assert.rejects(provider.create(inputs),
            new RegExp(`create address "192.0.2.1/24" in netns "${n}": "a0" already has 192.0.2.1/24, and this resource does not adopt it`));
        await assert.rejects(provider.create({ ...inputs, interface: "nope" }), /there is no interface "nope" in netns/);
        const missing = uniqueName("tadx");
        await assert.rejects(provider.create({ ...inputs, netns: missing }), new RegExp(`network namespace "${missing}" does not exist`));
    });

    it("deletes successfully when the interface or the whole namespace is gone", async () => {
        const n = ns();
        const { id, outs } = await provider.create(await checked(provider, { cidr: "192.0.2.1/24", interface: "a1", netns: n }));
        ipRun(n, "link", "delete", "dev", "a1");
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);

        const m = ns();
        const second = await provider.create(await checked(provider, { cidr: "192.0.2.1/24", interface: "a0", netns: m }));
        ipRun(undefined, "netns", "delete", m);
        assert.equal((await provider.read!(second.id, second.outs)).id, "");
        await provider.delete!(second.id, second.outs!);
    });

    it("deleting an IPv4 primary keeps the other addresses of its subnet", async () => {
        const n = ns();
        const primary = await provider.create(await checked(provider, { cidr: "192.0.2.1/24", interface: "a0", netns: n }));
        const secondary = await provider.create(await checked(provider, { cidr: "192.0.2.2/24", interface: "a0", netns: n }));
        await provider.delete!(primary.id, primary.outs!);
        // create set promote_secondaries: the kernel's default would have deleted the secondary too.
        assert.deepEqual(addressesOn(n, "a0"), ["192.0.2.2/24"]);
        assert.equal((await provider.read!(secondary.id, secondary.outs)).id, secondary.id);
        await provider.delete!(secondary.id, secondary.outs!);
    });
});
