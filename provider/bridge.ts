/**
 * Bridge handlers: a bridge device in a namespace and the ports enslaved to it, each create or
 * update done by one `ip -n NS -batch -` process.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    BRIDGE_GONE, BridgeInputs, BridgeOutputs, bridgeCommands as cmd,
    checkBridge, createBatch, diffBridge, failedBatchLine, liveOutputs, parseBridge, updateBatch,
} from "./bridge-plan";
import { operationError, stderrMatches } from "./errors";
import { keyedLock, lockKey } from "./lock";
import { CommandError, CommandRunner, runnerFor } from "./runner";

const KIND = "bridge";

/** Serializes the handlers of one bridge: update and delete read the live bridge, then change it. */
const bridgeLock = (runner: CommandRunner, inputs: BridgeInputs) => lockKey(runner, "bridge", inputs.netns, inputs.name);

async function showLive(runner: CommandRunner, inputs: BridgeInputs) {
    const { stdout } = await runner.run(cmd.show(), { netns: inputs.netns });
    return parseBridge(stdout, inputs.name);
}

export const bridgeProvider: dynamic.ResourceProvider<BridgeInputs, BridgeOutputs> = {
    async check(_olds, news) {
        return checkBridge(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffBridge(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        await keyedLock(bridgeLock(runner, inputs), async () => {
            try {
                await runner.run(cmd.batch(), { netns: inputs.netns, stdin: createBatch(inputs) });
            } catch (err) {
                const stderr = err instanceof CommandError ? err.stderr : "";
                const line = failedBatchLine(stderr);
                if (line === 1 && /File exists/.test(stderr)) {
                    throw operationError("create", KIND, inputs.name,
                        "an interface with this name already exists in the namespace and is not managed by this " +
                        "resource; choose another name, or delete it first with " +
                        `\`ip -n ${inputs.netns} link delete ${inputs.name}\``, inputs.netns);
                }
                // Transactional create: deleting the bridge also releases the ports it got. Only a failure after
                // line 1 (`link add`) proves the bridge is ours; without a line (timeout, namespace gone) the
                // name may belong to someone else's device.
                if (line !== undefined && line > 1) {
                    await runner.run(cmd.delete(inputs.name), { netns: inputs.netns }).catch(() => undefined);
                }
                throw operationError("create", KIND, inputs.name, err, inputs.netns);
            }
        });
        return { id: `${inputs.netns}/${inputs.name}`, outs: inputs };
    },

    async read(id, props) {
        if (!props) throw operationError("read", KIND, id, "no stored state to read from; import is not supported");
        try {
            const live = await showLive(runnerFor(props.connection), props);
            if (!live) return { id: "", props: {} as BridgeOutputs }; // deleted (or replaced) out of band
            const outs = liveOutputs(props, live);
            return { id, props: outs, inputs: outs };
        } catch (err) {
            if (stderrMatches(err, BRIDGE_GONE)) return { id: "", props: {} as BridgeOutputs };
            throw operationError("read", KIND, props.name, err, props.netns);
        }
    },

    async update(_id, _olds, news) {
        const runner = runnerFor(news.connection);
        await keyedLock(bridgeLock(runner, news), async () => {
            try {
                const live = await showLive(runner, news);
                if (!live) throw new Error("the bridge is gone; run `pulumi refresh` so it is created again");
                const script = updateBatch(live, news);
                if (script) await runner.run(cmd.batch(), { netns: news.netns, stdin: script });
            } catch (err) {
                throw operationError("update", KIND, news.name, err, news.netns);
            }
        });
        return { outs: news };
    },

    async delete(_id, props) {
        const runner = runnerFor(props.connection);
        await keyedLock(bridgeLock(runner, props), async () => {
            try {
                // A device of another kind under this name is someone else's: ours is already gone.
                if (!(await showLive(runner, props))) return;
                // Only the bridge goes; its ports are released and stay in the namespace.
                await runner.run(cmd.delete(props.name), { netns: props.netns });
            } catch (err) {
                if (stderrMatches(err, BRIDGE_GONE)) return; // already gone, or its namespace is
                throw operationError("delete", KIND, props.name, err, props.netns);
            }
        });
    },
};
