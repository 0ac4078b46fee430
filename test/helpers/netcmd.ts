/**
 * Test set-up inside throwaway namespaces: plain commands (argv, no shell) for what the resource
 * under test does not manage itself (veth pairs, addresses, pings, foreign nft tables).
 */
import { execFileSync, spawnSync } from "node:child_process";

/** Runs argv and returns stdout; throws with stderr on failure. */
export function run(argv: readonly string[], input?: string): string {
    const [file, ...args] = argv;
    return execFileSync(file, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs argv inside namespace `ns`. */
export function runIn(ns: string, argv: readonly string[], input?: string): string {
    return run(["ip", "netns", "exec", ns, ...argv], input);
}

/** A veth pair with one end in each namespace, both ends up; never passes through the host namespace. */
export function vethBetween(nsA: string, ifA: string, nsB: string, ifB: string): void {
    run(["ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB]);
    run(["ip", "-n", nsA, "link", "set", ifA, "up"]);
    run(["ip", "-n", nsB, "link", "set", ifB, "up"]);
}

export function addAddress(ns: string, ifname: string, cidr: string): void {
    run(["ip", "-n", ns, "addr", "add", cidr, "dev", ifname]);
}

/** True if one ping from `ns` to `address` is answered within a second. */
export function pings(ns: string, address: string): boolean {
    return spawnSync("ip", ["netns", "exec", ns, "ping", "-c", "1", "-W", "1", address], { stdio: "ignore" }).status === 0;
}

/** True if `cmd` is on PATH. */
export function have(cmd: string): boolean {
    return spawnSync("sh", ["-c", 'command -v "$1"', "sh", cmd], { stdio: "ignore" }).status === 0;
}

/**
 * True if a ping gets through within `tries` one-second attempts. For "it works now" checks: a
 * neighbour entry still resolving from an earlier failed ping can swallow the first attempt.
 */
export function pingsSoon(ns: string, address: string, tries = 5): boolean {
    for (let i = 0; i < tries; i++) if (pings(ns, address)) return true;
    return false;
}
