/**
 * StrongSwan: the pure part of one charon per network namespace. Checked inputs in; diff
 * decisions, overlay specs, argv lists and parsers out. Never touches the host.
 *
 * The configuration language lives in strongswan-render.ts (types, validation, rendering), the
 * daemon's layout and lifecycle commands in charon-plan.ts; this module adds what a Pulumi
 * resource needs on top: inputs and outputs, check, diff, and the decision what an update does.
 *
 * What an update does, decided by comparing rendered texts (by sha256, the only form stored):
 * - strongswan.conf changed (or the build): restart. `ip netns exec` bind-mounts the top-level
 *   file by inode when charon starts, so a running charon never sees a new one.
 * - swanctl.conf changed (connections or secrets): `swanctl --load-all` into the same charon, then
 *   re-establish the `initiate` children (an existing IKE_SA keeps the key it authenticated with).
 * - charon not running (a refresh recorded `running: false`): start it again.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { CharonBuild, DISTRO_CHARON, charonPaths } from "./charon-plan";
import type { ConnectionInputs } from "./connection";
import { OverlayCreated, OverlaySpec, sha256 } from "./etc-overlay-plan";
import { Failures, isUnknown, netnsNameProblem, printable, sameStrings } from "./inputs";
import {
    ConfigProblem, DataPlane, StrongSwanConfig, StrongSwanConfigError, VICI_SOCKET_URI, renderStrongSwan,
    strongSwanConfigProblems,
} from "./strongswan-render";

/** Which charon: Debian's (pid file compiled to /var/run) or one built with `--with-piddir=/etc/ipsec.d/run`. */
export type BuildKind = CharonBuild["kind"];

/** Inputs after check: defaults filled in. */
export interface StrongSwanInputs extends StrongSwanConfig {
    /** The namespace charon runs in. Changing it replaces the resource (the old charon stops first). */
    readonly netns: string;
    /** Default "distro". Changes restart charon. */
    readonly build: BuildKind;
    /** The charon binary: default /usr/lib/ipsec/charon for "distro", required for "piddir". */
    readonly charonPath: string;
    /** Children the provider brings up with `swanctl --initiate` after loading; default none. */
    readonly initiate: readonly string[];
    /** Default []. Secret: the SDK wraps it with pulumi.secret, and outputs never contain it. */
    readonly secrets: NonNullable<StrongSwanConfig["secrets"]>;
    readonly connection?: ConnectionInputs;
}

/**
 * What a StrongSwan stores in state (schema v1). Deliberately without `secrets`: the PSKs live
 * only in the (secret) inputs and in the 0600 swanctl.conf on the host; `swanctlConfSha256`
 * covers them and is a secret output.
 */
export interface StrongSwanOutputs {
    readonly schemaVersion: 1;
    readonly netns: string;
    readonly build: BuildKind;
    readonly charonPath: string;
    readonly dataPlane: DataPlane;
    readonly connections: StrongSwanConfig["connections"];
    readonly logLevel?: number;
    readonly extraPlugins?: readonly string[];
    readonly settings?: StrongSwanConfig["settings"];
    readonly initiate: readonly string[];
    /** Whether charon was alive (pid file → a charon of this build in this namespace) when last seen. */
    readonly running: boolean;
    /** charon's pid; 0 when not running. */
    readonly pid: number;
    /** The vici socket on the host: /etc/netns/NS/ipsec.d/run/charon.vici. */
    readonly viciSocket: string;
    /** The same socket as swanctl inside the namespace names it (`swanctl --uri`). */
    readonly viciUri: string;
    /** Connection names charon had loaded (`swanctl --list-conns`). */
    readonly loadedConnections: readonly string[];
    /** The `initiate` children that had an INSTALLED CHILD_SA. */
    readonly establishedChildren: readonly string[];
    /** sha256 of /etc/netns/NS/strongswan.conf ("" if missing). */
    readonly strongswanConfSha256: string;
    /** sha256 of /etc/netns/NS/swanctl/swanctl.conf ("" if missing); secret (it covers the PSKs). */
    readonly swanctlConfSha256: string;
    /** What the overlay writes created (directories under /etc/netns, placeholders in /etc), for delete. */
    readonly createdDirs: readonly string[];
    readonly createdPlaceholders: readonly string[];
    readonly connection?: ConnectionInputs;
}

/** True if `value` is, or contains anywhere, the preview placeholder for an unknown value. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** The value at a property path as strongSwanConfigProblems names it (`connections[0].children[1].name`, `settings.a.b`). */
export function valueAtPath(root: unknown, path: string): unknown {
    if (path.startsWith("settings.")) {
        const settings = (root as { settings?: unknown })?.settings;
        if (isUnknown(settings)) return settings;
        return (settings as Record<string, unknown> | undefined)?.[path.slice("settings.".length)];
    }
    let node: unknown = root;
    for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
        if (isUnknown(node)) return node;
        if (node === null || typeof node !== "object") return undefined;
        const key = part.startsWith("[") ? Number(part.slice(1, -1)) : part;
        node = (node as Record<string | number, unknown>)[key];
    }
    return node;
}

/** A problem that only exists because a value is unknown during preview, or sits inside one. */
function dueToUnknown(root: unknown, problem: ConfigProblem): boolean {
    const parts = problem.property.match(/[^.[\]]+|\[\d+\]/g) ?? [];
    // Check the path itself and every prefix: `connections` unknown makes all its problems moot.
    for (let i = parts.length; i > 0; i--) {
        const prefix = parts.slice(0, i).join(".").replace(/\.\[/g, "[");
        if (containsUnknown(valueAtPath(root, prefix))) return true;
    }
    return false;
}

const ABSOLUTE_PATH = /^\/[A-Za-z0-9._+/-]+$/;

/** Every child name in the connections. */
function childNames(connections: unknown): Set<string> {
    const names = new Set<string>();
    if (!Array.isArray(connections)) return names;
    for (const conn of connections) {
        if (conn && Array.isArray(conn.children)) {
            for (const child of conn.children) if (typeof child?.name === "string") names.add(child.name);
        }
    }
    return names;
}

export function checkStrongSwan(news: Record<string, unknown>): dynamic.CheckResult<StrongSwanInputs> {
    const failures = new Failures();
    const netns = news.netns;
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `netns ${problem}`);
    }
    const build = news.build ?? "distro";
    if (!isUnknown(build) && build !== "distro" && build !== "piddir") {
        failures.add("build", `build must be "distro" (Debian/Ubuntu charon, pid file in /var/run) or "piddir" ` +
            `(built with --with-piddir=/etc/ipsec.d/run), got ${JSON.stringify(build)}`);
    }
    let charonPath = news.charonPath;
    if (charonPath === undefined) {
        if (build === "piddir") {
            failures.add("charonPath", "charonPath is required with build \"piddir\": the path of your charon binary, " +
                "e.g. \"/usr/local/libexec/ipsec/charon\"");
        } else {
            charonPath = DISTRO_CHARON;
        }
    } else if (!isUnknown(charonPath) && (typeof charonPath !== "string" || !ABSOLUTE_PATH.test(charonPath) ||
        charonPath.split("/").some((s) => s === "." || s === ".."))) {
        failures.add("charonPath", `charonPath must be an absolute path of letters, digits and . _ + - /, ` +
            `e.g. "${DISTRO_CHARON}", got "${printable(String(charonPath))}"`);
    }
    const dataPlane = news.dataPlane ?? "kernel";
    const config = {
        dataPlane,
        connections: news.connections,
        secrets: news.secrets ?? [],
        ...(news.logLevel === undefined ? {} : { logLevel: news.logLevel }),
        ...(news.extraPlugins === undefined ? {} : { extraPlugins: news.extraPlugins }),
        ...(news.settings === undefined ? {} : { settings: news.settings }),
    } as unknown as StrongSwanConfig;
    if (config.connections === undefined) {
        failures.add("connections", "connections is required: a list of IKE connections, each with children");
    } else {
        const problems = strongSwanConfigProblems(config).filter((p) => !dueToUnknown(config, p));
        for (const p of problems) failures.add(p.property, p.reason);
        if (problems.length === 0 && !containsUnknown(config)) {
            // The renderer finds a few more (a setting path that is both a value and a section).
            try {
                renderStrongSwan(config);
            } catch (err) {
                if (!(err instanceof StrongSwanConfigError)) throw err;
                for (const p of err.problems) failures.add(p.property, p.reason);
            }
        }
    }
    const initiate = news.initiate ?? [];
    if (!isUnknown(initiate)) {
        if (!Array.isArray(initiate)) {
            failures.add("initiate", "initiate must be a list of child names, e.g. [\"net\"]");
        } else if (!containsUnknown(config.connections)) {
            const known = childNames(config.connections);
            const seen = new Set<string>();
            initiate.forEach((name: unknown, i) => {
                if (isUnknown(name)) return;
                if (typeof name !== "string" || !known.has(name)) {
                    failures.add(`initiate[${i}]`, `${JSON.stringify(name)} is not a child of any connection; ` +
                        `known children: ${[...known].map((n) => JSON.stringify(n)).join(", ") || "none"}`);
                } else if (seen.has(name)) {
                    failures.add(`initiate[${i}]`, `${JSON.stringify(name)} is listed twice`);
                }
                if (typeof name === "string") seen.add(name);
            });
        }
    }
    const inputs = {
        netns, build, ...(charonPath === undefined ? {} : { charonPath }), ...config, initiate,
        ...(news.connection === undefined ? {} : { connection: news.connection }),
    } as unknown as StrongSwanInputs;
    return { inputs, failures: failures.list };
}

/** The rendered files of checked, known inputs, with their hashes. */
export interface RenderedStrongSwan {
    readonly strongswanConf: string;
    readonly swanctlConf: string;
    readonly strongswanConfSha256: string;
    readonly swanctlConfSha256: string;
}

export function renderInputs(inputs: StrongSwanInputs): RenderedStrongSwan {
    const { strongswanConf, swanctlConf } = renderStrongSwan(inputs);
    return { strongswanConf, swanctlConf, strongswanConfSha256: sha256(strongswanConf), swanctlConfSha256: sha256(swanctlConf) };
}

export function charonBuild(inputs: Pick<StrongSwanInputs, "build" | "charonPath">): CharonBuild {
    return inputs.build === "piddir"
        ? { kind: "piddir", charon: inputs.charonPath }
        : { kind: "distro", charon: inputs.charonPath ?? DISTRO_CHARON };
}

/** The connection owning each child name. */
export function connectionOfChild(inputs: Pick<StrongSwanInputs, "connections">): Map<string, string> {
    const owner = new Map<string, string>();
    for (const conn of inputs.connections) for (const child of conn.children) owner.set(child.name, conn.name);
    return owner;
}

/** What an update has to do. Pure: `running` is what the handler found on the host. */
export interface UpdatePlan {
    /** Stop the old charon (if alive) and start a new one. */
    readonly restart: boolean;
    /** `swanctl --load-all` (always after a restart). */
    readonly loadAll: boolean;
    /** IKE_SAs to terminate before initiating again: connections whose configuration may have changed. */
    readonly terminate: readonly string[];
    /** Re-initiate all `initiate` children; otherwise only those not INSTALLED right now. */
    readonly initiateAll: boolean;
}

/**
 * Decides an update. `olds` may come from a refresh (live hashes, `running: false`) or from an
 * older schema (fields missing: treated as changed, which is always safe).
 */
export function planStrongSwanUpdate(olds: Partial<StrongSwanOutputs>, news: StrongSwanInputs,
    rendered: RenderedStrongSwan, running: boolean): UpdatePlan {
    const buildChanged = olds.build !== news.build || olds.charonPath !== news.charonPath;
    const restart = !running || buildChanged || olds.strongswanConfSha256 !== rendered.strongswanConfSha256;
    const swanctlChanged = olds.swanctlConfSha256 !== rendered.swanctlConfSha256;
    const wanted = news.connections.map((c) => c.name);
    const loadAll = restart || swanctlChanged || !sameStrings(olds.loadedConnections, wanted);
    const owner = connectionOfChild(news);
    const initiated = [...new Set(news.initiate.map((child) => owner.get(child)!))];
    const removed = (olds.loadedConnections ?? []).filter((name) => !wanted.includes(name));
    return {
        restart,
        loadAll,
        // After a restart no SA is left; after a reload, old SAs keep the old keys and proposals.
        terminate: restart ? [] : swanctlChanged ? [...removed, ...initiated] : removed,
        initiateAll: restart || swanctlChanged,
    };
}

export function diffStrongSwan(olds: Partial<StrongSwanOutputs>, news: StrongSwanInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    // Another namespace is another daemon; only one charon may run per namespace, so the old one goes first.
    if (isUnknown(news.netns) || olds.netns !== news.netns) replaces.push("netns");
    let changes = replaces.length > 0;
    if (!changes) {
        if (containsUnknown(news)) {
            changes = true;
        } else {
            let rendered: RenderedStrongSwan | undefined;
            try {
                rendered = renderInputs(news);
            } catch {
                changes = true; // check reports the problem; never let diff throw on it
            }
            if (rendered) {
                const plan = planStrongSwanUpdate(olds, news, rendered, olds.running !== false);
                const missing = news.initiate.some((c) => !(olds.establishedChildren ?? []).includes(c));
                changes = plan.restart || plan.loadAll || plan.terminate.length > 0 || missing ||
                    !sameStrings(olds.initiate, news.initiate);
            }
        }
    }
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** The three overlay entries of one charon, in the order they are written (removed in reverse). */
export function overlaySpecs(netns: string, rendered?: Pick<RenderedStrongSwan, "strongswanConf" | "swanctlConf">): {
    runDir: OverlaySpec; strongswanConf: OverlaySpec; swanctlConf: OverlaySpec;
} {
    const base = { netns, owner: "root", group: "root" };
    return {
        // charon.pid, charon.vici and charon.log: removed with their contents.
        runDir: { ...base, path: "ipsec.d/run", kind: "directory", mode: "0700", removeContents: true },
        strongswanConf: { ...base, path: "strongswan.conf", kind: "file", mode: "0644", content: rendered?.strongswanConf },
        // Holds the PSKs.
        swanctlConf: { ...base, path: "swanctl/swanctl.conf", kind: "file", mode: "0600", content: rendered?.swanctlConf },
    };
}

/** What the handlers found on the host after an operation. */
export interface LiveCharon {
    readonly pid?: number;
    readonly loadedConnections: readonly string[];
    readonly establishedChildren: readonly string[];
}

export function strongSwanOutputs(inputs: StrongSwanInputs, hashes: Pick<RenderedStrongSwan, "strongswanConfSha256" | "swanctlConfSha256">,
    live: LiveCharon, created: OverlayCreated): StrongSwanOutputs {
    const paths = charonPaths(inputs.netns);
    return {
        schemaVersion: 1,
        netns: inputs.netns,
        build: inputs.build,
        charonPath: inputs.charonPath,
        dataPlane: inputs.dataPlane,
        connections: inputs.connections,
        ...(inputs.logLevel === undefined ? {} : { logLevel: inputs.logLevel }),
        ...(inputs.extraPlugins === undefined ? {} : { extraPlugins: inputs.extraPlugins }),
        ...(inputs.settings === undefined ? {} : { settings: inputs.settings }),
        initiate: inputs.initiate,
        running: live.pid !== undefined,
        pid: live.pid ?? 0,
        viciSocket: paths.viciSocket,
        viciUri: VICI_SOCKET_URI,
        loadedConnections: [...live.loadedConnections],
        establishedChildren: [...live.establishedChildren],
        strongswanConfSha256: hashes.strongswanConfSha256,
        swanctlConfSha256: hashes.swanctlConfSha256,
        createdDirs: [...created.dirs],
        createdPlaceholders: [...created.placeholders],
        ...(inputs.connection === undefined ? {} : { connection: inputs.connection }),
    };
}

// ---------------------------------------------------------------------------------------------
// Host commands and parsers beyond charon-plan.ts

/** How long the provider keeps trying to bring up one child (the peer may be updating concurrently). */
export const INITIATE = { attemptTimeoutS: 10, deadlineMs: 30_000, pauseMs: 1_000 } as const;
/** How long a stopped charon gets to exit after TERM before it is killed. */
export const STOP = { termWaitMs: 10_000, killWaitMs: 3_000, pollMs: 20 } as const;

export const strongSwanCommands = {
    /** host: is the binary there (exit 1 if not; okExitCodes [0, 1]). */
    charonExists: (charonPath: string) => ["test", "-x", charonPath],
    /** host: the processes in a namespace; fails with "Cannot open network namespace" when it is gone. */
    netnsPids: (netns: string) => ["ip", "netns", "pids", netns],
    /** host: `'/proc/P/exe' -> '/usr/lib/ipsec/charon'` per live process (okExitCodes [0, 1]). */
    exes: (pids: readonly number[]) => ["stat", "--format=%N", "--", ...pids.map((p) => `/proc/${p}/exe`)],
    /** host: a process's mounts, to recognise our charon after its namespace was deleted (okExitCodes [0, 1]). */
    mountinfo: (pid: number) => ["cat", "--", `/proc/${pid}/mountinfo`],
    /** host: leftovers of a dead charon; a stale pid file makes the next one refuse to start. */
    removeStale: (netns: string) => {
        const paths = charonPaths(netns);
        return ["rm", "-f", "--", paths.pidFile, paths.viciSocket];
    },
    /** host: the end of charon's log, for errors when it does not come up. */
    logTail: (netns: string, lines = 15) => ["tail", "-n", String(lines), "--", charonPaths(netns).logFile],
    /** netns: drop a half-open or failed attempt before retrying (okExitCodes [0, 1]). */
    forceTerminateIke: (ike: string) => ["swanctl", "--terminate", "--ike", ike, "--force", "--timeout", "3"],
} as const;

/** Parses `stat --format=%N /proc/P/exe…`: pid → binary, for the processes whose link was readable. */
export function parseExes(stdout: string): Map<number, string> {
    const out = new Map<number, string>();
    for (const line of stdout.split("\n")) {
        const m = /^'\/proc\/(\d+)\/exe' -> '(.*)'$/.exec(line.trim());
        if (m) out.set(Number(m[1]), m[2].replace(/ \(deleted\)$/, ""));
    }
    return out;
}

/** Any charon, whatever its build: another one in the namespace would fight ours for ports 500/4500. */
export function isAnyCharon(exe: string): boolean {
    return /\/charon$/.test(exe);
}

/**
 * True if a process's /proc/PID/mountinfo shows the overlay `ip netns exec NS` made:
 * /etc/netns/NS/ipsec.d mounted on /etc/ipsec.d. It identifies our charon even after its
 * namespace was deleted (the process keeps the namespace alive, without a name).
 */
export function hasOverlayOf(mountinfo: string, netns: string): boolean {
    const root = `/netns/${netns}/ipsec.d`;
    return mountinfo.split("\n").some((line) => {
        const fields = line.split(" ");
        return fields.length > 5 && fields[3].endsWith(root) && fields[4] === "/etc/ipsec.d";
    });
}

/** The useful lines of swanctl's output for an error: its own verdicts, not the directory warnings. */
export function swanctlMessage(stdout: string, stderr: string, maxLines = 8): string {
    const lines = `${stdout}\n${stderr}`.split("\n").map((l) => l.trim())
        .filter((l) => l !== "" && !/^opening directory .* failed/.test(l) && !/^plugin '.*': failed to load/.test(l));
    const verdicts = lines.filter((l) => /failed|error|invalid|unable|not found|timeout/i.test(l));
    return (verdicts.length > 0 ? verdicts : lines).slice(-maxLines).join("; ") || "no output";
}

/** The INSTALLED children (config names) in `swanctl --list-sas` results. */
export function installedChildren(sas: ReadonlyArray<{ state: string; children: ReadonlyArray<{ name: string; state: string }> }>): Set<string> {
    const out = new Set<string>();
    for (const sa of sas) {
        if (sa.state !== "ESTABLISHED") continue;
        for (const child of sa.children) if (child.state === "INSTALLED") out.add(child.name);
    }
    return out;
}
