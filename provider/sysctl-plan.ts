/**
 * Sysctl: the pure part. Key and value normalization, diff, and the argv that read and write
 * /proc/sys inside a namespace.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { Failures, isUnknown, netnsNameProblem, printable } from "./inputs";
import type { ConnectionInputs } from "./runner";

/** Inputs after check: the key in dotted form, the value as a string. */
export interface SysctlInputs {
    /** The namespace whose setting this is. Changing it replaces the resource. */
    readonly netns: string;
    /**
     * The key in sysctl(8)'s dotted form, e.g. `net.ipv4.conf.eth0/100.rp_filter` (a '/' inside
     * a dotted segment stands for a '.' in the file name). Changing it replaces the resource.
     */
    readonly key: string;
    /** The value to write, whitespace runs collapsed to one space. Changes in place. */
    readonly value: string;
    /** The target host; absent means this machine. Checked and diffed by registry's withConnection. */
    readonly connection?: ConnectionInputs;
}

/** What a Sysctl stores in state (v1). */
export interface SysctlOutputs extends SysctlInputs {
    /** The value found before create wrote `value` (normalized); delete writes it back. */
    readonly previousValue?: string;
}

/** The kernel takes at most a page per write; values this long are certainly a mistake. */
const VALUE_MAX = 4095;
/** One path component under /proc/sys (NAME_MAX). */
const COMPONENT_MAX = 255;

/**
 * Splits a key into the components of its /proc/sys path. sysctl(8)'s rule decides the form: if
 * the first separator is '/', the key is a path (`net/ipv4/conf/eth0.100/rp_filter`); if it is
 * '.', the key is dotted and a '/' inside a segment is a literal '.' (`net.ipv4.conf.eth0/100.rp_filter`).
 */
export function keyComponents(key: string): string[] {
    const firstSeparator = /[./]/.exec(key)?.[0];
    return firstSeparator === "/"
        ? key.split("/")
        : key.split(".").map((segment) => segment.replace(/\//g, "."));
}

/** The dotted form of a path's components: '.' inside a component becomes '/', as sysctl(8) prints it. */
export function dottedKey(components: readonly string[]): string {
    return components.map((c) => c.replace(/\./g, "/")).join(".");
}

/** The checked (dotted) key of an interface's IPv4 setting, e.g. `net.ipv4.conf.eth0/100.promote_secondaries`. */
export function ipv4ConfKey(iface: string, setting: string): string {
    return dottedKey(["net", "ipv4", "conf", iface, setting]);
}

/** The /proc/sys file of a (checked) key. */
export function sysctlPath(key: string): string {
    return `/proc/sys/${keyComponents(key).join("/")}`;
}

/** Why `key` is not a `net.*` sysctl key this resource may touch, or undefined. */
export function sysctlKeyProblem(key: unknown): string | undefined {
    if (typeof key !== "string" || key.length === 0) {
        return "must be a non-empty string, e.g. \"net.ipv4.ip_forward\"";
    }
    const components = keyComponents(key);
    if (components[0] !== "net" || components.length < 2) {
        return `"${printable(key)}" is not a net.* key; only per-namespace settings (net.…) can be managed, e.g. "net.ipv4.ip_forward"`;
    }
    for (const c of components) {
        if (c === "") {
            return `"${printable(key)}" has an empty segment; write the key as net.a.b (or net/a/b) without doubled or trailing separators`;
        }
        if (c === "." || c === "..") {
            return `"${printable(key)}" names "${c}" as a path component; give the real setting name`;
        }
        if (!/^[\x21-\x7e]+$/.test(c)) {
            return `"${printable(key)}" contains whitespace, control or non-ASCII characters; give the key as sysctl -a prints it`;
        }
        if (c.length > COMPONENT_MAX) {
            return `"${printable(key)}" has a segment longer than ${COMPONENT_MAX} bytes`;
        }
    }
    return undefined;
}

/** The value as the kernel's files compare: trimmed, whitespace runs (the tabs of ranges) as one space. */
export function normalizeValue(value: string): string {
    return value.trim().replace(/\s+/g, " ");
}

/** Why `value` is not a usable sysctl value, or undefined. */
export function sysctlValueProblem(value: unknown): string | undefined {
    if (typeof value === "number") {
        return Number.isFinite(value) ? undefined : `must be a finite number or a string, got ${String(value)}`;
    }
    if (typeof value !== "string") {
        return `must be a string or a number, e.g. "1" or "32768 60999", got ${JSON.stringify(value)}`;
    }
    const normalized = normalizeValue(value);
    if (normalized === "") return "must not be empty; give the value to write, e.g. \"1\"";
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
        return `"${printable(value)}" contains a line break or control character; separate the parts of ` +
            "multi-value settings with spaces or tabs, e.g. \"32768 60999\"";
    }
    if (Buffer.byteLength(normalized) > VALUE_MAX) return `is longer than ${VALUE_MAX} bytes`;
    return undefined;
}

export function checkSysctl(news: Record<string, unknown>): dynamic.CheckResult<SysctlInputs> {
    const failures = new Failures();
    const { netns } = news;
    let { key, value } = news;
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `netns ${problem}; give the name of an existing namespace`);
    }
    if (!isUnknown(key)) {
        const problem = sysctlKeyProblem(key);
        if (problem) failures.add("key", `key ${problem}`);
        else key = dottedKey(keyComponents(key as string));
    }
    if (!isUnknown(value)) {
        const problem = sysctlValueProblem(value);
        if (problem) failures.add("value", `value ${problem}`);
        else value = normalizeValue(String(value));
    }
    const inputs = { netns, key, value } as SysctlInputs;
    return { inputs, failures: failures.list };
}

export function diffSysctl(olds: SysctlOutputs, news: SysctlInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    if (isUnknown(news.netns) || olds.netns !== news.netns) replaces.push("netns");
    if (isUnknown(news.key) || olds.key !== news.key) replaces.push("key");
    const changed = replaces.length > 0
        || isUnknown(news.value) || olds.value !== news.value;
    // A replacement always targets another file (or namespace), so the new one may come first.
    return { changes: changed, replaces, deleteBeforeReplace: false };
}

/**
 * Inside the namespace: /proc/sys/net shows the settings of the namespace of whoever opens it, so
 * `ip netns exec NS` (which the runner applies) is all the switching needed.
 */
export const sysctlCommands = {
    read: (key: string) => ["cat", sysctlPath(key)],
    /** The value goes over stdin; tee's exit code is the write's. */
    write: (key: string) => ["tee", sysctlPath(key)],
} as const;

/** Stderr when the setting's file (e.g. of a deleted interface) or its namespace is gone. */
export const SYSCTL_GONE = /No such file or directory|Cannot open network namespace/;
