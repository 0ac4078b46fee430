import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { vethPairProvider as provider } from "../../provider/veth-pair";
import type { VethPairInputs } from "../../provider/veth-pair-plan";
import { FailingRunner, withRunner } from "../helpers/faults";
import { removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { checked, ipRun, isUp, linkIn, removeHostLinks, settled, waitFor } from "../helpers/links";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

describe("VethPair handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const namespaces = new Set<string>();
    const hostLinks = new Set<string>();
    const ns = () => {
        const n = uniqueName("tvp");
        namespaces.add(n);
        ipRun(undefined, "netns", "add", n);
        return n;
    };
    after(async () => {
        removeHostLinks(hostLinks);
        removeNamespaces(namespaces);
        await settled(before, ["tvp", "tvh", "tvx"]);
    });

    it("create → inspect → read → update → drift → delete → gone → delete again", async () => {
        const [left, right] = [ns(), ns()];
        const inputs = await checked(provider, {
            a: { name: "to-r", netns: left, mtu: 1400, mac: "02:00:00:00:01:0A" },
            b: { name: "to-l", netns: right },
        });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${left}/to-r:${right}/to-l`);
        assert.deepEqual(outs, {
            a: { name: "to-r", netns: left, mtu: 1400, mac: "02:00:00:00:01:0a", up: true },
            b: { name: "to-l", netns: right, up: true },
        });
        const a = linkIn(left, "to-r");
        assert.equal(a?.mtu, 1400);
        assert.equal(a?.address, "02:00:00:00:01:0a");
        assert.ok(isUp(a) && isUp(linkIn(right, "to-l")), "both ends up");
        assert.ok(a?.flags.includes("LOWER_UP"), "the link has carrier: the ends are peers");
        assert.equal(linkIn(undefined, "to-r"), undefined, "nothing in the host namespace");

        assert.deepEqual((await provider.read!(id, outs)).props, outs);

        const changed: VethPairInputs = {
            a: { ...outs.a, mtu: 1300, mac: "02:00:00:00:01:0b" },
            b: { ...outs.b, up: false },
        };
        assert.deepEqual((await provider.update!(id, outs, changed)).outs, changed);
        assert.equal(linkIn(left, "to-r")?.mtu, 1300);
        assert.equal(linkIn(left, "to-r")?.address, "02:00:00:00:01:0b", "the MAC changes while up");
        assert.equal(isUp(linkIn(right, "to-l")), false);

        ipRun(left, "link", "set", "dev", "to-r", "mtu", "1280", "address", "02:00:00:00:01:0c", "down");
        const drift = await provider.read!(id, changed);
        assert.deepEqual(drift.props, {
            a: { name: "to-r", netns: left, mtu: 1280, mac: "02:00:00:00:01:0c", up: false },
            b: { name: "to-l", netns: right, up: false },
        }, "read reports the drift");
        assert.deepEqual(drift.inputs, drift.props);

        await provider.delete!(id, changed);
        assert.equal(linkIn(left, "to-r"), undefined);
        assert.equal(linkIn(right, "to-l"), undefined, "the kernel removed the peer");
        assert.equal((await provider.read!(id, changed)).id, "", "read reports it gone");
        await provider.delete!(id, changed); // idempotent
    });

    it("puts an end in the host namespace when netns is left out", async () => {
        const inner = ns();
        const hostEnd = uniqueName("tvh");
        hostLinks.add(hostEnd);
        const inputs = await checked(provider, { a: { name: hostEnd }, b: { name: "up", netns: inner, up: false } });
        const { id, outs } = await provider.create(inputs);
        assert.ok(isUp(linkIn(undefined, hostEnd)));
        assert.equal(isUp(linkIn(inner, "up")), false, "an interface named like a keyword is still a name");
        await provider.delete!(id, outs!);
        assert.equal(linkIn(undefined, hostEnd), undefined);
        assert.equal(linkIn(inner, "up"), undefined);
    });

    it("refuses to adopt interfaces that exist, and leaves them alone", async () => {
        const [left, right] = [ns(), ns()];
        const inputs = await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } });
        await provider.create(inputs);
        await assert.rejects(provider.create(inputs),
            new RegExp(`create vethPair "v0" in netns "${left}": an interface named "v0" .* already exists`));
        assert.ok(linkIn(left, "v0") && linkIn(right, "v1"));
    });

    it("re-creates a pair right after one end's namespace was deleted (the kernel removes the peer later)", async () => {
        const [left, right] = [ns(), ns()];
        const inputs = await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } });
        await provider.create(inputs);
        // What `pulumi up --refresh` does after `ip netns delete`: recreate the namespace, then the pair.
        ipRun(undefined, "netns", "delete", right);
        ipRun(undefined, "netns", "add", right);
        const { outs } = await provider.create(inputs);
        assert.ok(linkIn(left, "v0") && linkIn(right, "v1"));
        assert.deepEqual(outs, inputs);
    });

    it("reports end b as moved when its namespace lost its name but lives on, and delete still removes the pair", async () => {
        const [left, right] = [ns(), ns()];
        const inputs = await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } });
        const { id, outs } = await provider.create(inputs);
        // A process keeps the namespace alive after `ip netns delete` removes its name.
        const holder = spawn("ip", ["netns", "exec", right, "sleep", "30"], { stdio: "ignore" });
        try {
            await waitFor("the holder process", () => holder.pid !== undefined && linkIn(left, "v0") !== undefined);
            await new Promise((r) => setTimeout(r, 200));
            ipRun(undefined, "netns", "delete", right);
            const read = await provider.read!(id, outs);
            assert.equal(read.id, id, "the pair still exists");
            assert.notEqual(read.props?.b.netns, right, "end b is reported elsewhere");
            await provider.delete!(id, read.props!);
            assert.equal(linkIn(left, "v0"), undefined);
        } finally {
            holder.kill("SIGKILL");
        }
    });

    it("says which namespace is missing", async () => {
        const left = ns();
        const missing = uniqueName("tvx");
        const inputs = await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: missing } });
        await assert.rejects(provider.create(inputs), new RegExp(`network namespace "${left}" or "${missing}" does not exist; create it first`));
        assert.equal(linkIn(left, "v0"), undefined);
    });

    it("counts an end deleted out of band as the pair gone", async () => {
        const [left, right] = [ns(), ns()];
        const { id, outs } = await provider.create(await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } }));
        ipRun(right, "link", "delete", "dev", "v1");
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);
    });

    it("delete leaves alone a device of another kind that took an end's name", async () => {
        const [left, right] = [ns(), ns()];
        const { id, outs } = await provider.create(await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } }));
        await provider.delete!(id, outs!);
        ipRun(left, "link", "add", "v0", "type", "bridge"); // out of band, after ours was deleted
        await provider.delete!(id, outs!);
        assert.ok(linkIn(left, "v0"), "the bridge stays");
    });

    it("deletes successfully after the whole namespace of an end was deleted", async () => {
        const [left, right] = [ns(), ns()];
        const { id, outs } = await provider.create(await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } }));
        ipRun(undefined, "netns", "delete", left);
        assert.equal((await provider.read!(id, outs)).id, "", "read reports it gone");
        await provider.delete!(id, outs!);
        await waitFor("the peer to go with its namespace", () => linkIn(right, "v1") === undefined);
    });

    it("rolls back a half-done create", async () => {
        const [left, right] = [ns(), ns()];
        const inputs = await checked(provider, { a: { name: "v0", netns: left }, b: { name: "v1", netns: right } });
        // The pair exists and end a is up when bringing end b up fails.
        const runner = new FailingRunner((argv) => argv.includes("up") && argv.includes("v1"));
        await assert.rejects(withRunner(runner, () => provider.create(inputs)), /create vethPair "v1" in netns .*: injected failure/);
        assert.equal(linkIn(left, "v0"), undefined, "the pair was removed again");
        assert.equal(linkIn(right, "v1"), undefined);
    });
});
