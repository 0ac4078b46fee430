/**
 * Address handlers: add, read and delete an IPv4 or IPv6 address on an interface in a namespace.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    ADDRESS_GONE, ADDRESS_TAKEN, AddressInputs, AddressOutputs,
    addressCommands as cmd, addressFromId, cidrFamily, addressId, addressOutputs, addressPresent, checkAddress, diffAddress,
} from "./address-plan";
import { operationError, stderrMatches } from "./errors";
import { DEVICE_GONE, NETNS_GONE, compact, explained } from "./linkstate";
import { keyedLock } from "./lock";
import { CommandRunner, runnerFor } from "./runner";
import { sysctlLock } from "./sysctl";
import { ipv4ConfKey, sysctlCommands } from "./sysctl-plan";

const KIND = "address";

/**
 * Sets promote_secondaries=1 on the interface, as a Sysctl resource writes it (and under its lock):
 * deleting an IPv4 primary then keeps the other addresses of its subnet, where the kernel's
 * default deletes them with it. One Address must never remove another's address.
 */
async function promoteSecondaries(runner: CommandRunner, { interface: iface, netns }: AddressInputs): Promise<void> {
    const key = ipv4ConfKey(iface, "promote_secondaries");
    await keyedLock(sysctlLock(runner, netns, key), () =>
        runner.run(sysctlCommands.write(key), { netns, stdin: "1\n" }));
}

/** Why `ip address add` failed, in the user's terms. */
function explainAdd(err: unknown, { cidr, interface: iface, netns }: AddressInputs): unknown {
    if (stderrMatches(err, ADDRESS_TAKEN)) {
        return explained(`"${iface}" already has ${cidr}, and this resource does not adopt it; remove it with ` +
            `\`ip -n ${netns} address delete ${cidr} dev ${iface}\` or drop this resource`, err);
    }
    if (stderrMatches(err, DEVICE_GONE)) {
        return explained(`there is no interface "${iface}" in netns "${netns}"; create or attach it first ` +
            "(a VethPair or InterfaceAttachment) and pass its name", err);
    }
    if (stderrMatches(err, NETNS_GONE)) {
        return explained(`network namespace "${netns}" does not exist; create it first (a Namespace resource)`, err);
    }
    return err;
}

export const addressProvider: dynamic.ResourceProvider<AddressInputs, AddressOutputs> = {
    async check(_olds, news) {
        return checkAddress(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffAddress(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        try {
            if (cidrFamily(inputs.cidr) === 4) {
                // A missing interface or namespace fails just below with a better message.
                await promoteSecondaries(runner, inputs).catch(() => undefined);
            }
            // One call: it either adds the address or changes nothing.
            await runner.run(cmd.add(inputs), { netns: inputs.netns });
        } catch (err) {
            throw operationError("create", KIND, inputs.cidr, explainAdd(err, inputs), inputs.netns);
        }
        return { id: addressId(inputs), outs: addressOutputs(inputs) };
    },

    async read(id, props) {
        const known = props?.cidr ? props : addressFromId(id);
        if (!known) throw operationError("read", KIND, id, "the id is not of the form NS/INTERFACE/ADDRESS/PREFIX");
        try {
            const { stdout } = await runnerFor(known.connection).run(cmd.show(known), { netns: known.netns });
            if (addressPresent(stdout, known.cidr)) {
                // Everything is identity: present means as declared, so the inputs stay as they are.
                const outs = addressOutputs(compact({
                    cidr: known.cidr, interface: known.interface, netns: known.netns, connection: known.connection,
                }));
                return props ? { id, props: outs } : { id, props: outs, inputs: outs }; // import needs inputs

            }
        } catch (err) {
            if (!stderrMatches(err, DEVICE_GONE) && !stderrMatches(err, NETNS_GONE)) {
                throw operationError("read", KIND, known.cidr, err, known.netns);
            }
        }
        return { id: "", props: {} as AddressOutputs }; // removed out of band, with its interface, or its namespace
    },

    async update(_id, _olds, news) {
        // Every input is identity (diff replaces), so there is never anything to do in place.
        return { outs: addressOutputs(news) };
    },

    async delete(_id, props) {
        try {
            await runnerFor(props.connection).run(cmd.delete(props), { netns: props.netns });
        } catch (err) {
            if (stderrMatches(err, ADDRESS_GONE) || stderrMatches(err, DEVICE_GONE) || stderrMatches(err, NETNS_GONE)) {
                return; // already gone, with its interface, or with its namespace
            }
            throw operationError("delete", KIND, props.cidr, err, props.netns);
        }
    },
};
