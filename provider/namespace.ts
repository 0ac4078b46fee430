/**
 * Namespace handlers: create, read, update and delete a named network namespace on the target.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { operationError, stderrMatches } from "./errors";
import { NETNS_GONE } from "./linkstate";
import { keyedLock, lockKey } from "./lock";
import {
    NamespaceInputs, NamespaceOutputs,
    checkNamespace, diffNamespace, loopbackIsUp, namespaceCommands as cmd, namespaceOutputs,
} from "./namespace-plan";
import { runnerFor } from "./runner";

const KIND = "namespace";

export const namespaceProvider: dynamic.ResourceProvider<NamespaceInputs, NamespaceOutputs> = {
    async check(_olds, news) {
        return checkNamespace(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffNamespace(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        // iproute2 makes /run/netns a shared mount on first use; concurrent first adds race on it.
        await keyedLock(lockKey(runner, "ip netns add"), async () => {
            try {
                await runner.run(cmd.add(inputs.name));
            } catch (err) {
                if (stderrMatches(err, /File exists/)) {
                    throw operationError("create", KIND, inputs.name,
                        "a network namespace with this name already exists on the host and is not managed by " +
                        "this resource; choose another name, or delete it first with `ip netns delete " +
                        `${inputs.name}\``);
                }
                throw operationError("create", KIND, inputs.name, err);
            }
        });
        if (inputs.loopbackUp) {
            try {
                await runner.run(cmd.setLoopback(true), { netns: inputs.name });
            } catch (err) {
                // Transactional create: nothing may exist when create fails.
                await runner.run(cmd.delete(inputs.name)).catch(() => undefined);
                throw operationError("create", KIND, inputs.name, err);
            }
        }
        return { id: inputs.name, outs: namespaceOutputs(inputs) };
    },

    async read(id, props) {
        const name = props?.name ?? id;
        try {
            const { stdout } = await runnerFor(props?.connection).run(cmd.showLoopback(), { netns: name });
            const live = namespaceOutputs({ name, loopbackUp: loopbackIsUp(stdout) });
            return { id, props: live, inputs: live };
        } catch (err) {
            if (stderrMatches(err, NETNS_GONE)) {
                return { id: "", props: {} as NamespaceOutputs }; // deleted out of band
            }
            throw operationError("read", KIND, name, err);
        }
    },

    async update(_id, olds, news) {
        if (olds.loopbackUp !== news.loopbackUp) {
            try {
                await runnerFor(news.connection).run(cmd.setLoopback(news.loopbackUp), { netns: news.name });
            } catch (err) {
                throw operationError("update", KIND, news.name, err);
            }
        }
        return { outs: namespaceOutputs(news) };
    },

    async delete(_id, props) {
        try {
            await runnerFor(props.connection).run(cmd.delete(props.name));
        } catch (err) {
            if (stderrMatches(err, NETNS_GONE)) return; // already gone
            throw operationError("delete", KIND, props.name, err);
        }
    },
};
