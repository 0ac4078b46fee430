/**
 * Pure helpers shared by the link-level resources (VethPair, InterfaceAttachment, Address, Route):
 * reading `ip -json link show`, "gone" stderr patterns, MAC validation.
 */
import { printable } from "./inputs";

/** Stderr when a device is missing (`show`: "does not exist"; `set`/`del`: "Cannot find device"). */
export const DEVICE_GONE = /Device "[^"]*" does not exist|Cannot find device/;

/**
 * Stderr when the namespace does not exist: `ip -n NS …`, `ip netns exec|pids NS` ("Cannot open
 * network namespace") and `ip netns delete NS` ("Cannot remove namespace file …: No such file or directory").
 */
export const NETNS_GONE = /Cannot open network namespace|Cannot remove namespace file .*: No such file or directory/;

/** Stderr when `netns NAME` names no namespace (`ip link add … netns NAME`, `ip link set … netns NAME`). */
export const NETNS_ARG_INVALID = /Invalid "netns" value/;

/** What read needs of one link. */
export interface LinkState {
    readonly ifname: string;
    readonly mtu: number;
    /** IFF_UP (administratively up), not the operstate. */
    readonly up: boolean;
    readonly mac: string;
    /** `linkinfo.info_kind` when shown with `-details` (e.g. "veth"). */
    readonly kind?: string;
}

/** The first link of `ip -json [-details] link show dev NAME`. */
export function parseLink(json: string): LinkState | undefined {
    const links = JSON.parse(json) as Array<{
        ifname: string; mtu: number; flags?: string[]; address?: string; linkinfo?: { info_kind?: string };
    }>;
    const link = links[0];
    if (!link) return undefined;
    return {
        ifname: link.ifname,
        mtu: link.mtu,
        up: link.flags?.includes("UP") ?? false,
        mac: (link.address ?? "").toLowerCase(),
        ...(link.linkinfo?.info_kind === undefined ? {} : { kind: link.linkinfo.info_kind }),
    };
}

/** Why `mac` is not a unicast Ethernet address, or undefined. */
export function macProblem(mac: unknown): string | undefined {
    const example = "write six hex pairs like 02:00:00:00:00:01 (02 marks it locally administered)";
    if (typeof mac !== "string" || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(mac)) {
        return `${JSON.stringify(typeof mac === "string" ? printable(mac) : mac)} is not a MAC address; ${example}`;
    }
    const first = parseInt(mac.slice(0, 2), 16);
    if (first & 1) return `"${mac}" is a multicast address (lowest bit of the first byte set); ${example}`;
    if (/^(00:){5}00$/.test(mac)) return `"${mac}" is all zeros; ${example}`;
    return undefined;
}

/** `ip -n NS …` target for messages: "host" when absent. */
export function where(netns: string | undefined): string {
    return netns === undefined ? "the host namespace" : `netns "${netns}"`;
}

/** A user-facing explanation of a failed command that keeps the command (argv, stderr) as its cause. */
export function explained(text: string, cause: unknown): Error {
    return new Error(text, { cause });
}

/** Copies `obj` without keys whose value is undefined, so state and tests see no `key: undefined`. */
export function compact<T extends object>(obj: T): T {
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
