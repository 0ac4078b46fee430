/**
 * InterfaceAttachment: the pure part. Checked inputs in; diff decisions and argv lists out.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { Failures, booleanProblem, ifnameProblem, isUnknown, mtuProblem, netnsNameProblem } from "./inputs";
import { compact } from "./linkstate";
import type { ConnectionInputs } from "./runner";

/** Inputs after check: defaults filled in. */
export interface InterfaceAttachmentInputs {
    /** An existing interface of the host namespace, e.g. a NIC. Identity: changing it replaces. */
    readonly interface: string;
    /** The namespace it moves into. Identity: changing it replaces (back to the host, then in). */
    readonly netns: string;
    /** Administratively up inside the namespace. Default true. Changes in place. */
    readonly up: boolean;
    /** MTU inside the namespace; absent keeps the interface's own. Changes in place. */
    readonly mtu?: number;
    readonly connection?: ConnectionInputs;
}

/** What an InterfaceAttachment stores in state. */
export interface InterfaceAttachmentOutputs extends InterfaceAttachmentInputs {
    /** Whether the interface was up in the host namespace before; delete restores it. Absent in imported state. */
    readonly originalUp?: boolean;
    /** Its MTU in the host namespace before; delete restores it. Absent in imported state. */
    readonly originalMtu?: number;
}

export function checkInterfaceAttachment(news: Record<string, unknown>): dynamic.CheckResult<InterfaceAttachmentInputs> {
    const failures = new Failures();
    const iface = news.interface;
    const netns = news.netns;
    const up = news.up ?? true;
    const mtu = news.mtu ?? undefined;
    if (!isUnknown(iface)) {
        const problem = ifnameProblem(iface);
        if (problem) failures.add("interface", `InterfaceAttachment interface ${problem}`);
        else if (iface === "lo") {
            failures.add("interface", "InterfaceAttachment interface \"lo\" is the loopback interface, which cannot " +
                "leave its namespace; every namespace has its own (see Namespace loopbackUp)");
        }
    }
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `InterfaceAttachment netns ${problem}`);
    }
    if (!isUnknown(up)) {
        const problem = booleanProblem(up);
        if (problem) failures.add("up", `InterfaceAttachment up ${problem}`);
    }
    if (mtu !== undefined && !isUnknown(mtu)) {
        const problem = mtuProblem(mtu);
        if (problem) failures.add("mtu", `InterfaceAttachment mtu ${problem}`);
    }
    const inputs = compact({ interface: iface, netns, up, mtu, connection: news.connection ?? undefined });
    return { inputs: inputs as InterfaceAttachmentInputs, failures: failures.list };
}

/** The in-place changes: only what differs and what the new inputs manage. */
export function attachmentChanges(
    olds: InterfaceAttachmentInputs, news: InterfaceAttachmentInputs,
): { mtu?: number; up?: boolean } | undefined {
    const changes = compact({
        // Absent mtu means "leave it alone"; delete restores the original anyway.
        mtu: news.mtu !== undefined && news.mtu !== olds.mtu ? news.mtu : undefined,
        up: news.up !== olds.up ? news.up : undefined,
    });
    return Object.keys(changes).length > 0 ? changes : undefined;
}

export function diffInterfaceAttachment(
    olds: InterfaceAttachmentOutputs, news: InterfaceAttachmentInputs,
): dynamic.DiffResult {
    const replaces: string[] = [];
    const sameDevice = !isUnknown(news.interface) && news.interface === olds.interface;
    if (!sameDevice) replaces.push("interface");
    if (isUnknown(news.netns) || news.netns !== olds.netns) replaces.push("netns");
    // (`connection` is diffed for every kind in connection-handlers.ts.)
    return {
        changes: replaces.length > 0 || attachmentChanges(olds, news) !== undefined,
        replaces,
        // The same device must come back to the host before it can move elsewhere; a different
        // device can be attached first.
        deleteBeforeReplace: replaces.length > 0 && (sameDevice || isUnknown(news.interface)),
    };
}

export function interfaceAttachmentId(inputs: InterfaceAttachmentInputs): string {
    return `${inputs.netns}/${inputs.interface}`;
}

/** The attachment named by an id `NS/IFACE` (for import); no original state is known then. */
export function interfaceAttachmentFromId(id: string): InterfaceAttachmentOutputs | undefined {
    const bits = id.split("/");
    return bits.length === 2 && bits[0] && bits[1] ? { netns: bits[0], interface: bits[1], up: true } : undefined;
}

/** `mtu`/`up`/`down` arguments of `ip link set`. */
function setAttrs(changes: { mtu?: number; up?: boolean }): string[] {
    return [
        ...(changes.mtu === undefined ? [] : ["mtu", String(changes.mtu)]),
        ...(changes.up === undefined ? [] : [changes.up ? "up" : "down"]),
    ];
}

export const interfaceAttachmentCommands = {
    /** Run in the host namespace (before the move) or with `netns` (after). */
    show: (iface: string) => ["ip", "-json", "link", "show", "dev", iface],
    /**
     * Alone on purpose: the kernel applies `netns … mtu … up` partially (moved, then failing on the
     * MTU), so the move goes first and we know exactly what to undo. Moving sets the device down.
     */
    moveIn: (iface: string, netns: string) => ["ip", "link", "set", "dev", iface, "netns", netns],
    /** Run with `netns`: "netns 1" is the namespace of PID 1, the host's. */
    moveOut: (iface: string) => ["ip", "link", "set", "dev", iface, "netns", "1"],
    set: (iface: string, changes: { mtu?: number; up?: boolean }) => ["ip", "link", "set", "dev", iface, ...setAttrs(changes)],
    /** What to run after the move: undefined when the moved (down) device needs nothing. */
    settle: (inputs: InterfaceAttachmentInputs): string[] | undefined => {
        const changes = compact({ mtu: inputs.mtu, up: inputs.up ? true : undefined });
        return Object.keys(changes).length > 0 ? ["ip", "link", "set", "dev", inputs.interface, ...setAttrs(changes)] : undefined;
    },
    /** Back to the state recorded at create (host namespace); undefined when none was recorded. */
    restore: (props: InterfaceAttachmentOutputs): string[] | undefined => {
        const changes = compact({ mtu: props.originalMtu, up: props.originalUp });
        return Object.keys(changes).length > 0 ? ["ip", "link", "set", "dev", props.interface, ...setAttrs(changes)] : undefined;
    },
} as const;

/** Stderr when the target namespace already has a device of that name. */
export const NAME_TAKEN = /same name exists|File exists/;
/** Stderr for devices that cannot change namespace (NETIF_F_NETNS_LOCAL: loopback, bridges, …). */
export const NETNS_IMMUTABLE = /netns is immutable/;
