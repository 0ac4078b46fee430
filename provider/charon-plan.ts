/**
 * strongSwan gateway: the pure part of running one charon per network namespace.
 * Paths, argv builders, and parsers for swanctl's output. Never touches the host.
 *
 * Layout (verified with Debian's strongSwan 5.9.8): `ip netns exec NS` bind-mounts every
 * top-level entry of /etc/netns/NS/ over its counterpart in /etc — only if that counterpart
 * exists; if it does not, ip prints "Bind … failed" and runs the command anyway, with the host's
 * file. So /etc/strongswan.conf, /etc/swanctl and /etc/ipsec.d must exist (Debian's packages ship
 * them; the overlay writes in etc-overlay.ts create empty placeholders where they do not). The
 * overlay of /etc/ipsec.d replaces the whole directory (no /etc/ipsec.d/run is needed on the
 * host), and inside it `run/` holds charon.pid, charon.vici and charon.log:
 *
 *   /etc/netns/NS/strongswan.conf          -> /etc/strongswan.conf
 *   /etc/netns/NS/swanctl/swanctl.conf     -> /etc/swanctl/swanctl.conf
 *   /etc/netns/NS/ipsec.d/run/             -> /etc/ipsec.d/run/ (pid file, vici socket, log)
 *
 * Debian's charon has its pid file compiled in as /var/run/charon.pid (/var/run -> /run), and
 * charon refuses to start while the pid in it is alive — in any namespace. The distro build is
 * therefore started with /etc/ipsec.d/run bind-mounted over /run in its (private) mount
 * namespace: the pid file lands in /etc/netns/NS/ipsec.d/run/charon.pid, readable from the host,
 * exactly where a build with `--with-piddir=/etc/ipsec.d/run` (the seed's way) puts it.
 *
 * Never start a second charon in a namespace whose charon is alive: before it notices the pid
 * file and exits (code 66), the newcomer has already loaded its plugins — its vici plugin
 * replaces the live daemon's socket (the live charon becomes unreachable) and its kernel-netlink
 * plugin removes the routing rule for table 220 on exit (verified). Check with
 * {@link charonLiveness} first, under a lock.
 */
import { CHARON_RUN_DIR } from "./strongswan-render";

/** Debian's daemon (strongswan-charon). It runs in the foreground. */
export const DISTRO_CHARON = "/usr/lib/ipsec/charon";

/** Which charon binary, and where its pid file is compiled to live. */
export type CharonBuild =
    /** Pid file compiled in as /var/run/charon.pid (Debian, Ubuntu, …): give it a private /run. */
    | { readonly kind: "distro"; readonly charon?: string }
    /** Built with `--sysconfdir=/etc --with-piddir=/etc/ipsec.d/run` (the seed's way). */
    | { readonly kind: "piddir"; readonly charon: string };

/** Host paths of one namespace's charon, in its run dir (seen inside the namespace as /etc/ipsec.d/run). */
export interface CharonPaths {
    readonly pidFile: string;
    readonly viciSocket: string;
    readonly logFile: string;
}

/** `netns` must already be a valid namespace name (inputs.netnsNameProblem): it becomes a path component. */
export function charonPaths(netns: string): CharonPaths {
    if (netns.length === 0 || netns === "." || netns === ".." || netns.includes("/") || netns.includes("\0")) {
        throw new Error(`charonPaths: ${JSON.stringify(netns)} is not a namespace name`);
    }
    const runDir = `/etc/netns/${netns}/ipsec.d/run`;
    return {
        pidFile: `${runDir}/charon.pid`,
        viciSocket: `${runDir}/charon.vici`,
        logFile: `${runDir}/charon.log`,
    };
}

/** Inside the namespace (after the overlay): where charon's log goes. */
const LOG_INSIDE = `${CHARON_RUN_DIR}/charon.log`;

/**
 * The start script, run by `sh -c SCRIPT charon-start CHARON`. It detaches its output first
 * (so the runner's pipes close at once and errors still reach the log), then for the distro
 * build bind-mounts the per-namespace run dir over /run — `ip netns exec` already gave it a
 * mount namespace of its own with slave propagation, so nothing leaks to the host (verified).
 */
export function startScript(build: CharonBuild): string {
    const detach = `exec </dev/null >>${LOG_INSIDE} 2>&1 || exit 1`;
    const lines = build.kind === "distro"
        ? [detach, `mount --bind ${CHARON_RUN_DIR} /run || exit 1`, "exec \"$1\""]
        : [detach, "exec \"$1\""];
    return lines.join("\n");
}

function charonBinary(build: CharonBuild): string {
    return build.kind === "distro" ? build.charon ?? DISTRO_CHARON : build.charon;
}

/** Exit codes of swanctl when no daemon answers on the socket: ECONNREFUSED (stale socket), ENOENT (none). */
export const VICI_DOWN_EXIT_CODES = [111, 2] as const;

/** How to wait for vici after a start. charon answered after 27–74 ms in every measured start. */
export const VICI_WAIT = { intervalMs: 25, timeoutMs: 5_000 } as const;

/**
 * Argv lists. "host" commands run without `netns`; "netns" commands with `{ netns }` through the
 * runner (which prefixes `ip netns exec NS`, so the overlay applies).
 */
export const charonCommands = {
    /** host: the pid file (okExitCodes [0, 1]: 1 when absent). */
    readPidFile: (paths: CharonPaths) => ["cat", paths.pidFile],
    /** host: the namespace(s) a process is in. Empty output if none of /run/netns matches. */
    identify: (pid: number) => ["ip", "netns", "identify", String(pid)],
    /**
     * host: the binary of a process (okExitCodes [0, 1]: 1 when the process is gone). Also the
     * test for "gone" after a signal: `kill -0` still succeeds for a zombie, and on hosts whose
     * init reaps slowly a killed charon stays a zombie for seconds (2 s measured), while its
     * /proc/PID/exe link is unreadable from the moment it exits.
     */
    exe: (pid: number) => ["readlink", `/proc/${pid}/exe`],
    /** netns: start charon detached (setsid -f returns at once; charon's output goes to the log). */
    start: (build: CharonBuild) => ["setsid", "-f", "sh", "-c", startScript(build), "charon-start", charonBinary(build)],
    /** host: stop (TERM: charon deletes its SAs, TUN device, routes and rule, then its pid file) or kill. */
    signal: (pid: number, signal: "TERM" | "KILL" | "HUP" = "TERM") => ["kill", `-${signal}`, String(pid)],
    /** netns: vici probe; exits with a code of {@link VICI_DOWN_EXIT_CODES} while charon is not up. */
    stats: () => ["swanctl", "--stats", "--pretty"],
    /** netns: (re)load connections and secrets from swanctl.conf; unloads what is no longer there. Same pid. */
    loadAll: () => ["swanctl", "--load-all", "--noprompt"],
    /** netns: bring up a child (and its IKE_SA). Exits 1 with "initiate failed: …" on failure. */
    initiate: (child: string, timeoutS = 10) => ["swanctl", "--initiate", "--child", child, "--timeout", String(timeoutS)],
    /** netns: tear down an IKE_SA and its children. */
    terminateIke: (ike: string, timeoutS = 5) => ["swanctl", "--terminate", "--ike", ike, "--timeout", String(timeoutS)],
    listSas: () => ["swanctl", "--list-sas", "--pretty"],
    listConns: () => ["swanctl", "--list-conns", "--pretty"],
} as const;

/** The pid in a pid file's text, or undefined if it holds none. */
export function parsePidFile(text: string): number | undefined {
    const m = /^\s*(\d+)\s*$/.exec(text);
    if (!m) return undefined;
    const pid = Number(m[1]);
    return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

/**
 * What the pid file says about a namespace's charon:
 * - `running`: the pid is a charon (of this build) in this namespace — do not start another;
 * - `stale`: a pid file whose process is gone, a zombie, or something else (pid reuse) — remove
 *   the file before starting (`strongSwanCommands.removeStale`), or charon refuses to start
 *   ("charon already running", exit 66) while that pid exists, zombies included;
 * - `absent`: no pid file.
 */
export type CharonLiveness = { state: "running"; pid: number } | { state: "stale"; pid?: number } | { state: "absent" };

/** True if `readlink /proc/PID/exe` output names this build's charon. */
export function isCharonExe(readlinkStdout: string | undefined, build: CharonBuild): boolean {
    // After a package upgrade the running binary shows as "/usr/lib/ipsec/charon (deleted)".
    return (readlinkStdout ?? "").trim().replace(/ \(deleted\)$/, "") === charonBinary(build);
}

export function charonLiveness(
    netns: string,
    build: CharonBuild,
    probe: { pidFile?: string; identify?: string; exe?: string },
): CharonLiveness {
    if (probe.pidFile === undefined) return { state: "absent" };
    const pid = parsePidFile(probe.pidFile);
    if (pid === undefined) return { state: "stale" };
    const names = (probe.identify ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
    if (names.includes(netns) && isCharonExe(probe.exe, build)) return { state: "running", pid };
    return { state: "stale", pid };
}

// ---------------------------------------------------------------------------------------------
// vici output (swanctl --pretty)

/** A value in a vici message: a string, a list of strings, or a section. */
export type ViciValue = string | string[] | ViciSection;
export interface ViciSection {
    [key: string]: ViciValue;
}
/** One message of `swanctl … --pretty` output, e.g. label "list-sa event". */
export interface ViciMessage {
    readonly label: string;
    readonly body: ViciSection;
}

function put(section: ViciSection, key: string, value: ViciValue): void {
    // defineProperty: a key such as "__proto__" becomes an ordinary own property.
    Object.defineProperty(section, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses swanctl's `--pretty` dump (vici_message.c `dump`): one item per line — `label {`,
 * `name {`, `key = value`, `key = [`, list items, `}` and `]`. Values are printed verbatim when
 * printable (so they never contain a newline) and as `0x…` hex otherwise. Lines outside messages
 * (e.g. swanctl's plugin warnings) are ignored. A string value that is exactly "[" is read as a
 * list start: vici's dump format cannot tell them apart.
 */
export function parseViciPretty(text: string): ViciMessage[] {
    const messages: ViciMessage[] = [];
    const stack: ViciSection[] = [];
    let list: string[] | undefined;
    let label: string | undefined;
    for (const raw of text.split("\n")) {
        const line = raw.replace(/\r$/, "");
        const trimmed = line.trim();
        if (stack.length === 0) {
            const m = /^(\S.*) \{$/.exec(line);
            if (m) {
                label = m[1];
                const body: ViciSection = {};
                stack.push(body);
                messages.push({ label, body });
            }
            continue;
        }
        if (list !== undefined) {
            if (trimmed === "]") list = undefined;
            else list.push(line.replace(/^\s*/, ""));
            continue;
        }
        if (trimmed === "}") {
            stack.pop();
            continue;
        }
        const top = stack[stack.length - 1];
        const kv = /^\s*([^\s=]+) = (.*)$/.exec(line);
        if (kv) {
            if (kv[2] === "[") {
                list = [];
                put(top, kv[1], list);
            } else {
                put(top, kv[1], kv[2]);
            }
            continue;
        }
        const sec = /^\s*(\S+) \{$/.exec(line);
        if (sec) {
            const child: ViciSection = {};
            put(top, sec[1], child);
            stack.push(child);
            continue;
        }
        // Anything else (blank lines): ignore.
    }
    if (stack.length > 0 || list !== undefined) {
        throw new Error("truncated swanctl output: a section or list was not closed");
    }
    return messages;
}

function str(section: ViciSection, key: string): string | undefined {
    const v = section[key];
    return typeof v === "string" ? v : undefined;
}
function num(section: ViciSection, key: string): number | undefined {
    const v = str(section, key);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
function strs(section: ViciSection, key: string): string[] {
    const v = section[key];
    return Array.isArray(v) ? v : [];
}
function sections(section: ViciSection, key: string): Array<[string, ViciSection]> {
    const v = section[key];
    if (v === undefined || typeof v === "string" || Array.isArray(v)) return [];
    return Object.entries(v).filter((e): e is [string, ViciSection] => typeof e[1] === "object" && !Array.isArray(e[1]));
}

/** One CHILD_SA from `swanctl --list-sas`. */
export interface ChildSaStatus {
    /** Config name ("net"); the section key is "net-<uniqueid>". */
    readonly name: string;
    readonly uniqueId?: number;
    /** INSTALLED, REKEYING, REKEYED, DELETING, … */
    readonly state: string;
    readonly mode?: string;
    readonly protocol?: string;
    /** UDP-encapsulated (always with libipsec). */
    readonly encap: boolean;
    readonly spiIn?: string;
    readonly spiOut?: string;
    readonly bytesIn: number;
    readonly packetsIn: number;
    readonly bytesOut: number;
    readonly packetsOut: number;
    readonly localTs: string[];
    readonly remoteTs: string[];
}

/** One IKE_SA from `swanctl --list-sas`. */
export interface IkeSaStatus {
    /** Connection name. */
    readonly name: string;
    readonly uniqueId?: number;
    /** ESTABLISHED, CONNECTING, REKEYING, DELETING, … */
    readonly state: string;
    readonly version?: number;
    readonly localHost?: string;
    readonly localId?: string;
    readonly remoteHost?: string;
    readonly remoteId?: string;
    readonly initiator: boolean;
    readonly children: ChildSaStatus[];
}

/** Parses `swanctl --list-sas --pretty`: one "list-sa event" per IKE_SA. */
export function parseListSas(text: string): IkeSaStatus[] {
    const out: IkeSaStatus[] = [];
    for (const msg of parseViciPretty(text)) {
        if (msg.label !== "list-sa event") continue;
        for (const [name, sa] of Object.entries(msg.body)) {
            if (typeof sa !== "object" || Array.isArray(sa)) continue;
            const children = sections(sa, "child-sas").map(([, c]): ChildSaStatus => ({
                name: str(c, "name") ?? "",
                uniqueId: num(c, "uniqueid"),
                state: str(c, "state") ?? "",
                mode: str(c, "mode"),
                protocol: str(c, "protocol"),
                encap: str(c, "encap") === "yes",
                spiIn: str(c, "spi-in"),
                spiOut: str(c, "spi-out"),
                bytesIn: num(c, "bytes-in") ?? 0,
                packetsIn: num(c, "packets-in") ?? 0,
                bytesOut: num(c, "bytes-out") ?? 0,
                packetsOut: num(c, "packets-out") ?? 0,
                localTs: strs(c, "local-ts"),
                remoteTs: strs(c, "remote-ts"),
            }));
            const version = num(sa, "version");
            out.push({
                name,
                uniqueId: num(sa, "uniqueid"),
                state: str(sa, "state") ?? "",
                version,
                localHost: str(sa, "local-host"),
                localId: str(sa, "local-id"),
                remoteHost: str(sa, "remote-host"),
                remoteId: str(sa, "remote-id"),
                initiator: str(sa, "initiator") === "yes",
                children,
            });
        }
    }
    return out;
}

/** One loaded connection from `swanctl --list-conns`. */
export interface ConnStatus {
    readonly name: string;
    readonly localAddrs: string[];
    readonly remoteAddrs: string[];
    /** "IKEv1", "IKEv2" or "IKEv1/2". */
    readonly version?: string;
    readonly localIds: string[];
    readonly remoteIds: string[];
    readonly children: Array<{ name: string; mode?: string; localTs: string[]; remoteTs: string[]; dpdAction?: string }>;
}

/** Parses `swanctl --list-conns --pretty`: one "list-conn event" per connection. */
export function parseListConns(text: string): ConnStatus[] {
    const out: ConnStatus[] = [];
    for (const msg of parseViciPretty(text)) {
        if (msg.label !== "list-conn event") continue;
        for (const [name, c] of Object.entries(msg.body)) {
            if (typeof c !== "object" || Array.isArray(c)) continue;
            const ids = (prefix: string) => Object.entries(c)
                .filter(([k, v]) => (k === prefix || k.startsWith(`${prefix}-`)) && typeof v === "object" && !Array.isArray(v))
                .map(([, v]) => str(v as ViciSection, "id"))
                .filter((id): id is string => id !== undefined);
            out.push({
                name,
                localAddrs: strs(c, "local_addrs"),
                remoteAddrs: strs(c, "remote_addrs"),
                version: str(c, "version"),
                localIds: ids("local"),
                remoteIds: ids("remote"),
                children: sections(c, "children").map(([childName, ch]) => ({
                    name: childName,
                    mode: str(ch, "mode"),
                    localTs: strs(ch, "local-ts"),
                    remoteTs: strs(ch, "remote-ts"),
                    dpdAction: str(ch, "dpd_action"),
                })),
            });
        }
    }
    return out;
}
