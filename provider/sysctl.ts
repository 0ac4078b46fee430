/**
 * Sysctl handlers: set a `net.*` setting inside a namespace and put the old value back on delete.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { operationError, stderrMatches } from "./errors";
import { keyedLock, lockKey } from "./lock";
import { CommandRunner, runnerFor } from "./runner";
import {
    SYSCTL_GONE, SysctlInputs, SysctlOutputs, checkSysctl, diffSysctl, normalizeValue, sysctlCommands as cmd,
} from "./sysctl-plan";

const KIND = "sysctl";

/**
 * Read-then-write of one setting (a checked, dotted key) must not interleave with another
 * handler's; Address writes promote_secondaries under this key too.
 */
export const sysctlLock = (runner: CommandRunner, netns: string, key: string) => lockKey(runner, "sysctl", netns, key);

async function readValue(runner: CommandRunner, inputs: SysctlInputs): Promise<string> {
    const { stdout } = await runner.run(cmd.read(inputs.key), { netns: inputs.netns });
    return normalizeValue(stdout);
}

async function writeValue(runner: CommandRunner, inputs: SysctlInputs, value: string): Promise<void> {
    await runner.run(cmd.write(inputs.key), { netns: inputs.netns, stdin: value });
}

export const sysctlProvider: dynamic.ResourceProvider<SysctlInputs, SysctlOutputs> = {
    async check(_olds, news) {
        return checkSysctl(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffSysctl(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        return keyedLock(sysctlLock(runner, inputs.netns, inputs.key), async () => {
            let previousValue: string;
            try {
                previousValue = await readValue(runner, inputs);
            } catch (err) {
                if (stderrMatches(err, SYSCTL_GONE) && !stderrMatches(err, /Cannot open network namespace/)) {
                    throw operationError("create", KIND, inputs.key,
                        `the namespace has no such setting; check the key with \`ip netns exec ${inputs.netns} sysctl -a\``,
                        inputs.netns);
                }
                throw operationError("create", KIND, inputs.key, err, inputs.netns);
            }
            try {
                // The only change create makes: if it fails, the kernel kept the old value.
                if (previousValue !== inputs.value) await writeValue(runner, inputs, inputs.value);
            } catch (err) {
                throw operationError("create", KIND, inputs.key, err, inputs.netns);
            }
            return { id: `${inputs.netns}/${inputs.key}`, outs: { ...inputs, previousValue } };
        });
    },

    async read(id, props) {
        if (!props) throw operationError("read", KIND, id, "no stored state to read from; import is not supported");
        try {
            const value = await readValue(runnerFor(props.connection), props);
            const outs: SysctlOutputs = { ...props, value };
            const { previousValue: _output, ...inputs } = outs;
            return { id, props: outs, inputs };
        } catch (err) {
            if (stderrMatches(err, SYSCTL_GONE)) return { id: "", props: {} as SysctlOutputs }; // namespace or interface gone
            throw operationError("read", KIND, props.key, err, props.netns);
        }
    },

    async update(_id, olds, news) {
        const runner = runnerFor(news.connection);
        await keyedLock(sysctlLock(runner, news.netns, news.key), async () => {
            try {
                await writeValue(runner, news, news.value);
            } catch (err) {
                throw operationError("update", KIND, news.key, err, news.netns);
            }
        });
        // The value to restore stays the one found before this resource first wrote.
        return { outs: { ...news, previousValue: olds.previousValue } };
    },

    async delete(_id, props) {
        if (props.previousValue === undefined) return; // nothing recorded, nothing to restore
        const runner = runnerFor(props.connection);
        try {
            await keyedLock(sysctlLock(runner, props.netns, props.key), () => writeValue(runner, props, props.previousValue!));
        } catch (err) {
            if (stderrMatches(err, SYSCTL_GONE)) return; // the namespace (or the interface) is gone, and the setting with it
            throw operationError("delete", KIND, props.key, err, props.netns);
        }
    },
};
