/**
 * Pure helpers for check and diff: unknown values, validators, failures.
 * Nothing here touches the host: `pulumi preview` runs check and diff, also in CI.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The value a dynamic provider receives during preview for an input that is not known yet.
 * It arrives as this string even in non-string fields.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/**
 * True if `a` and `b` hold the same strings, in any order (absent = empty). A `b` that is unknown
 * (preview), or holds an unknown, equals nothing: it may turn out different.
 */
export function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
    if (b !== undefined && (!Array.isArray(b) || b.some(isUnknown))) return false;
    const left = [...(a ?? [])].sort();
    const right = [...(b ?? [])].sort();
    return left.length === right.length && left.every((s, i) => s === right[i]);
}

/** A validation failure: the property and what to do about it. */
export type Failure = dynamic.CheckFailure;

/** Collects failures while a check normalizes its inputs. */
export class Failures {
    readonly list: Failure[] = [];
    add(property: string, reason: string): void {
        this.list.push({ property, reason });
    }
}

const NAME_MAX = 255;

/**
 * Why `name` is not a usable network namespace name, or undefined if it is.
 * `ip netns` puts the name in /run/netns/NAME and /etc/netns/NAME, so it must be a single path
 * component; we also keep it to characters that need no quoting anywhere.
 */
export function netnsNameProblem(name: unknown): string | undefined {
    if (typeof name !== "string" || name.length === 0) {
        return "must be a non-empty string, e.g. \"gw-left\"";
    }
    if (name === "." || name === "..") {
        return `"${name}" is a path trick, not a name; use letters, digits, '.', '_' or '-'`;
    }
    if (Buffer.byteLength(name) > NAME_MAX) {
        return `is ${Buffer.byteLength(name)} bytes long; the kernel allows at most ${NAME_MAX}`;
    }
    if (/^[0-9]+$/.test(name)) {
        return `"${name}" is all digits, which \`ip\` reads as a process id (as in \`netns 1\`); add a letter`;
    }
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
        return `"${printable(name)}" may only contain letters, digits, '.', '_' and '-', and must not start with '.' or '-'`;
    }
    return undefined;
}

/** Shows control characters visibly in error messages. */
export function printable(s: string): string {
    return JSON.stringify(s).slice(1, -1);
}

/** Why `value` is not a boolean (or unknown), or undefined. */
export function booleanProblem(value: unknown): string | undefined {
    return typeof value === "boolean" ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
}

/** Linux IFNAMSIZ is 16 including the terminating NUL. */
const IFNAME_MAX = 15;

/**
 * Why `name` is not a valid interface name, or undefined. The kernel's rules (dev_valid_name):
 * 1–15 bytes, not "." or "..", no '/', ':' or whitespace; we also reject control characters and
 * a leading '-', which `ip` would read as an option.
 */
export function ifnameProblem(name: unknown): string | undefined {
    if (typeof name !== "string" || name.length === 0) {
        return "must be a non-empty string, e.g. \"veth-left\"";
    }
    const bytes = Buffer.byteLength(name);
    if (bytes > IFNAME_MAX) {
        return `"${printable(name)}" is ${bytes} bytes long; Linux interface names have at most ${IFNAME_MAX}`;
    }
    if (name === "." || name === "..") {
        return `"${name}" is not a valid interface name`;
    }
    // eslint-disable-next-line no-control-regex
    if (/[/:\s\x00-\x1f\x7f]/.test(name) || name.startsWith("-")) {
        return `"${printable(name)}" must not contain '/', ':', whitespace or control characters, nor start with '-'`;
    }
    return undefined;
}

/** Why `mtu` is not a usable MTU, or undefined. 68 is the IPv4 minimum; 65535 the largest `ip` accepts for most links. */
export function mtuProblem(mtu: unknown): string | undefined {
    if (typeof mtu !== "number" || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) {
        return `must be an integer from 68 to 65535 (1500 for Ethernet), got ${JSON.stringify(mtu)}`;
    }
    return undefined;
}
