/**
 * VethPair handlers: create, read, update and delete a veth pair whose ends may live in different
 * namespaces on the target.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { operationError, stderrMatches } from "./errors";
import { DEVICE_GONE, LinkState, explained, NETNS_ARG_INVALID, NETNS_GONE, compact, parseLink, where } from "./linkstate";
import { CommandRunner, runnerFor } from "./runner";
import {
    VethEnd, VethPairInputs, VethPairOutputs,
    checkVethPair, diffVethPair, endChanges, vethPairCommands as cmd, vethPairFromId, vethPairId,
} from "./veth-pair-plan";

const KIND = "vethPair";

/** Shown as end b's namespace when b is no longer in the namespace it was created in. */
const PEER_ELSEWHERE = "(moved out of its namespace)";

/** Why `ip link add` failed, in the user's terms. */
function explainAdd(err: unknown, { a, b }: VethPairInputs): unknown {
    if (stderrMatches(err, /File exists/)) {
        return explained(`an interface named "${a.name}" (in ${where(a.netns)}) or "${b.name}" (in ${where(b.netns)}) ` +
            "already exists and is not managed by this resource; choose other names, or delete it first", err);
    }
    if (stderrMatches(err, NETNS_ARG_INVALID)) {
        const names = [a.netns, b.netns].filter((n) => n !== undefined).map((n) => `"${n}"`).join(" or ");
        return explained(`network namespace ${names} does not exist; create it first (a Namespace resource) and pass its name`, err);
    }
    return err;
}

/** The live state of one end, or undefined when it (or its namespace) is gone. */
async function probe(runner: CommandRunner, end: VethEnd): Promise<LinkState | undefined> {
    try {
        return parseLink((await runner.run(cmd.show(end.name), { netns: end.netns })).stdout);
    } catch (err) {
        if (stderrMatches(err, DEVICE_GONE) || stderrMatches(err, NETNS_GONE)) return undefined;
        throw operationError("read", KIND, end.name, err, end.netns);
    }
}

/** How long create waits for the kernel to remove veth ends whose peer's namespace was deleted. */
const DYING_VETH_WAIT_MS = 10_000;

/**
 * Deleting a namespace removes the veth ends in it at once, but their peers elsewhere only when the
 * kernel's namespace cleanup runs, seconds later. When create finds our names held by veths, it waits
 * for them to go (true) — a re-create right after `refresh` saw the pair gone would fail otherwise.
 * Anything else holding a name, or a veth that stays, is reported (false).
 */
async function dyingVethsGone(runner: CommandRunner, { a, b }: VethPairInputs): Promise<boolean> {
    const deadline = Date.now() + DYING_VETH_WAIT_MS;
    for (;;) {
        const held = (await Promise.all([probe(runner, a), probe(runner, b)])).filter((l) => l !== undefined);
        if (held.length === 0) return true;
        if (held.some((l) => l.kind !== "veth") || Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** The end as it is: `up` always, mtu and mac only where the inputs manage them. */
function liveEnd(end: VethEnd, live: LinkState): VethEnd {
    return compact({
        ...end,
        up: live.up,
        mtu: end.mtu === undefined ? undefined : live.mtu,
        mac: end.mac === undefined ? undefined : live.mac,
    });
}

export const vethPairProvider: dynamic.ResourceProvider<VethPairInputs, VethPairOutputs> = {
    async check(_olds, news) {
        return checkVethPair(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffVethPair(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        const { a, b } = inputs;
        const add = () => runner.run(cmd.add(a, b));
        try {
            await add().catch(async (err: unknown) => {
                if (!stderrMatches(err, /File exists/) || !(await dyingVethsGone(runner, inputs))) throw err;
                await add();
            });
        } catch (err) {
            throw operationError("create", KIND, a.name, explainAdd(err, inputs), a.netns);
        }
        for (const end of [a, b]) {
            if (!end.up) continue; // a new veth end starts down
            try {
                await runner.run(cmd.set(end.name, { up: true }), { netns: end.netns });
            } catch (err) {
                // Transactional create: deleting one end removes the pair.
                await runner.run(cmd.delete(a.name), { netns: a.netns }).catch(() => undefined);
                throw operationError("create", KIND, end.name, err, end.netns);
            }
        }
        return { id: vethPairId(inputs), outs: inputs };
    },

    async read(id, props) {
        const known = props?.a && props?.b ? props : vethPairFromId(id);
        if (!known) throw operationError("read", KIND, id, "the id is not of the form NS/NAME:NS/NAME");
        const runner = runnerFor(known.connection);
        const [la, lb] = await Promise.all([probe(runner, known.a), probe(runner, known.b)]);
        // End `a` alone: its peer left b's namespace. That happens when the namespace lost its name
        // (`ip netns delete`) while a process (a charon) keeps it alive. The pair exists, elsewhere:
        // report b's namespace as changed, so the next up replaces the pair (deleting `a` first).
        if (la?.kind === "veth" && !lb) {
            const moved = { ...known, b: { ...known.b, netns: PEER_ELSEWHERE } };
            return { id, props: moved, inputs: moved };
        }
        // Either end missing, or not a veth any more, means the pair as declared is gone.
        if (!la || !lb || la.kind !== "veth" || lb.kind !== "veth") {
            return { id: "", props: {} as VethPairOutputs };
        }
        const live: VethPairOutputs = { ...known, a: liveEnd(known.a, la), b: liveEnd(known.b, lb) };
        return { id, props: live, inputs: live };
    },

    async update(_id, olds, news) {
        const runner = runnerFor(news.connection);
        for (const key of ["a", "b"] as const) {
            const end = news[key];
            const changes = endChanges(olds[key], end);
            if (!changes) continue;
            try {
                await runner.run(cmd.set(end.name, changes), { netns: end.netns });
            } catch (err) {
                throw operationError("update", KIND, end.name, err, end.netns);
            }
        }
        return { outs: news };
    },

    async delete(_id, props) {
        const { a } = props;
        const runner = runnerFor(props.connection);
        try {
            // A device of another kind under this name is someone else's: ours is already gone.
            const live = parseLink((await runner.run(cmd.show(a.name), { netns: a.netns })).stdout);
            if (live?.kind !== "veth") return;
            await runner.run(cmd.delete(a.name), { netns: a.netns });
        } catch (err) {
            // Gone, or its namespace is: the kernel has removed (or is removing) the peer too.
            // The other end is never deleted by name: if `a` is gone, that name may belong to someone else.
            if (stderrMatches(err, DEVICE_GONE) || stderrMatches(err, NETNS_GONE)) return;
            throw operationError("delete", KIND, a.name, err, a.netns);
        }
    },
};
