/**
 * Bridge: the pure part. Checked inputs in; diff decisions and `ip -batch` scripts out.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { Failures, booleanProblem, ifnameProblem, isUnknown, mtuProblem, netnsNameProblem, printable, sameStrings } from "./inputs";
import type { ConnectionInputs } from "./runner";

/** Inputs after check: defaults filled in, members sorted. */
export interface BridgeInputs {
    /** The bridge's interface name. Changing it replaces the bridge. */
    readonly name: string;
    /** The namespace the bridge lives in. Changing it replaces the bridge. */
    readonly netns: string;
    /** Interfaces (already in `netns`) enslaved to the bridge, sorted. Change in place. */
    readonly members: readonly string[];
    /** The bridge MTU; absent leaves it to the kernel (the smallest port MTU). */
    readonly mtu?: number;
    /** Administratively up. */
    readonly up: boolean;
    /** The target host; absent means this machine. Checked and diffed by registry's withConnection. */
    readonly connection?: ConnectionInputs;
}

/** What a Bridge stores in state (v1: the inputs, nothing more). */
export type BridgeOutputs = BridgeInputs;

/**
 * Why `name` cannot travel in an `ip -batch` line, or undefined. iproute2 cuts batch lines at '#'
 * and reads a word starting with a quote as a quoted string, so such names would mean something else.
 */
export function batchWordProblem(name: string): string | undefined {
    if (/["'#\\]/.test(name)) {
        return `"${printable(name)}" contains '#', a quote or a backslash, which \`ip -batch\` would misread; rename the interface`;
    }
    return undefined;
}

function interfaceProblem(value: unknown): string | undefined {
    return ifnameProblem(value) ?? batchWordProblem(value as string);
}

export function checkBridge(news: Record<string, unknown>): dynamic.CheckResult<BridgeInputs> {
    const failures = new Failures();
    const { name, netns, mtu } = news;
    const up = news.up ?? true;
    let members = news.members ?? [];

    if (!isUnknown(name)) {
        const problem = interfaceProblem(name);
        if (problem) failures.add("name", `Bridge name ${problem}`);
    }
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `netns ${problem}; give the name of an existing namespace`);
    }
    if (!isUnknown(members)) {
        if (!Array.isArray(members)) {
            failures.add("members", `members must be a list of interface names, e.g. ["veth-a", "veth-b"], got ${JSON.stringify(members)}`);
        } else {
            const seen = new Set<string>();
            members.forEach((member: unknown, i) => {
                if (isUnknown(member)) return;
                const problem = interfaceProblem(member);
                if (problem) {
                    failures.add("members", `members[${i}] ${problem}`);
                } else if (member === name) {
                    failures.add("members", `members[${i}] is the bridge itself; list the interfaces to attach to it`);
                } else if (seen.has(member as string)) {
                    failures.add("members", `members[${i}] "${member as string}" is listed twice; list each interface once`);
                }
                seen.add(member as string);
            });
            // Order carries no meaning for bridge ports: sorting keeps reorders out of the diff.
            members = [...members].sort();
        }
    }
    if (mtu !== undefined && !isUnknown(mtu)) {
        const problem = mtuProblem(mtu);
        if (problem) failures.add("mtu", `mtu ${problem}; or leave it out to follow the ports`);
    }
    if (!isUnknown(up)) {
        const problem = booleanProblem(up);
        if (problem) failures.add("up", `up ${problem}`);
    }
    const inputs = { name, netns, members, up, ...(mtu === undefined ? {} : { mtu }) } as BridgeInputs;
    return { inputs, failures: failures.list };
}

export function diffBridge(olds: BridgeOutputs, news: BridgeInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    if (isUnknown(news.name) || olds.name !== news.name) replaces.push("name");
    if (isUnknown(news.netns) || olds.netns !== news.netns) replaces.push("netns");
    const changed = replaces.length > 0
        || !sameStrings(olds.members, news.members)
        || isUnknown(news.mtu) || olds.mtu !== news.mtu
        || isUnknown(news.up) || (olds.up ?? true) !== news.up;
    return {
        changes: changed,
        replaces,
        // Interface names are unique per namespace: the old bridge must go before the new one can exist.
        deleteBeforeReplace: replaces.length > 0,
    };
}

/** What `ip -json -details link show` says about a bridge and its ports. */
export interface LiveBridge {
    readonly members: readonly string[];
    readonly mtu: number;
    readonly up: boolean;
}

/** The `ip -batch` script that creates the bridge; the bridge is made on line 1, nothing before it. */
export function createBatch(inputs: BridgeInputs): string {
    const lines = [`link add name ${inputs.name} type bridge`];
    for (const port of inputs.members) lines.push(`link set dev ${port} master ${inputs.name}`);
    // After the ports: an MTU set explicitly sticks (the kernel stops following the ports).
    if (inputs.mtu !== undefined) lines.push(`link set dev ${inputs.name} mtu ${inputs.mtu}`);
    if (inputs.up) lines.push(`link set dev ${inputs.name} up`);
    return lines.join("\n") + "\n";
}

/**
 * The `ip -batch` script that takes the bridge from what is live to `news`; "" when nothing differs.
 * Planned from the live state, so ports deleted out of band are not released a second time.
 */
export function updateBatch(live: LiveBridge, news: BridgeInputs): string {
    const lines: string[] = [];
    const want = new Set(news.members);
    const have = new Set(live.members);
    for (const port of live.members) if (!want.has(port)) lines.push(`link set dev ${port} nomaster`);
    for (const port of news.members) if (!have.has(port)) lines.push(`link set dev ${port} master ${news.name}`);
    // Without an mtu the kernel's value stays: it cannot be handed back to "follow the ports".
    if (news.mtu !== undefined && news.mtu !== live.mtu) lines.push(`link set dev ${news.name} mtu ${news.mtu}`);
    if (news.up !== live.up) lines.push(`link set dev ${news.name} ${news.up ? "up" : "down"}`);
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

interface LinkJson {
    ifname?: string;
    flags?: string[];
    mtu?: number;
    master?: string;
    linkinfo?: { info_kind?: string };
}

/**
 * Finds bridge `name` in `ip -json -details link show` output of its namespace; undefined when
 * there is no such interface or it is not a bridge (then it is not the one this resource made).
 */
export function parseBridge(json: string, name: string): LiveBridge | undefined {
    const links = JSON.parse(json) as LinkJson[];
    const bridge = links.find((l) => l.ifname === name);
    if (!bridge || bridge.linkinfo?.info_kind !== "bridge") return undefined;
    return {
        members: links.filter((l) => l.master === name).map((l) => l.ifname ?? "").sort(),
        mtu: bridge.mtu ?? 0,
        up: bridge.flags?.includes("UP") ?? false,
    };
}

/** The live state as outputs; the MTU only when the inputs manage it (else it is the kernel's). */
export function liveOutputs(props: BridgeOutputs, live: LiveBridge): BridgeOutputs {
    const { mtu: _ignored, ...rest } = props;
    return {
        ...rest,
        members: live.members,
        up: live.up,
        ...(props.mtu === undefined ? {} : { mtu: live.mtu }),
    };
}

/** The 1-based batch line `ip -batch` failed on ("Command failed -:3"), if it says. */
export function failedBatchLine(stderr: string): number | undefined {
    const match = /Command failed -:(\d+)/.exec(stderr);
    return match ? Number(match[1]) : undefined;
}

export const bridgeCommands = {
    batch: () => ["ip", "-batch", "-"],
    show: () => ["ip", "-json", "-details", "link", "show"],
    delete: (name: string) => ["ip", "link", "delete", "dev", name],
} as const;

/** Stderr when the bridge or its namespace is gone. */
export const BRIDGE_GONE = /Cannot find device|Cannot open network namespace|No such file or directory/;
