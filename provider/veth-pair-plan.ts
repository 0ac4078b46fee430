/**
 * VethPair: the pure part. Checked inputs in; diff decisions and argv lists out.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    Failures, booleanProblem, ifnameProblem, isUnknown, mtuProblem, netnsNameProblem,
} from "./inputs";
import { compact, macProblem } from "./linkstate";
import type { ConnectionInputs } from "./runner";

/** One end of the pair after check. */
export interface VethEnd {
    /** Interface name, unique within its namespace. Identity: changing it replaces the pair. */
    readonly name: string;
    /** Namespace of this end; absent means the host namespace. Identity. */
    readonly netns?: string;
    /** MTU; absent leaves the kernel's choice (1500) alone. Changes in place. */
    readonly mtu?: number;
    /** MAC address, lower case; absent leaves the kernel's random one alone. Changes in place. */
    readonly mac?: string;
    /** Administratively up. Default true. Changes in place. */
    readonly up: boolean;
}

/** Inputs after check. */
export interface VethPairInputs {
    readonly a: VethEnd;
    readonly b: VethEnd;
    readonly connection?: ConnectionInputs;
}

/** What a VethPair stores in state (schema 1: the inputs). */
export type VethPairOutputs = VethPairInputs;

const END_KEYS = ["name", "netns", "mtu", "mac", "up"];

function checkEnd(prop: "a" | "b", raw: unknown, failures: Failures): unknown {
    if (isUnknown(raw)) return raw;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        failures.add(prop, `VethPair ${prop} must be an object like { name: "veth-left", netns: "left" }`);
        return raw;
    }
    const end = raw as Record<string, unknown>;
    for (const key of Object.keys(end)) {
        if (!END_KEYS.includes(key) && end[key] !== undefined) {
            failures.add(`${prop}.${key}`, `VethPair ${prop}.${key} is not a property of a veth end; use ${END_KEYS.join(", ")}`);
        }
    }
    const name = end.name;
    const netns = end.netns ?? undefined;
    const mtu = end.mtu ?? undefined;
    let mac = end.mac ?? undefined;
    const up = end.up ?? true;
    if (!isUnknown(name)) {
        const problem = ifnameProblem(name);
        if (problem) failures.add(`${prop}.name`, `VethPair ${prop}.name ${problem}`);
    }
    if (netns !== undefined && !isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add(`${prop}.netns`, `VethPair ${prop}.netns ${problem}; leave it out for the host namespace`);
    }
    if (mtu !== undefined && !isUnknown(mtu)) {
        const problem = mtuProblem(mtu);
        if (problem) failures.add(`${prop}.mtu`, `VethPair ${prop}.mtu ${problem}`);
    }
    if (mac !== undefined && !isUnknown(mac)) {
        const problem = macProblem(mac);
        if (problem) failures.add(`${prop}.mac`, `VethPair ${prop}.mac ${problem}`);
        else mac = (mac as string).toLowerCase(); // the kernel prints lower case
    }
    if (!isUnknown(up)) {
        const problem = booleanProblem(up);
        if (problem) failures.add(`${prop}.up`, `VethPair ${prop}.up ${problem}`);
    }
    return compact({ name, netns, mtu, mac, up });
}

export function checkVethPair(news: Record<string, unknown>): dynamic.CheckResult<VethPairInputs> {
    const failures = new Failures();
    const a = checkEnd("a", news.a, failures);
    const b = checkEnd("b", news.b, failures);
    if (failures.list.length === 0 && !isUnknown(a) && !isUnknown(b)) {
        const ea = a as VethEnd;
        const eb = b as VethEnd;
        const known = [ea.name, ea.netns, eb.name, eb.netns].every((v) => !isUnknown(v));
        if (known && ea.name === eb.name && ea.netns === eb.netns) {
            failures.add("b.name", `VethPair b.name "${eb.name}" equals a.name in the same namespace; ` +
                "interface names are unique per namespace, so choose another name for one end");
        }
    }
    const inputs = compact({ a, b, connection: news.connection ?? undefined }) as unknown as VethPairInputs;
    return { inputs, failures: failures.list };
}

/** Where an end lives, to compare kernel names; undefined when not known yet. */
function slot(end: VethEnd): string | undefined {
    if (isUnknown(end) || isUnknown(end.name) || isUnknown(end.netns)) return undefined;
    return `${end.netns ?? ""}/${end.name}`;
}

/** The in-place changes of one end: only what differs, and only what the new inputs manage. */
export function endChanges(olds: VethEnd, news: VethEnd): { mtu?: number; mac?: string; up?: boolean } | undefined {
    const changes = compact({
        // Absent mtu/mac means "leave the current value alone", not "reset".
        mtu: news.mtu !== undefined && news.mtu !== olds.mtu ? news.mtu : undefined,
        mac: news.mac !== undefined && news.mac !== olds.mac ? news.mac : undefined,
        up: news.up !== olds.up ? news.up : undefined,
    });
    return Object.keys(changes).length > 0 ? changes : undefined;
}

export function diffVethPair(olds: VethPairOutputs, news: VethPairInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    let inPlace = false;
    for (const key of ["a", "b"] as const) {
        const o = olds[key];
        const n = news[key];
        if (isUnknown(n)) {
            replaces.push(key);
            continue;
        }
        // The kernel cannot rename a veth end across namespaces atomically; identity changes replace.
        if (isUnknown(n.name) || n.name !== o.name) replaces.push(`${key}.name`);
        if (isUnknown(n.netns) || n.netns !== o.netns) replaces.push(`${key}.netns`);
        if (endChanges(o, n)) inPlace = true;
    }
    // Names are unique per namespace: if a new end takes an old end's place (or might), delete first.
    // (`connection` is diffed for every kind in connection-handlers.ts.)
    const oldSlots = [slot(olds.a), slot(olds.b)];
    const newSlots = [slot(news.a), slot(news.b)];
    const clash = newSlots.some((s) => s === undefined || oldSlots.includes(s));
    return {
        changes: inPlace || replaces.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && clash,
    };
}

/** `NS/NAME:NS/NAME`, with NAME alone for the host namespace; ':' occurs in neither kind of name. */
export function vethPairId(inputs: VethPairInputs): string {
    const ref = (e: VethEnd) => (e.netns === undefined ? e.name : `${e.netns}/${e.name}`);
    return `${ref(inputs.a)}:${ref(inputs.b)}`;
}

/** The ends named by an id from {@link vethPairId} (for import), up as the default. */
export function vethPairFromId(id: string): VethPairInputs | undefined {
    const parts = id.split(":");
    if (parts.length !== 2) return undefined;
    const end = (ref: string): VethEnd | undefined => {
        const bits = ref.split("/");
        if (bits.length === 1 && bits[0]) return { name: bits[0], up: true };
        if (bits.length === 2 && bits[0] && bits[1]) return { name: bits[1], netns: bits[0], up: true };
        return undefined;
    };
    const a = end(parts[0]);
    const b = end(parts[1]);
    return a && b ? { a, b } : undefined;
}

/** `netns`, `mtu`, `address` of one end for `ip link add`. */
function addAttrs(end: VethEnd): string[] {
    return [
        ...(end.netns === undefined ? [] : ["netns", end.netns]),
        ...(end.mtu === undefined ? [] : ["mtu", String(end.mtu)]),
        ...(end.mac === undefined ? [] : ["address", end.mac]),
    ];
}

export const vethPairCommands = {
    /**
     * Both ends in one call, each created directly in its namespace (run in the host namespace).
     * `name` is explicit so that an interface called e.g. "mtu" is not read as a keyword.
     * `up` cannot go here: the kernel refuses it for a cross-namespace peer (ENOTCONN).
     */
    add: (a: VethEnd, b: VethEnd) => [
        "ip", "link", "add", "name", a.name, ...addAttrs(a), "type", "veth", "peer", "name", b.name, ...addAttrs(b),
    ],
    /** With -details for `linkinfo.info_kind`. Run with `netns` of the end. */
    show: (name: string) => ["ip", "-json", "-details", "link", "show", "dev", name],
    /** Run with `netns` of the end. */
    set: (name: string, changes: { mtu?: number; mac?: string; up?: boolean }) => [
        "ip", "link", "set", "dev", name,
        ...(changes.mtu === undefined ? [] : ["mtu", String(changes.mtu)]),
        ...(changes.mac === undefined ? [] : ["address", changes.mac]),
        ...(changes.up === undefined ? [] : [changes.up ? "up" : "down"]),
    ],
    /** Deleting one end deletes its peer. Run with `netns` of the end. */
    delete: (name: string) => ["ip", "link", "delete", "dev", name],
} as const;
