import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { namespaceProvider as provider } from "../../provider/namespace";
import { FailingRunner, withRunner } from "../helpers/faults";
import { ipIn, namespaceExists, removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

describe("Namespace handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const made = new Set<string>();
    const fresh = () => { const n = uniqueName("tns"); made.add(n); return n; };
    after(() => {
        removeNamespaces(made);
        assert.deepEqual(snapshotHost(), before, "the host is as the tests found it");
    });

    it("create → inspect → read → update → delete → gone", async () => {
        const name = fresh();
        const { id, outs } = await provider.create({ name, loopbackUp: true });
        assert.equal(id, name);
        assert.deepEqual(outs, { name, loopbackUp: true, path: `/run/netns/${name}` });
        assert.ok(namespaceExists(name));
        assert.match(ipIn(name, "link", "show", "lo"), /<LOOPBACK,UP/);

        const read = await provider.read!(id, outs);
        assert.deepEqual(read.props, outs);

        await provider.update!(id, outs!, { name, loopbackUp: false });
        assert.doesNotMatch(ipIn(name, "link", "show", "lo"), /<LOOPBACK,UP/);
        assert.equal((await provider.read!(id, outs)).props?.loopbackUp, false, "read reports the drift");

        await provider.delete!(id, outs!);
        assert.equal(namespaceExists(name), false);
        assert.equal((await provider.read!(id, outs)).id, "", "read reports it gone");
        await provider.delete!(id, outs!); // idempotent
    });

    it("refuses to adopt an existing namespace and leaves it alone", async () => {
        const name = fresh();
        await provider.create({ name, loopbackUp: false });
        await assert.rejects(provider.create({ name, loopbackUp: true }),
            new RegExp(`create namespace "${name}": a network namespace with this name already exists`));
        assert.ok(namespaceExists(name));
    });

    it("rolls back a half-done create", async () => {
        const name = fresh();
        const runner = new FailingRunner((argv) => argv.includes("lo") && argv.includes("set"));
        await assert.rejects(withRunner(runner, () => provider.create({ name, loopbackUp: true })),
            new RegExp(`create namespace "${name}": injected failure`));
        assert.equal(namespaceExists(name), false, "the namespace was removed again");
    });

    it("creates many namespaces concurrently", async () => {
        const names = Array.from({ length: 8 }, fresh);
        await Promise.all(names.map((name) => provider.create({ name, loopbackUp: true })));
        assert.ok(names.every(namespaceExists));
        await Promise.all(names.map((name) => provider.delete!(name, { name, loopbackUp: true, path: "" })));
        assert.ok(!names.some(namespaceExists));
    });
});
