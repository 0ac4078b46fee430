/**
 * Host inspection and cleanup for kernel and engine tests. Tests create only uniquely named
 * namespaces and links, and remove them in after hooks even when they fail.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync } from "node:fs";

/** A unique name: `prefix` + 6 hex characters; keep prefix ≤ 9 bytes so it fits an interface name. */
export function uniqueName(prefix = "t"): string {
    return `${prefix}${randomBytes(3).toString("hex")}`;
}

function ip(...args: string[]): string {
    return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function namespaceExists(name: string): boolean {
    return listNamespaces().includes(name);
}

export function listNamespaces(): string[] {
    const out = ip("-json", "netns", "list").trim();
    return out ? (JSON.parse(out) as Array<{ name: string }>).map((n) => n.name).sort() : [];
}

/** Root-namespace link names. */
export function listLinks(): string[] {
    return (JSON.parse(ip("-json", "link", "show")) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
}

export function listEtcNetns(): string[] {
    return existsSync("/etc/netns") ? readdirSync("/etc/netns").sort() : [];
}

/** What tests may change on the host; compare before and after a test file. */
export interface HostSnapshot {
    namespaces: string[];
    links: string[];
    etcNetns: string[];
    /** pids of live charon processes. */
    charons: number[];
    /** Entries of the temp directory that this project, its tests or the Pulumi CLI create. */
    tempEntries: string[];
}

const OUR_TEMP_ENTRIES = /^(pulumi-netns-ssh-|netns-|pulumi-node-pipes)/;

export function snapshotHost(): HostSnapshot {
    return {
        namespaces: listNamespaces(),
        links: listLinks(),
        etcNetns: listEtcNetns(),
        charons: readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter(charonAlive).sort((a, b) => a - b),
        tempEntries: readdirSync(tmpdir()).filter((e) => OUR_TEMP_ENTRIES.test(e)).sort(),
    };
}

/** Deletes namespaces if they exist; for after hooks. */
export function removeNamespaces(names: Iterable<string>): void {
    for (const name of names) {
        try {
            ip("netns", "delete", name);
        } catch {
            // already gone
        }
    }
}

/** Runs `ip -n NS …` and returns stdout. */
export function ipIn(netns: string, ...args: string[]): string {
    return ip("-n", netns, ...args);
}

/** Whether `pid` is a live (not zombie) charon. */
export function charonAlive(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z" && readlinkSync(`/proc/${pid}/exe`).endsWith("/charon");
    } catch {
        return false;
    }
}

/**
 * After-hook cleanup for gateway tests: kills the charons whose pid files live in these
 * namespaces' overlays, deletes the namespaces and their /etc/netns entries, and /etc/netns itself
 * if it did not exist before and is empty now. Only names the test made are touched.
 */
export function removeGateways(namespaces: readonly string[], before: HostSnapshot): void {
    for (const ns of namespaces) {
        const pidFile = `/etc/netns/${ns}/ipsec.d/run/charon.pid`;
        const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
        if (pid > 0 && charonAlive(pid)) process.kill(pid, "SIGKILL");
    }
    removeNamespaces(namespaces);
    for (const ns of namespaces) rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    if (before.etcNetns.length === 0 && existsSync("/etc/netns") && readdirSync("/etc/netns").length === 0) {
        rmdirSync("/etc/netns");
    }
}

/**
 * A snapshot without temp entries: for checks in the middle of a suite, while the suite's own
 * stack directories exist (the after hook compares whole snapshots).
 */
export function hostObjects(snapshot: HostSnapshot = snapshotHost()): Omit<HostSnapshot, "tempEntries"> {
    const { tempEntries: _ignored, ...objects } = snapshot;
    return objects;
}
