/**
 * StrongSwan handlers: one charon per network namespace, configured through /etc/netns/NS
 * overlay files (written with etc-overlay.ts) and driven with swanctl over vici.
 *
 * Every operation on a namespace's charon runs under one keyedLock: starting a second charon
 * where one is alive breaks the live one (it takes over the vici socket), so "is one running?"
 * and "start one" must not interleave. Secrets never leave the process except on the stdin of
 * the file write; errors are scrubbed of them before they are thrown.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    CharonBuild, VICI_DOWN_EXIT_CODES, VICI_WAIT, charonCommands as charon, charonLiveness, charonPaths, isCharonExe,
    parseListConns, parseListSas, parsePidFile,
} from "./charon-plan";
import { operationError, stderrMatches } from "./errors";
import { inspectOverlayFile, removeOverlayFile, writeOverlayFile } from "./etc-overlay";
import { OverlayCreated, OverlaySpec, createdOf, mergeCreated } from "./etc-overlay-plan";
import { NETNS_GONE } from "./linkstate";
import { keyedLock, lockKey } from "./lock";
import { CommandRunner, runnerFor } from "./runner";
import {
    INITIATE, STOP, StrongSwanInputs, StrongSwanOutputs, charonBuild, checkStrongSwan, connectionOfChild, diffStrongSwan,
    hasOverlayOf, installedChildren, isAnyCharon, overlaySpecs, parseExes, planStrongSwanUpdate,
    renderInputs, strongSwanCommands as sw, strongSwanOutputs, swanctlMessage,
} from "./strongswan-plan";
import { VICI_SOCKET_URI, pskValue } from "./strongswan-render";

const KIND = "strongSwan";
const ANY_EXIT = Array.from({ length: 256 }, (_, i) => i);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One namespace's charon on one host. */
interface Daemon {
    readonly runner: CommandRunner;
    readonly netns: string;
    readonly build: CharonBuild;
    readonly paths: ReturnType<typeof charonPaths>;
}

function daemon(runner: CommandRunner, props: Pick<StrongSwanInputs, "netns" | "build" | "charonPath">): Daemon {
    return { runner, netns: props.netns, build: charonBuild(props), paths: charonPaths(props.netns) };
}

const withLock = <T>(d: Pick<Daemon, "runner" | "netns">, work: () => Promise<T>) =>
    keyedLock(lockKey(d.runner, "strongswan", d.netns), work);

/**
 * What the pid file says, checked against the process: `running` in this namespace; `orphan`: our
 * charon, whose namespace was deleted under it (it still holds it, nameless); `stale`: a leftover
 * pid file; `absent`: none.
 */
type Found = { state: "running" | "orphan"; pid: number } | { state: "stale" | "absent" };

async function find(d: Daemon): Promise<Found> {
    const { runner, netns, build, paths } = d;
    const pidFile = await runner.run(charon.readPidFile(paths), { okExitCodes: [0, 1] });
    if (pidFile.exitCode !== 0) return { state: "absent" };
    const pid = parsePidFile(pidFile.stdout);
    if (pid === undefined) return { state: "stale" };
    const exe = await runner.run(charon.exe(pid), { okExitCodes: [0, 1] });
    if (exe.exitCode !== 0 || !isCharonExe(exe.stdout, build)) return { state: "stale" };
    const identify = await runner.run(charon.identify(pid), { okExitCodes: [0, 1] });
    const live = charonLiveness(netns, build, { pidFile: pidFile.stdout, identify: identify.stdout, exe: exe.stdout });
    if (live.state === "running") return { state: "running", pid: live.pid };
    const mounts = await runner.run(sw.mountinfo(pid), { okExitCodes: [0, 1] });
    return mounts.exitCode === 0 && hasOverlayOf(mounts.stdout, netns) ? { state: "orphan", pid } : { state: "stale" };
}

/** Pids of every charon (any build) in the namespace; throws a clear error if the namespace is gone. */
async function charonsInNamespace(d: Daemon): Promise<number[]> {
    let stdout: string;
    try {
        ({ stdout } = await d.runner.run(sw.netnsPids(d.netns)));
    } catch (err) {
        if (stderrMatches(err, NETNS_GONE)) {
            throw new Error(`network namespace "${d.netns}" does not exist on ${d.runner.target}; create it first ` +
                `(a Namespace resource): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        throw operationError("list the processes of", "namespace", d.netns, err);
    }
    const pids = stdout.split("\n").map((l) => Number(l.trim())).filter((n) => Number.isSafeInteger(n) && n > 0);
    const found: number[] = [];
    for (let i = 0; i < pids.length; i += 200) {
        const exes = await d.runner.run(sw.exes(pids.slice(i, i + 200)), { okExitCodes: [0, 1] });
        for (const [pid, exe] of parseExes(exes.stdout)) if (isAnyCharon(exe)) found.push(pid);
    }
    return found;
}

/** Waits until /proc/PID/exe no longer names charon (zombies count as gone: they hold nothing). */
async function exited(d: Daemon, pid: number, withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    for (;;) {
        const exe = await d.runner.run(charon.exe(pid), { okExitCodes: [0, 1] });
        if (exe.exitCode !== 0 || !isCharonExe(exe.stdout, d.build)) return true;
        if (Date.now() > deadline) return false;
        await sleep(STOP.pollMs);
    }
}

/** Stops the namespace's charon (TERM, then KILL) and removes its stale pid file and socket. */
async function stop(d: Daemon): Promise<void> {
    const found = await find(d);
    if (found.state === "running" || found.state === "orphan") {
        await d.runner.run(charon.signal(found.pid, "TERM"), { okExitCodes: [0, 1] });
        if (!(await exited(d, found.pid, STOP.termWaitMs))) {
            await d.runner.run(charon.signal(found.pid, "KILL"), { okExitCodes: [0, 1] });
            if (!(await exited(d, found.pid, STOP.killWaitMs))) {
                throw new Error(`charon (pid ${found.pid}) did not exit after TERM and KILL`);
            }
        }
    }
    if (found.state !== "absent") await d.runner.run(sw.removeStale(d.netns));
}

/** Starts charon; the caller holds the lock and has stopped ours. Returns the new pid. */
async function start(d: Daemon): Promise<number> {
    const others = await charonsInNamespace(d);
    if (others.length > 0) {
        throw new Error(`a charon not managed by this resource is running in the namespace (pid ${others.join(", ")}); ` +
            "stop it first: a second charon would take over its vici socket and ports");
    }
    const exists = await d.runner.run(sw.charonExists(d.build.charon ?? ""), { okExitCodes: [0, 1] });
    if (exists.exitCode !== 0) {
        throw new Error(`${d.build.charon} is not an executable on ${d.runner.target}; install strongSwan ` +
            "(Debian: strongswan-charon and strongswan-swanctl), or set charonPath");
    }
    await d.runner.run(sw.removeStale(d.netns));
    await d.runner.run(charon.start(d.build), { netns: d.netns });
    await waitForVici(d);
    // vici answers only once charon's workers run, which is after it wrote its pid file.
    const found = await find(d);
    if (found.state !== "running") {
        throw new Error(`charon answers on ${VICI_SOCKET_URI}, but ${d.paths.pidFile} names no charon in the namespace`);
    }
    return found.pid;
}

async function waitForVici(d: Daemon): Promise<void> {
    const deadline = Date.now() + VICI_WAIT.timeoutMs;
    for (;;) {
        const stats = await d.runner.run(charon.stats(), { netns: d.netns, okExitCodes: [0, ...VICI_DOWN_EXIT_CODES] });
        if (stats.exitCode === 0) return;
        if (Date.now() > deadline) {
            const log = await d.runner.run(sw.logTail(d.netns), { okExitCodes: [0, 1] }).catch(() => undefined);
            const tail = log?.stdout.trim().split("\n").join(" | ") || "(empty)";
            throw new Error(`charon did not answer on ${VICI_SOCKET_URI} within ${VICI_WAIT.timeoutMs / 1000} s; ` +
                `end of ${d.paths.logFile}: ${tail}`);
        }
        await sleep(VICI_WAIT.intervalMs);
    }
}

/** Connection names charon has loaded, or undefined when vici does not answer. */
async function loadedConnections(d: Daemon): Promise<string[] | undefined> {
    const r = await d.runner.run(charon.listConns(), { netns: d.netns, okExitCodes: [0, ...VICI_DOWN_EXIT_CODES] });
    return r.exitCode === 0 ? parseListConns(r.stdout).map((c) => c.name) : undefined;
}

/** `swanctl --load-all`; swanctl's own message on failure. Returns the loaded connection names. */
async function loadAll(d: Daemon, wanted: readonly string[]): Promise<string[]> {
    const r = await d.runner.run(charon.loadAll(), { netns: d.netns, okExitCodes: ANY_EXIT });
    if (r.exitCode !== 0) {
        throw new Error(`swanctl --load-all failed (exit code ${r.exitCode}): ${swanctlMessage(r.stdout, r.stderr)}`);
    }
    const loaded = (await loadedConnections(d)) ?? [];
    const missing = wanted.filter((name) => !loaded.includes(name));
    if (missing.length > 0) {
        throw new Error(`after swanctl --load-all, connection(s) ${missing.join(", ")} are not loaded: ` +
            swanctlMessage(r.stdout, r.stderr));
    }
    return loaded;
}

async function installed(d: Daemon): Promise<Set<string>> {
    const r = await d.runner.run(charon.listSas(), { netns: d.netns, okExitCodes: [0, ...VICI_DOWN_EXIT_CODES] });
    return r.exitCode === 0 ? installedChildren(parseListSas(r.stdout)) : new Set();
}

/**
 * Brings up one child, retrying until {@link INITIATE}.deadlineMs: the peer may be starting, or
 * reloading a new PSK in a concurrent update, right now.
 */
async function initiate(d: Daemon, child: string, ike: string): Promise<void> {
    const deadline = Date.now() + INITIATE.deadlineMs;
    for (let attempt = 1; ; attempt++) {
        const r = await d.runner.run(charon.initiate(child, INITIATE.attemptTimeoutS),
            { netns: d.netns, okExitCodes: [0, 1], timeoutMs: (INITIATE.attemptTimeoutS + 10) * 1000 });
        if (r.exitCode === 0) return;
        if (Date.now() + INITIATE.pauseMs > deadline) {
            throw new Error(`initiating child "${child}" of connection "${ike}" failed (${attempt} attempts in ` +
                `${INITIATE.deadlineMs / 1000} s): ${swanctlMessage(r.stdout, r.stderr)}`);
        }
        // A half-open IKE_SA from the failed attempt would otherwise be reused by the next one.
        await d.runner.run(sw.forceTerminateIke(ike), { netns: d.netns, okExitCodes: [0, 1] });
        await sleep(INITIATE.pauseMs);
    }
}

async function initiateMissing(d: Daemon, inputs: StrongSwanInputs, all: boolean): Promise<string[]> {
    const owner = connectionOfChild(inputs);
    const up = all ? new Set<string>() : await installed(d);
    for (const child of inputs.initiate) {
        if (!up.has(child)) await initiate(d, child, owner.get(child)!);
    }
    const now = await installed(d);
    return inputs.initiate.filter((child) => now.has(child));
}

/** What writes did so far: what they created, and which entries were written (and so are ours to remove). */
interface Written {
    created: OverlayCreated;
    entries: OverlaySpec[];
}

/** Writes the three overlay entries. `exclusive`: refuse existing files (create never adopts one). */
async function writeFiles(runner: CommandRunner, inputs: StrongSwanInputs, rendered: ReturnType<typeof renderInputs>,
    exclusive: boolean, written: Written): Promise<void> {
    const specs = overlaySpecs(inputs.netns, rendered);
    for (const spec of [specs.strongswanConf, specs.swanctlConf, specs.runDir]) {
        const made = await writeOverlayFile(runner, spec, { exclusive: exclusive && spec.kind === "file" });
        written.created = mergeCreated(written.created, made);
        written.entries.push(spec);
    }
}

/** Removes overlay entries (contents of the run dir included), last written first, and what their writes created. */
async function removeFiles(runner: CommandRunner, entries: readonly OverlaySpec[], created: OverlayCreated): Promise<void> {
    for (const spec of [...entries].reverse()) await removeOverlayFile(runner, spec, created);
}

function allEntries(netns: string): OverlaySpec[] {
    const specs = overlaySpecs(netns);
    return [specs.strongswanConf, specs.swanctlConf, specs.runDir];
}

/**
 * The error with every secret (verbatim if at least 4 characters, and in the hex form swanctl.conf
 * holds) replaced, so no PSK reaches Pulumi's output. Returns `err` itself when nothing matched.
 */
export function scrubSecrets(err: unknown, secrets: ReadonlyArray<{ secret?: unknown }> | undefined): unknown {
    const forms: string[] = [];
    for (const s of secrets ?? []) {
        if (typeof s?.secret !== "string" || s.secret === "") continue;
        if (s.secret.length >= 4) forms.push(s.secret);
        forms.push(pskValue(s.secret), pskValue(s.secret).slice(2));
    }
    const texts: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) {
        texts.push(e.message, String((e as { stderr?: unknown }).stderr ?? ""));
    }
    if (!texts.some((t) => forms.some((f) => t.includes(f)))) return err;
    let message = err instanceof Error ? err.message : String(err);
    for (const f of forms) message = message.split(f).join("[secret]");
    return new Error(message); // without `cause`: it holds the same text unscrubbed
}

export const strongSwanProvider: dynamic.ResourceProvider<StrongSwanInputs, StrongSwanOutputs> = {
    async check(_olds, news) {
        return checkStrongSwan(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffStrongSwan(olds, news);
    },

    async create(inputs) {
        const runner = runnerFor(inputs.connection);
        const d = daemon(runner, inputs);
        return withLock(d, async () => {
            const written: Written = { created: { dirs: [], placeholders: [] }, entries: [] };
            let writing = false;
            try {
                const rendered = renderInputs(inputs);
                // Before writing anything: the namespace exists and has no charon (never adopt one).
                if ((await charonsInNamespace(d)).length > 0 || ["running", "orphan"].includes((await find(d)).state)) {
                    throw new Error("a charon is already running for this namespace and is not managed by this resource; " +
                        `stop it first (the pid is in ${d.paths.pidFile})`);
                }
                writing = true;
                await writeFiles(runner, inputs, rendered, true, written);
                const pid = await start(d);
                const loaded = await loadAll(d, inputs.connections.map((c) => c.name));
                const established = await initiateMissing(d, inputs, true);
                const outs = strongSwanOutputs(inputs, rendered, { pid, loadedConnections: loaded, establishedChildren: established },
                    written.created);
                return { id: inputs.netns, outs };
            } catch (err) {
                // Transactional: no charon and none of the files this create wrote may remain (a file that
                // already existed made the write fail and is left alone).
                if (writing) {
                    await stop(d).catch(() => undefined);
                    await removeFiles(runner, written.entries, written.created).catch(() => undefined);
                }
                throw operationError("create", KIND, inputs.netns, scrubSecrets(err, inputs.secrets));
            }
        });
    },

    async read(id, props) {
        if (props === undefined) {
            throw operationError("read", KIND, id, "no stored state to read from; dynamic resources cannot be imported");
        }
        const runner = runnerFor(props.connection);
        const d = daemon(runner, props);
        return withLock(d, async () => {
            try {
                const found = await find(d);
                const [strongswanConf, swanctlConf] = await Promise.all([
                    inspectOverlayFile(runner, { netns: props.netns, path: "strongswan.conf", kind: "file" }),
                    inspectOverlayFile(runner, { netns: props.netns, path: "swanctl/swanctl.conf", kind: "file" }),
                ]);
                if (found.state === "absent" && !strongswanConf && !swanctlConf) {
                    return { id: "", props: {} as StrongSwanOutputs }; // removed out of band, daemon and files
                }
                // A charon whose vici does not answer is as good as dead: report it so, and update restarts it.
                const loaded = found.state === "running" ? await loadedConnections(d) : undefined;
                const running = loaded !== undefined;
                const up = running ? await installed(d) : new Set<string>();
                return {
                    id,
                    props: {
                        ...props,
                        running,
                        pid: running && found.state === "running" ? found.pid : 0,
                        loadedConnections: loaded ?? [],
                        establishedChildren: (props.initiate ?? []).filter((c) => up.has(c)),
                        strongswanConfSha256: strongswanConf?.contentSha256 ?? "",
                        swanctlConfSha256: swanctlConf?.contentSha256 ?? "",
                    },
                };
            } catch (err) {
                throw operationError("read", KIND, props.netns, err);
            }
        });
    },

    async update(_id, olds, news) {
        const runner = runnerFor(news.connection);
        const d = daemon(runner, news);
        // The running charon is found with the build it was started with.
        const old = daemon(runner, { netns: news.netns, build: olds.build ?? "distro", charonPath: olds.charonPath });
        return withLock(d, async () => {
            try {
                const rendered = renderInputs(news);
                const written: Written = { created: createdOf(olds), entries: [] };
                // Always written: cheap, and it repairs files changed or removed out of band.
                await writeFiles(runner, news, rendered, false, written);
                const found = await find(old);
                const plan = planStrongSwanUpdate(olds, news, rendered, found.state === "running" &&
                    (await loadedConnections(old)) !== undefined);
                let pid = found.state === "running" ? found.pid : undefined;
                if (plan.restart) {
                    await stop(old);
                    pid = await start(d);
                }
                const wanted = news.connections.map((c) => c.name);
                const loaded = plan.loadAll ? await loadAll(d, wanted) : (await loadedConnections(d)) ?? [];
                for (const ike of plan.terminate) {
                    await d.runner.run(charon.terminateIke(ike), { netns: d.netns, okExitCodes: [0, 1] });
                }
                const established = await initiateMissing(d, news, plan.initiateAll);
                return {
                    outs: strongSwanOutputs(news, rendered, { pid, loadedConnections: loaded, establishedChildren: established },
                        written.created),
                };
            } catch (err) {
                throw operationError("update", KIND, news.netns, scrubSecrets(err, news.secrets));
            }
        });
    },

    async delete(_id, props) {
        const runner = runnerFor(props.connection);
        const d = daemon(runner, props);
        await withLock(d, async () => {
            try {
                // Works with the namespace gone too: everything here runs on the host.
                await stop(d);
                await removeFiles(runner, allEntries(props.netns), createdOf(props));
            } catch (err) {
                throw operationError("delete", KIND, props.netns, err);
            }
        });
    },
};
