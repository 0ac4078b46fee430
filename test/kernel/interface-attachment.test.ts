import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { interfaceAttachmentProvider as provider } from "../../provider/interface-attachment";
import type { InterfaceAttachmentInputs } from "../../provider/interface-attachment-plan";
import { FailingRunner, withRunner } from "../helpers/faults";
import { removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { checked, ipRun, isUp, linkIn, removeHostLinks, settled, waitFor } from "../helpers/links";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

describe("InterfaceAttachment handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const namespaces = new Set<string>();
    const hostLinks = new Set<string>();
    const ns = () => {
        const n = uniqueName("tia");
        namespaces.add(n);
        ipRun(undefined, "netns", "add", n);
        return n;
    };
    /**
     * A stand-in for a NIC: one end of a veth pair the test makes in the host namespace (the other
     * end stays there). Deleting either end later removes both.
     */
    const nic = (mtu: number, up: boolean) => {
        const [name, peer] = [uniqueName("tnic"), uniqueName("tpeer")];
        hostLinks.add(name).add(peer);
        ipRun(undefined, "link", "add", "name", name, "mtu", String(mtu), "type", "veth", "peer", "name", peer);
        if (up) ipRun(undefined, "link", "set", "dev", name, "up");
        return name;
    };
    after(async () => {
        removeHostLinks(hostLinks);
        removeNamespaces(namespaces);
        await settled(before, ["tia", "tnic", "tpeer", "tnone"]);
    });

    it("create → inspect → read → update → drift → delete restores the original → gone → delete again", async () => {
        const gw = ns();
        const eth = nic(1400, true);
        const inputs = await checked(provider, { interface: eth, netns: gw, mtu: 1300 });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${gw}/${eth}`);
        assert.deepEqual(outs, { interface: eth, netns: gw, up: true, mtu: 1300, originalUp: true, originalMtu: 1400 });
        assert.equal(linkIn(undefined, eth), undefined, "it left the host namespace");
        assert.equal(linkIn(gw, eth)?.mtu, 1300);
        assert.ok(isUp(linkIn(gw, eth)));

        assert.deepEqual((await provider.read!(id, outs)).props, outs);

        const changed: InterfaceAttachmentInputs = { interface: eth, netns: gw, up: false, mtu: 1280 };
        const updated = (await provider.update!(id, outs, changed)).outs;
        assert.deepEqual(updated, { ...changed, originalUp: true, originalMtu: 1400 }, "the original state is kept");
        assert.equal(linkIn(gw, eth)?.mtu, 1280);
        assert.equal(isUp(linkIn(gw, eth)), false);

        ipRun(gw, "link", "set", "dev", eth, "up", "mtu", "1500");
        const drift = await provider.read!(id, updated);
        assert.deepEqual(drift.props, { ...changed, up: true, mtu: 1500, originalUp: true, originalMtu: 1400 }, "read reports the drift");
        assert.deepEqual(drift.inputs, { ...changed, up: true, mtu: 1500 }, "inputs do not carry the original state");

        await provider.delete!(id, updated);
        const back = linkIn(undefined, eth);
        assert.equal(back?.mtu, 1400, "back in the host namespace with its MTU");
        assert.ok(isUp(back), "and up, as it was");
        assert.equal(linkIn(gw, eth), undefined);
        assert.equal((await provider.read!(id, updated)).id, "", "read reports it gone");
        await provider.delete!(id, updated); // idempotent: never touches the interface in the host
        assert.ok(isUp(linkIn(undefined, eth)));
    });

    it("restores a down interface as down, and honours up: false", async () => {
        const gw = ns();
        const eth = nic(1500, false);
        const { id, outs } = await provider.create(await checked(provider, { interface: eth, netns: gw, up: false }));
        assert.equal(isUp(linkIn(gw, eth)), false);
        await provider.update!(id, outs!, { ...outs!, up: true });
        assert.ok(isUp(linkIn(gw, eth)));
        await provider.delete!(id, outs!);
        assert.equal(isUp(linkIn(undefined, eth)), false);
    });

    it("explains a missing interface, a missing namespace and a taken name, changing nothing", async () => {
        const gw = ns();
        const eth = nic(1500, true);
        await assert.rejects(provider.create(await checked(provider, { interface: uniqueName("tnone"), netns: gw })),
            /there is no interface "tnone\w+" in the host namespace to move/);
        const missing = uniqueName("tiax");
        await assert.rejects(provider.create(await checked(provider, { interface: eth, netns: missing })),
            new RegExp(`create interfaceAttachment "${eth}" in netns "${missing}": network namespace "${missing}" does not exist`));
        ipRun(gw, "link", "add", "name", eth, "type", "veth", "peer", "name", "other");
        await assert.rejects(provider.create(await checked(provider, { interface: eth, netns: gw })),
            new RegExp(`netns "${gw}" already has an interface named "${eth}"`));
        assert.ok(isUp(linkIn(undefined, eth)), "the interface stayed in the host namespace, up");
    });

    it("deletes successfully after the namespace was deleted (the kernel destroyed the virtual device)", async () => {
        const gw = ns();
        const eth = nic(1500, true);
        const { id, outs } = await provider.create(await checked(provider, { interface: eth, netns: gw }));
        ipRun(undefined, "netns", "delete", gw);
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);
        await waitFor("the veth to go with the namespace", () => linkIn(undefined, eth) === undefined);
    });

    it("deletes successfully after the interface was moved back out of band, leaving it alone", async () => {
        const gw = ns();
        const eth = nic(1400, true);
        const { id, outs } = await provider.create(await checked(provider, { interface: eth, netns: gw, mtu: 1300 }));
        ipRun(gw, "link", "set", "dev", eth, "netns", "1");
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);
        assert.equal(linkIn(undefined, eth)?.mtu, 1300, "not ours any more: untouched");
    });

    it("rolls back a half-done create: back in the host namespace as it was", async () => {
        const gw = ns();
        const eth = nic(1400, true);
        const inputs = await checked(provider, { interface: eth, netns: gw, mtu: 1300 });
        // The move succeeded; setting MTU and up inside the namespace fails.
        const runner = new FailingRunner((argv) => argv.includes("mtu") && argv.includes("1300"));
        await assert.rejects(withRunner(runner, () => provider.create(inputs)),
            new RegExp(`create interfaceAttachment "${eth}" in netns "${gw}": injected failure`));
        assert.equal(linkIn(gw, eth), undefined);
        const back = linkIn(undefined, eth);
        assert.equal(back?.mtu, 1400);
        assert.ok(isUp(back));
    });
});
