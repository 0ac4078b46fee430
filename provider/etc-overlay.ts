/**
 * EtcOverlayFile handlers, and the small API other resources (a strongSwan instance) use to
 * write many overlay files:
 *
 * - {@link writeOverlayFile}`(runner, spec, { exclusive })` creates or overwrites one entry under
 *   /etc/netns/NS, with the directories on the way and a placeholder in /etc if needed, and
 *   returns what it created. It is transactional: on failure it undoes its own work and throws.
 * - {@link removeOverlayFile}`(runner, spec, created)` removes the entry and prunes what is no
 *   longer needed. Already gone is success, so it can be repeated.
 * - {@link inspectOverlayFile}`(runner, spec)` reports the live entry (mode, owner, content hash).
 *
 * All file-system access runs through the command runner (argv only, content on stdin), so the
 * same code works on a remote target. Calls serialize per path with keyedLock, in a fixed order
 * (placeholder, then namespace directory, then /etc/netns), so concurrent handlers never deadlock.
 * Callers must not hold these locks themselves. The layout and ownership rules are described in
 * etc-overlay-plan.ts.
 */
import { randomBytes } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { operationError, stderrMatches } from "./errors";
import {
    EtcOverlayFileInputs, EtcOverlayFileOutputs, FileStat, OVERLAY_ROOT, OverlayConflict, OverlayCreated, OverlayKind,
    OverlayLayout, OverlaySpec, Probe, TMP_PREFIX, checkEtcOverlayFile, createdOf, diffEtcOverlayFile, etcOverlayOutputs,
    fileWriteSequence, isOwned, liveAccount, mentions, mergeCreated, overlayCommands as cmd, overlayLayout, parentOf, parseStat,
    planRemove, planWrite, probePaths, sha256,
} from "./etc-overlay-plan";
import { keyedLock, lockKey } from "./lock";
import { CommandRunner, runnerFor } from "./runner";

const KIND = "etcOverlayFile";

async function probe(runner: CommandRunner, paths: readonly string[]): Promise<Probe> {
    // Exit 1 means "some path is missing"; parseStat throws on anything but absence.
    const { stdout, stderr } = await runner.run(cmd.stat(paths), { okExitCodes: [0, 1] });
    return parseStat(stdout, stderr, paths);
}

const pathLock = (runner: CommandRunner, path: string) => lockKey(runner, "etc-overlay", path);

/**
 * Runs `work` holding the placeholder's and the namespace directory's locks, plus the /etc/netns
 * lock when the probe says the work may create or remove /etc/netns/NS (then probes again, since
 * /etc/netns may have changed while waiting).
 */
async function underLocks<T>(runner: CommandRunner, layout: OverlayLayout, needsRoot: (probe: Probe) => boolean,
    work: (probe: Probe) => Promise<T>): Promise<T> {
    const paths = probePaths(layout);
    return keyedLock(pathLock(runner, layout.counterpart), () => keyedLock(pathLock(runner, layout.nsDir), async () => {
        const first = await probe(runner, paths);
        if (!needsRoot(first)) return work(first);
        return keyedLock(pathLock(runner, OVERLAY_ROOT), async () => work(await probe(runner, paths)));
    }));
}

/**
 * Creates or overwrites one overlay entry; returns what it created (record it for
 * {@link removeOverlayFile}). With `exclusive`, an existing file is an error instead of being
 * overwritten. A file is written atomically and holds content only once it has its final mode and
 * owner (see `overlayCommands.createTemp`); a directory is created, or adopted if it exists, with
 * mode and owner set. Transactional: on failure, what this call created is removed again.
 */
export async function writeOverlayFile(runner: CommandRunner, spec: OverlaySpec,
    options: { exclusive?: boolean } = {}): Promise<OverlayCreated> {
    const layout = overlayLayout(spec);
    const made = { dirs: [] as string[], placeholders: [] as string[] };
    try {
        return await underLocks(runner, layout, (p) => p.get(layout.nsDir) === undefined,
            (found) => writeLocked(runner, layout, spec, found, options.exclusive ?? false, made));
    } catch (err) {
        if (err instanceof OverlayConflict) throw err; // refused before changing anything
        // The removal rules (under the proper locks) prune what this write made and what is marked,
        // if empty and unused: also a directory a concurrent write shares keeps working.
        await removeEntry(runner, spec, made, false).catch(() => undefined);
        throw err;
    }
}

async function writeLocked(runner: CommandRunner, layout: OverlayLayout, spec: OverlaySpec, found: Probe,
    exclusive: boolean, made: { dirs: string[]; placeholders: string[] }): Promise<OverlayCreated> {
    const plan = planWrite(layout, spec, found, exclusive);
    const { dirs, placeholders } = made;
    let tmp: string | undefined;
    let committed = false;
    try {
        if (plan.placeholder) {
            const { path, kind } = plan.placeholder;
            try {
                await runner.run(kind === "file" ? cmd.placeholderFile(path) : cmd.placeholderDir(path));
                placeholders.push(path);
            } catch (err) {
                // Appeared since the probe: someone else's, so neither marked nor ever removed by us.
                if (!stderrMatches(err, /File exists/)) throw err;
            }
        }
        if (plan.mkdirs.length > 0) {
            try {
                await runner.run(cmd.mkdirs(plan.mkdirs));
                dirs.push(...plan.mkdirs);
            } catch (err) {
                // mkdir goes on after a failed argument; those it names in stderr were not made.
                const stderr = (err as { stderr?: string }).stderr ?? "";
                dirs.push(...plan.mkdirs.filter((d) => !stderr.split("\n").some((l) => mentions(l, d))));
                throw err;
            }
        }
        if (spec.kind === "file") {
            tmp = `${parentOf(layout.target)}/${TMP_PREFIX}${randomBytes(6).toString("hex")}`;
            const [create, fill, commit] = fileWriteSequence(layout.target, tmp, spec);
            await runner.run(create);
            await runner.run(fill, { stdin: spec.content ?? "" });
            await runner.run(commit);
            tmp = undefined;
            committed = true;
        } else {
            await runner.run(cmd.ensureDir(layout.target, spec));
            if (!plan.targetExists) dirs.push(layout.target);
        }
        const stamp = [...plan.restamp, ...placeholders];
        if (stamp.length > 0) await runner.run(cmd.stamp(stamp));
        return { dirs, placeholders };
    } catch (err) {
        // Undo this write's own part, best effort; writeOverlayFile then prunes what is marked.
        const quietly = (argv: string[]) => runner.run(argv).then(() => undefined, () => undefined);
        if (tmp !== undefined) await quietly(cmd.removeFile(tmp));
        if (committed && !plan.targetExists) await quietly(cmd.removeFile(layout.target));
        if (spec.kind === "directory" && !plan.targetExists) await quietly(cmd.prune([layout.target]));
        // Marks on what we made and on the shared directories we changed: a concurrent write may
        // be using them by the time the cleanup runs, and must find them still marked as ours.
        const mark = [...plan.restamp, ...dirs.filter((d) => d !== layout.target), ...placeholders];
        if (mark.length > 0) await quietly(cmd.stamp([...new Set(mark)]));
        throw err;
    }
}

/**
 * Removes one overlay entry and whatever is no longer needed: empty marked directories under
 * /etc/netns (up to /etc/netns itself) and the placeholder in /etc once no /etc/netns/<any>/<entry>
 * refers to it. A directory entry is removed only if `created` lists it or it carries the mark; if
 * it is not empty (and `spec.removeContents` is off) it stays, marked, so the last overlay inside
 * it prunes it later. Already gone is success.
 */
export async function removeOverlayFile(runner: CommandRunner, spec: OverlaySpec, created: OverlayCreated): Promise<void> {
    await removeEntry(runner, spec, created, true);
}

async function removeEntry(runner: CommandRunner, spec: OverlaySpec, created: OverlayCreated, withEntry: boolean): Promise<void> {
    const layout = overlayLayout(spec);
    // Pruning /etc/netns/NS changes /etc/netns, which writes in other namespaces may be using.
    const mayPruneNsDir = (p: Probe) => isOwned(p.get(layout.nsDir)) || created.dirs.includes(layout.nsDir);
    await underLocks(runner, layout, mayPruneNsDir, async (found) => {
        const plan = planRemove(layout, spec, found, created);
        let handOver = false;
        if (!withEntry) {
            // Pruning only (after a failed write): the entry, if any, is not ours to remove.
        } else if (plan.target === "file") {
            await runner.run(cmd.removeFile(layout.target));
        } else if (plan.target === "tree") {
            await runner.run(cmd.removeTree(layout.target));
        } else if (plan.target === "dir") {
            try {
                await runner.run(cmd.removeDir(layout.target));
            } catch (err) {
                if (!stderrMatches(err, /Directory not empty/)) throw err;
                handOver = true; // other overlays (or a daemon's files) are inside
            }
        }
        if (plan.prune.length > 0) await runner.run(cmd.prune(plan.prune));
        const stamp = [...(handOver ? [layout.target] : []), ...plan.restamp];
        if (stamp.length > 0) await runner.run(cmd.stamp(stamp));
        if (plan.placeholder) await removePlaceholderIfUnused(runner, layout.entry, plan.placeholder);
    });
}

async function removePlaceholderIfUnused(runner: CommandRunner, entry: string,
    placeholder: { path: string; kind: OverlayKind }): Promise<void> {
    const refs = await runner.run(cmd.references(entry), { okExitCodes: [0, 1] });
    if (refs.exitCode !== 0 && !/No such file or directory/.test(refs.stderr)) {
        throw new Error(`could not look for other overlays of ${placeholder.path}: ${refs.stderr}`);
    }
    if (refs.stdout.trim() !== "") return; // another namespace's overlay still mounts over it
    if (placeholder.kind === "file") {
        await runner.run(cmd.removeFile(placeholder.path));
        return;
    }
    try {
        await runner.run(cmd.removeDir(placeholder.path));
    } catch (err) {
        // Someone put files into it: it is theirs now. Gone already: nothing to do.
        if (!stderrMatches(err, /Directory not empty|No such file or directory/)) throw err;
    }
}

/** The live state of an overlay entry, or undefined if it is gone. */
export interface LiveOverlay {
    readonly stat: FileStat;
    /** sha256 of the content for a regular file, else "". */
    readonly contentSha256: string;
    /** Whether /etc/<first component> is there to be mounted over (else the overlay has no effect). */
    readonly mounted: boolean;
}

export async function inspectOverlayFile(runner: CommandRunner, spec: Pick<OverlaySpec, "netns" | "path" | "kind">): Promise<LiveOverlay | undefined> {
    const layout = overlayLayout(spec);
    const { target } = layout;
    const found = await probe(runner, [layout.counterpart, target]);
    const stat = found.get(target);
    if (stat === undefined) return undefined;
    const counterpart = found.get(layout.counterpart);
    const mounted = counterpart !== undefined &&
        (counterpart.type === "symlink" || counterpart.type === (layout.counterpartIsDir ? "directory" : "file"));
    if (stat.type !== "file") return { stat, contentSha256: "", mounted };
    const result = await runner.run(cmd.sha256(target), { okExitCodes: [0, 1] });
    if (result.exitCode !== 0) {
        if (/No such file or directory/.test(result.stderr)) return undefined; // removed meanwhile
        throw new Error(`could not read ${target}: ${result.stderr}`);
    }
    return { stat, contentSha256: result.stdout.slice(0, 64), mounted };
}

function contentHash(inputs: EtcOverlayFileInputs): string {
    return inputs.kind === "file" ? sha256(inputs.content ?? "") : "";
}

export const etcOverlayFileProvider: dynamic.ResourceProvider<EtcOverlayFileInputs, EtcOverlayFileOutputs> = {
    async check(_olds, news) {
        return checkEtcOverlayFile(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffEtcOverlayFile(olds, news);
    },

    async create(inputs) {
        try {
            const created = await writeOverlayFile(runnerFor(inputs.connection), inputs, { exclusive: true });
            const outs = etcOverlayOutputs(inputs, created, contentHash(inputs));
            return { id: outs.overlayPath, outs };
        } catch (err) {
            throw operationError("create", KIND, inputs.path, err, inputs.netns);
        }
    },

    async read(id, props) {
        if (props === undefined) {
            throw operationError("read", KIND, id, "no stored state to read from; dynamic resources cannot be imported");
        }
        try {
            const live = await inspectOverlayFile(runnerFor(props.connection), props);
            if (live === undefined) return { id: "", props: {} as EtcOverlayFileOutputs }; // deleted out of band
            const { stat } = live;
            // No `inputs`: the desired content is not known here, and reading it back would put a
            // secret's plaintext into state. Diff compares against these props, so drift is still fixed.
            return {
                id,
                props: {
                    ...props,
                    kind: stat.type === "directory" ? "directory" : stat.type === "file" ? "file" : props.kind,
                    mode: stat.mode,
                    owner: liveAccount(props.owner, stat.uid, stat.user),
                    group: liveAccount(props.group, stat.gid, stat.groupName),
                    contentSha256: live.contentSha256,
                    mounted: live.mounted,
                },
            };
        } catch (err) {
            throw operationError("read", KIND, props.path, err, props.netns);
        }
    },

    async update(_id, olds, news) {
        try {
            const created = await writeOverlayFile(runnerFor(news.connection), news);
            return { outs: etcOverlayOutputs(news, mergeCreated(createdOf(olds), created), contentHash(news)) };
        } catch (err) {
            throw operationError("update", KIND, news.path, err, news.netns);
        }
    },

    async delete(_id, props) {
        try {
            await removeOverlayFile(runnerFor(props.connection), props, createdOf(props));
        } catch (err) {
            throw operationError("delete", KIND, props.path, err, props.netns);
        }
    },
};
