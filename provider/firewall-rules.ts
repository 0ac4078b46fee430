/**
 * FirewallRules handlers: one nftables table inside a namespace, created, replaced and deleted
 * in single nft transactions. Other tables of the namespace are never touched.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { operationError, stderrMatches } from "./errors";
import {
    CREATE_BODY_OFFSET, FirewallRulesInputs, FirewallRulesOutputs, NFT_TABLE_GONE, REPLACE_BODY_OFFSET,
    bodyPositions, checkFirewallRules, createScript, diffFirewallRules, fingerprintOf,
    firewallCommands as cmd, replaceScript, tableContents,
} from "./firewall-rules-plan";
import { keyedLock, lockKey } from "./lock";
import { CommandError, CommandRunner, runnerFor } from "./runner";

const KIND = "firewallRules";

const label = (t: FirewallRulesInputs) => `${t.family} ${t.table}`;
/** nft transactions are atomic, but create-then-list and rollback must not interleave in one namespace. */
const nftLock = (runner: CommandRunner, t: FirewallRulesInputs) => lockKey(runner, "nft", t.netns);

/** nft's message with body positions the user can find, the command details kept as the cause. */
function nftFailure(err: unknown, offset: number): unknown {
    // Only nft's own parse/commit errors carry positions; "no such namespace" and the like pass as they are.
    if (!(err instanceof CommandError) || !/\/dev\/stdin:\d+/.test(err.stderr)) return err;
    return new Error(`nft rejected the ruleset: ${bodyPositions(err.stderr, offset)}`, { cause: err });
}

async function listTable(runner: CommandRunner, t: FirewallRulesInputs): Promise<string> {
    return (await runner.run(cmd.list(t.family, t.table), { netns: t.netns })).stdout;
}

export const firewallRulesProvider: dynamic.ResourceProvider<FirewallRulesInputs, FirewallRulesOutputs> = {
    async check(_olds, news) {
        return checkFirewallRules(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffFirewallRules(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        return keyedLock(nftLock(runner, inputs), async () => {
            try {
                await runner.run(cmd.apply(), { netns: inputs.netns, stdin: createScript(inputs) });
            } catch (err) {
                // The transaction failed as a whole: nothing to roll back.
                if (stderrMatches(err, /File exists/) && stderrMatches(err, /^create table/m)) {
                    throw operationError("create", KIND, label(inputs),
                        "a table with this family and name already exists in the namespace and is not managed by this " +
                        "resource; choose another table name, or delete it first with " +
                        `\`ip netns exec ${inputs.netns} nft delete table ${label(inputs)}\``, inputs.netns);
                }
                throw operationError("create", KIND, label(inputs), nftFailure(err, CREATE_BODY_OFFSET), inputs.netns);
            }
            try {
                const fingerprint = fingerprintOf(await listTable(runner, inputs));
                return { id: `${inputs.netns}/${label(inputs)}`, outs: { ...inputs, fingerprint } };
            } catch (err) {
                // Transactional create: without a fingerprint the table would be unmanaged, so it goes.
                await runner.run(cmd.delete(inputs.family, inputs.table), { netns: inputs.netns }).catch(() => undefined);
                throw operationError("create", KIND, label(inputs), err, inputs.netns);
            }
        });
    },

    async read(id, props) {
        if (!props) throw operationError("read", KIND, id, "no stored state to read from; import is not supported");
        let listing: string;
        try {
            listing = await listTable(runnerFor(props.connection), props);
        } catch (err) {
            if (stderrMatches(err, NFT_TABLE_GONE)) return { id: "", props: {} as FirewallRulesOutputs }; // table or namespace gone
            throw operationError("read", KIND, label(props), err, props.netns);
        }
        const fingerprint = fingerprintOf(listing);
        // State from before fingerprints cannot tell drift: adopt the live fingerprint as the baseline.
        const drifted = props.fingerprint !== undefined && props.fingerprint !== fingerprint;
        // On drift the body becomes what nft lists, so the next `up` shows the difference and re-applies.
        const outs: FirewallRulesOutputs = { ...props, fingerprint, ...(drifted ? { body: tableContents(listing) } : {}) };
        const { fingerprint: _output, ...inputs } = outs;
        return { id, props: outs, inputs };
    },

    async update(_id, olds, news) {
        const runner = runnerFor(news.connection);
        return keyedLock(nftLock(runner, news), async () => {
            if (olds.body === news.body) return { outs: { ...news, fingerprint: olds.fingerprint } };
            try {
                await runner.run(cmd.apply(), { netns: news.netns, stdin: replaceScript(news) });
            } catch (err) {
                throw operationError("update", KIND, label(news), nftFailure(err, REPLACE_BODY_OFFSET), news.netns);
            }
            try {
                return { outs: { ...news, fingerprint: fingerprintOf(await listTable(runner, news)) } };
            } catch (err) {
                throw operationError("update", KIND, label(news), err, news.netns);
            }
        });
    },

    async delete(_id, props) {
        const runner = runnerFor(props.connection);
        try {
            await keyedLock(nftLock(runner, props), () =>
                runner.run(cmd.delete(props.family, props.table), { netns: props.netns }));
        } catch (err) {
            if (stderrMatches(err, NFT_TABLE_GONE)) return; // already gone, or its namespace is
            throw operationError("delete", KIND, label(props), err, props.netns);
        }
    },
};
