/**
 * InterfaceAttachment handlers: move an existing interface of the host namespace into a namespace,
 * and back (restoring its MTU and up state) on delete. The interface itself is never deleted.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    InterfaceAttachmentInputs, InterfaceAttachmentOutputs, NAME_TAKEN, NETNS_IMMUTABLE,
    attachmentChanges, checkInterfaceAttachment, diffInterfaceAttachment, interfaceAttachmentCommands as cmd,
    interfaceAttachmentFromId, interfaceAttachmentId,
} from "./interface-attachment-plan";
import { operationError, stderrMatches } from "./errors";
import { DEVICE_GONE, NETNS_ARG_INVALID, NETNS_GONE, compact, explained, parseLink } from "./linkstate";
import { runnerFor } from "./runner";

const KIND = "interfaceAttachment";

/** Why `ip link set dev IFACE netns NS` failed, in the user's terms. */
function explainMove(err: unknown, { interface: iface, netns }: InterfaceAttachmentInputs): unknown {
    if (stderrMatches(err, NETNS_ARG_INVALID)) {
        return explained(`network namespace "${netns}" does not exist; create it first (a Namespace resource) and pass its name`, err);
    }
    if (stderrMatches(err, NAME_TAKEN)) {
        return explained(`netns "${netns}" already has an interface named "${iface}"; remove or rename that one first`, err);
    }
    if (stderrMatches(err, NETNS_IMMUTABLE)) {
        return explained(`"${iface}" cannot change namespace (the kernel pins loopback, bridges and some other devices); ` +
            "attach another interface, e.g. one end of a VethPair", err);
    }
    return err;
}

export const interfaceAttachmentProvider: dynamic.ResourceProvider<InterfaceAttachmentInputs, InterfaceAttachmentOutputs> = {
    async check(_olds, news) {
        return checkInterfaceAttachment(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffInterfaceAttachment(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        const { interface: iface, netns } = inputs;
        const failed = (cause: unknown) => operationError("create", KIND, iface, cause, netns);
        const missing = `there is no interface "${iface}" in the host namespace to move; check the name with ` +
            "`ip link` (an interface attached by another resource is no longer in the host namespace)";
        let original;
        try {
            original = parseLink((await runner.run(cmd.show(iface))).stdout);
        } catch (err) {
            throw failed(stderrMatches(err, DEVICE_GONE) ? explained(missing, err) : err);
        }
        if (!original) throw failed(missing);
        const outs: InterfaceAttachmentOutputs = { ...inputs, originalUp: original.up, originalMtu: original.mtu };
        try {
            await runner.run(cmd.moveIn(iface, netns));
        } catch (err) {
            throw failed(explainMove(err, inputs)); // the move is one attribute: nothing happened
        }
        const settle = cmd.settle(inputs);
        if (settle) {
            try {
                await runner.run(settle, { netns });
            } catch (err) {
                // Transactional create: back to the host namespace, as it was.
                await runner.run(cmd.moveOut(iface), { netns })
                    .then(() => { const restore = cmd.restore(outs); return restore && runner.run(restore); })
                    .catch(() => undefined);
                throw failed(err);
            }
        }
        return { id: interfaceAttachmentId(inputs), outs };
    },

    async read(id, props) {
        const known = props?.interface ? props : interfaceAttachmentFromId(id);
        if (!known) throw operationError("read", KIND, id, "the id is not of the form NS/INTERFACE");
        let live;
        try {
            live = parseLink((await runnerFor(known.connection).run(cmd.show(known.interface), { netns: known.netns })).stdout);
        } catch (err) {
            if (!stderrMatches(err, DEVICE_GONE) && !stderrMatches(err, NETNS_GONE)) {
                throw operationError("read", KIND, known.interface, err, known.netns);
            }
        }
        if (!live) return { id: "", props: {} as InterfaceAttachmentOutputs }; // moved or removed out of band
        const current: InterfaceAttachmentOutputs = compact({
            ...known,
            up: live.up,
            mtu: known.mtu === undefined ? undefined : live.mtu,
        });
        const { originalUp: _u, originalMtu: _m, ...inputs } = current; // the original state is no input
        return { id, props: current, inputs };
    },

    async update(_id, olds, news) {
        const changes = attachmentChanges(olds, news);
        if (changes) {
            try {
                await runnerFor(news.connection).run(cmd.set(news.interface, changes), { netns: news.netns });
            } catch (err) {
                throw operationError("update", KIND, news.interface, err, news.netns);
            }
        }
        // The original state belongs to the device, not to the inputs: keep it.
        return { outs: compact({ ...news, originalUp: olds.originalUp, originalMtu: olds.originalMtu }) };
    },

    async delete(_id, props) {
        const runner = runnerFor(props.connection);
        const { interface: iface, netns } = props;
        try {
            await runner.run(cmd.moveOut(iface), { netns });
        } catch (err) {
            // Not there, or the namespace is gone: the kernel has already destroyed a virtual device
            // or returned a physical one (down, and renamed if its name was taken).
            if (stderrMatches(err, DEVICE_GONE) || stderrMatches(err, NETNS_GONE)) return;
            if (stderrMatches(err, NAME_TAKEN)) {
                throw operationError("delete", KIND, iface, explained(`the host namespace already has an interface named ` +
                    `"${iface}", so this one cannot return; rename or remove that one, then retry`, err), netns);
            }
            throw operationError("delete", KIND, iface, err, netns);
        }
        const restore = cmd.restore(props);
        if (!restore) return; // imported state: nothing recorded to restore
        try {
            await runner.run(restore);
        } catch (err) {
            throw operationError("delete", KIND, iface, explained("moved back to the host namespace, but restoring its MTU " +
                `and up state failed (a retry will not try again): ${err instanceof Error ? err.message : String(err)}`, err), netns);
        }
    },
};
