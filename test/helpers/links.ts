/**
 * Link-level inspection for kernel tests of VethPair, InterfaceAttachment, Address and Route:
 * plain `ip -json` reads (argv, no shell), polling for the kernel's asynchronous namespace
 * cleanup, and removal of host-side veth ends a test made.
 */
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { HostSnapshot, snapshotHost } from "./host";

function ip(netns: string | undefined, ...args: string[]): string {
    const argv = netns === undefined ? args : ["-n", netns, ...args];
    return execFileSync("ip", argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs `ip [-n NS] …` and returns stdout; throws on failure. */
export function ipRun(netns: string | undefined, ...args: string[]): string {
    return ip(netns, ...args);
}

export interface LinkInfo {
    ifname: string;
    mtu: number;
    flags: string[];
    address: string;
}

/** The link `name` in `netns` (undefined: host), or undefined if it is not there. */
export function linkIn(netns: string | undefined, name: string): LinkInfo | undefined {
    try {
        return (JSON.parse(ip(netns, "-json", "link", "show", "dev", name)) as LinkInfo[])[0];
    } catch {
        return undefined;
    }
}

export function isUp(link: LinkInfo | undefined): boolean {
    return link?.flags.includes("UP") ?? false;
}

/** `address/prefix` of every address on `dev` in `netns`. */
export function addressesOn(netns: string, dev: string): string[] {
    const links = JSON.parse(ip(netns, "-json", "address", "show", "dev", dev)) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
    return (links[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}

export interface RouteInfo { dst: string; gateway?: string; dev?: string; metric?: number }

/** `ip -json -4|-6 route show FILTER…` in `netns`; [] when the table does not exist. */
export function routesIn(netns: string, family: "-4" | "-6", ...filter: string[]): RouteInfo[] {
    try {
        const out = ip(netns, "-json", family, "route", "show", ...filter).trim();
        return out ? (JSON.parse(out) as RouteInfo[]) : [];
    } catch {
        return [];
    }
}

/** Polls `condition` (the kernel tears namespaces down asynchronously). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/**
 * Asserts the host is as `before` for everything but other test files' throwaway objects: names
 * made by `uniqueName` with a prefix not in `mine` (test files of other kinds may run at the same
 * time on this host). Waits a little first: devices of a deleted namespace (and their host-side
 * veth peers) go asynchronously.
 */
export async function settled(before: HostSnapshot, mine: readonly string[], timeoutMs = 15_000): Promise<void> {
    const relevant = (name: string) => !/^t[a-z]{0,8}[0-9a-f]{6}$/.test(name) || mine.some((p) => name.startsWith(p));
    const view = (s: HostSnapshot): HostSnapshot => ({
        ...s, namespaces: s.namespaces.filter(relevant), links: s.links.filter(relevant), etcNetns: s.etcNetns.filter(relevant),
    });
    const same = () => JSON.stringify(view(snapshotHost())) === JSON.stringify(view(before));
    const until = Date.now() + timeoutMs;
    while (!same() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(view(snapshotHost()), view(before), "the host is as the tests found it");
}

/** Deletes host links a test made, if they still exist; for after hooks. */
export function removeHostLinks(names: Iterable<string>): void {
    for (const name of names) {
        try {
            ip(undefined, "link", "delete", "dev", name);
        } catch {
            // already gone
        }
    }
}

/** Runs a provider's check and insists it passes: tests create from checked inputs, as the engine does. */
export async function checked<T>(provider: dynamic.ResourceProvider<T>, news: Record<string, unknown>): Promise<T> {
    const { inputs, failures } = await provider.check!({} as T, news as T);
    assert.deepEqual(failures ?? [], [], "check passes");
    return inputs as T;
}
