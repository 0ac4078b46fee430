/**
 * strongSwan gateway: the pure renderer. Typed configuration in; the text of a per-namespace
 * `strongswan.conf` and `swanctl/swanctl.conf` out. Never touches the host.
 *
 * The files go to `/etc/netns/<ns>/strongswan.conf` and `/etc/netns/<ns>/swanctl/swanctl.conf`,
 * which `ip netns exec <ns>` bind-mounts over `/etc/strongswan.conf` and `/etc/swanctl`
 * (see charon-plan.ts for the paths and the daemon's lifecycle).
 *
 * Syntax (strongSwan 5.9.8, src/libstrongswan/settings/settings_lexer.l and settings_parser.y):
 * - Section names and keys may not contain `. , : { } = " #`, whitespace or control characters;
 *   a section named `include` is read as an include statement. We allow `[A-Za-z0-9_-]` only.
 * - A value runs to the end of the line. Unquoted, it is split on blanks and re-joined with single
 *   spaces, `#` starts a comment and `}` ends the enclosing section. One setting per line.
 * - A double-quoted value keeps everything verbatim except `\` escapes: `\n` `\r` `\t` become
 *   control characters and `\X` becomes X; `\r` bytes are dropped and a `\` before a line end
 *   joins lines. We quote any value that is not made of plainly safe characters and escape `\`
 *   and `"`; control characters (newline, CR, NUL, …) are rejected: they cannot round-trip.
 * - swanctl splits list options (local_addrs, remote_addrs, local_ts, remote_ts, proposals,
 *   esp_proposals, …) on commas, so list items must not contain commas.
 * - A `secret` starting with `0x` is read as hex and with `0s` as base64 (case-insensitive,
 *   swanctl/commands/load_creds.c), so a PSK is always rendered as `0x<hex of its UTF-8 bytes>`:
 *   no quoting question and no prefix surprise.
 */

import { parseCidr, parseIp } from "./net";

/** Where charon's pid file, vici socket and log live, as seen inside the namespace. */
export const CHARON_RUN_DIR = "/etc/ipsec.d/run";
/** The vici socket both charon (`charon.plugins.vici.socket`) and swanctl (`swanctl.socket`) use. */
export const VICI_SOCKET_URI = `unix://${CHARON_RUN_DIR}/charon.vici`;

/**
 * How ESP is processed. `kernel`: the kernel's XFRM (needs CONFIG_INET_ESP and friends).
 * `libipsec`: strongSwan's userspace ESP over a TUN device (`ipsec0`), always UDP-encapsulated
 * (charon fakes NAT detection; SAs show as TUNNEL-in-UDP, port 4500); works without kernel ESP.
 */
export type DataPlane = "kernel" | "libipsec";

/** `start_action` of a child. With `libipsec`, `trap` never triggers (verified on 5.9.8). */
export type StartAction = "none" | "trap" | "start" | "trap|start";
/** `dpd_action` of a child (5.9.8: clear, trap, restart). */
export type DpdAction = "clear" | "trap" | "restart";
/** `close_action` of a child. */
export type CloseAction = "none" | "clear" | "trap" | "start";

/** Free-form settings for experts: rendered as `key = value` lines. Keys are plain names. */
export type ExtraSettings = Readonly<Record<string, string | number | boolean>>;

/** One side's authentication round (`local { … }` / `remote { … }`). */
export interface AuthRound {
    /** `auth`: "psk" (default) or another swanctl method, e.g. "pubkey". */
    readonly auth?: string;
    /** `id`: the IKE identity, e.g. "gw-a.example", "@gw-a.example", "192.0.2.1". Any text; quoted as needed. */
    readonly id?: string;
    /** More settings of this round, e.g. `{ certs: "gw.pem" }`. */
    readonly extra?: ExtraSettings;
}

/** A CHILD_SA configuration (`children.<name> { … }`). */
export interface Child {
    /** Section name; also what `swanctl --initiate --child NAME` takes. */
    readonly name: string;
    /** `local_ts`: local traffic selectors, e.g. ["192.0.2.0/24"]. Default: the local address. */
    readonly localTs?: readonly string[];
    /** `remote_ts`: remote traffic selectors, e.g. ["198.51.100.0/24"]. */
    readonly remoteTs?: readonly string[];
    /** `esp_proposals`, e.g. ["aes256gcm16-modp2048"]. Default: strongSwan's defaults. */
    readonly espProposals?: readonly string[];
    /** `start_action`; default none (the provider initiates). */
    readonly startAction?: StartAction;
    /** `dpd_action`; default clear. */
    readonly dpdAction?: DpdAction;
    /** `close_action`; default none. */
    readonly closeAction?: CloseAction;
    /** `mode`; default tunnel. */
    readonly mode?: "tunnel" | "transport" | "pass" | "drop";
    /** More settings of this child. */
    readonly extra?: ExtraSettings;
}

/** An IKE connection (`connections.<name> { … }`). */
export interface Connection {
    /** Section name; what `swanctl --terminate --ike NAME` takes. */
    readonly name: string;
    /** `version`: 2 (default), 1, or 0 for any. */
    readonly version?: 0 | 1 | 2;
    /** `local_addrs`, e.g. ["203.0.113.1"]. Default: %any. */
    readonly localAddrs?: readonly string[];
    /** `remote_addrs`, e.g. ["203.0.113.2"]. Default: %any (responder only). */
    readonly remoteAddrs?: readonly string[];
    /** `proposals` (IKE), e.g. ["aes256-sha256-modp2048"]. */
    readonly proposals?: readonly string[];
    /** `dpd_delay` in seconds; 0 or absent disables DPD. */
    readonly dpdDelay?: number;
    readonly local: AuthRound;
    readonly remote: AuthRound;
    readonly children: readonly Child[];
    /** More settings of this connection, e.g. `{ rekey_time: "4h", mobike: "no" }`. */
    readonly extra?: ExtraSettings;
}

/** A pre-shared key (`secrets.ike-<name> { id-N = …; secret = … }`). */
export interface PskSecret {
    /** Section suffix; must be unique. */
    readonly name: string;
    /** The identities this key is for; none means any. */
    readonly ids?: readonly string[];
    /** The key, any text (no NUL). Rendered as hex. */
    readonly secret: string;
}

/** Everything one charon needs. */
export interface StrongSwanConfig {
    readonly dataPlane: DataPlane;
    readonly connections: readonly Connection[];
    readonly secrets?: readonly PskSecret[];
    /** charon's log level on stderr (captured in the log file), -1..4; default 1. */
    readonly logLevel?: number;
    /** Plugins loaded in addition to the minimal set (e.g. ["updown", "eap-md5"]). */
    readonly extraPlugins?: readonly string[];
    /**
     * Free-form strongswan.conf settings for experts, by dotted path, e.g.
     * `{ "charon.retransmit_tries": 3, "charon.plugins.kernel-libipsec.allow_peer_ts": "yes" }`.
     * They may override generated settings, except the vici socket paths the provider depends on.
     */
    readonly settings?: ExtraSettings;
}

/** One problem found in a configuration: a property path and what to do about it. */
export interface ConfigProblem {
    readonly property: string;
    readonly reason: string;
}

/** Thrown by the render functions when the configuration has problems. */
export class StrongSwanConfigError extends Error {
    override readonly name = "StrongSwanConfigError";
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(`invalid strongSwan configuration: ${problems.map((p) => `${p.property}: ${p.reason}`).join("; ")}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Lexical helpers

const NAME_RE = /^[A-Za-z0-9_-]+$/;
const NAME_MAX = 64;
/** Values made only of these characters are written bare; anything else is quoted. */
const BARE_VALUE_RE = /^[A-Za-z0-9_.,:/@%*+=^~!|$()[\]-]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

function show(s: string): string {
    return JSON.stringify(s);
}

/** Why `name` cannot be a section name or key, or undefined. */
export function settingNameProblem(name: unknown): string | undefined {
    if (typeof name !== "string" || name.length === 0) {
        return "must be a non-empty string of letters, digits, '_' and '-'";
    }
    if (name.length > NAME_MAX) {
        return `${show(name.slice(0, 20))}… is ${name.length} characters long; at most ${NAME_MAX}`;
    }
    if (!NAME_RE.test(name)) {
        return `${show(name)} may only contain letters, digits, '_' and '-' ` +
            "(strongSwan's file format has no quoting for names: '.', '{', '}', '=', '#', ',', ':', '\"' and blanks break it)";
    }
    if (name === "include") {
        return "\"include\" is a keyword of strongSwan's file format; choose another name";
    }
    return undefined;
}

/** Why `value` cannot be written as a setting value, or undefined. */
export function valueProblem(value: unknown): string | undefined {
    if (typeof value === "number") {
        return Number.isFinite(value) ? undefined : `must be a finite number, got ${value}`;
    }
    if (typeof value === "boolean") return undefined;
    if (typeof value !== "string") {
        return `must be a string, number or boolean, got ${value === null ? "null" : typeof value}`;
    }
    if (CONTROL_RE.test(value)) {
        return `${show(value)} contains a newline or another control character; ` +
            "strongSwan values run to the end of the line, so put each setting on its own, without control characters";
    }
    return undefined;
}

/**
 * The text to put after `key = `: bare when that is unambiguous, else double-quoted with `\` and
 * `"` escaped. Throws for values {@link valueProblem} rejects. Booleans become yes/no.
 */
export function quoteValue(value: string | number | boolean): string {
    const problem = valueProblem(value);
    if (problem) throw new StrongSwanConfigError([{ property: "value", reason: problem }]);
    if (typeof value === "boolean") return value ? "yes" : "no";
    const text = String(value);
    if (BARE_VALUE_RE.test(text)) return text;
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A PSK as swanctl reads it unambiguously: `0x` and the hex of its UTF-8 bytes. */
export function pskValue(secret: string): string {
    return `0x${Buffer.from(secret, "utf8").toString("hex")}`;
}

// ---------------------------------------------------------------------------------------------
// Validation

const START_ACTIONS: readonly StartAction[] = ["none", "trap", "start", "trap|start"];
const DPD_ACTIONS: readonly DpdAction[] = ["clear", "trap", "restart"];
const CLOSE_ACTIONS: readonly CloseAction[] = ["none", "clear", "trap", "start"];
const MODES = ["tunnel", "transport", "pass", "drop"] as const;

/** A list item (address, traffic selector, proposal): no commas (swanctl splits on them), no blanks. */
const LIST_ITEM_RE = /^[A-Za-z0-9_.:/%*+=\[\]-]+$/;

/** Keys the renderer writes itself in a connection / child / auth section. */
const CONN_KEYS = new Set(["version", "local_addrs", "remote_addrs", "proposals", "dpd_delay", "local", "remote", "children"]);
const CHILD_KEYS = new Set(["local_ts", "remote_ts", "esp_proposals", "start_action", "dpd_action", "close_action", "mode"]);
const AUTH_KEYS = new Set(["auth", "id"]);

/** strongswan.conf keys the provider depends on: experts may not override them. */
const PINNED_SETTINGS = new Set(["charon.plugins.vici.socket", "swanctl.socket"]);

class Collector {
    readonly list: ConfigProblem[] = [];
    add(property: string, reason: string): void {
        this.list.push({ property, reason });
    }
}

/**
 * Why `ts` is not a swanctl traffic selector, or undefined: "dynamic", an address, a CIDR or a
 * range "A-B", optionally followed by "[proto/port]".
 */
export function trafficSelectorProblem(ts: string): string | undefined {
    const match = /^([^[\]]+)(\[[A-Za-z0-9%/_-]*\])?$/.exec(ts);
    const base = match?.[1];
    const ok = base !== undefined && (base === "dynamic" || parseCidr(base).ok || parseIp(base).ok ||
        (base.split("-").length === 2 && base.split("-").every((a) => parseIp(a).ok)));
    return ok ? undefined : `${show(ts)} is not a traffic selector: write a subnet like "192.0.2.0/24", an address, ` +
        'a range "192.0.2.10-192.0.2.20" or "dynamic", optionally with "[proto/port]" like "192.0.2.0/24[tcp/443]"';
}

function checkList(p: Collector, property: string, what: string, value: unknown, required: boolean): void {
    if (value === undefined) {
        if (required) p.add(property, `${what} is required, e.g. ["192.0.2.0/24"]`);
        return;
    }
    if (!Array.isArray(value) || (required && value.length === 0)) {
        p.add(property, `${what} must be a ${required ? "non-empty " : ""}list of strings`);
        return;
    }
    value.forEach((item: unknown, i) => {
        if (typeof item !== "string" || !LIST_ITEM_RE.test(item)) {
            p.add(`${property}[${i}]`, `${show(String(item))} is not a valid ${what} item: use letters, digits and ` +
                "'.', ':', '/', '-', '_', '%', '*', '+', '=', '[', ']' only (swanctl splits lists on commas; one item per entry)");
        }
    });
}

function checkExtra(p: Collector, property: string, extra: unknown, reserved: ReadonlySet<string>): void {
    if (extra === undefined) return;
    if (extra === null || typeof extra !== "object" || Array.isArray(extra)) {
        p.add(property, "must be an object of key → string/number/boolean");
        return;
    }
    for (const [key, value] of Object.entries(extra)) {
        const nameProblem = settingNameProblem(key);
        if (nameProblem) p.add(`${property}.${key}`, `key ${nameProblem}`);
        else if (reserved.has(key)) p.add(`${property}.${key}`, `"${key}" is set by its own typed property; use that instead`);
        const vp = valueProblem(value);
        if (vp) p.add(`${property}.${key}`, vp);
    }
}

function checkName(p: Collector, property: string, what: string, name: unknown, seen: Set<string>): void {
    const problem = settingNameProblem(name);
    if (problem) {
        p.add(property, `${what} name ${problem}`);
    } else if (seen.has(name as string)) {
        p.add(property, `${what} name ${show(name as string)} is used twice; names must be unique`);
    } else {
        seen.add(name as string);
    }
}

function checkAuth(p: Collector, property: string, auth: unknown): void {
    if (auth === null || typeof auth !== "object") {
        p.add(property, "must be an object like { auth: \"psk\", id: \"gw.example\" }");
        return;
    }
    const a = auth as AuthRound;
    if (a.auth !== undefined && (typeof a.auth !== "string" || !/^[A-Za-z0-9_:-]+$/.test(a.auth))) {
        p.add(`${property}.auth`, `auth must be a method name such as "psk" or "pubkey", got ${show(String(a.auth))}`);
    }
    if (a.id !== undefined) {
        if (typeof a.id !== "string" || a.id.length === 0) p.add(`${property}.id`, "id must be a non-empty string");
        else {
            const vp = valueProblem(a.id);
            if (vp) p.add(`${property}.id`, `id ${vp}`);
        }
    }
    checkExtra(p, `${property}.extra`, a.extra, AUTH_KEYS);
}

function checkOneOf<T extends string>(p: Collector, property: string, value: unknown, allowed: readonly T[]): void {
    if (value !== undefined && !allowed.includes(value as T)) {
        p.add(property, `must be one of ${allowed.map((a) => show(a)).join(", ")}, got ${show(String(value))}`);
    }
}

/** Every problem in `cfg`, with property paths like `connections[0].children[1].localTs[0]`. */
export function strongSwanConfigProblems(cfg: StrongSwanConfig): ConfigProblem[] {
    const p = new Collector();
    if (cfg === null || typeof cfg !== "object") {
        p.add("config", "must be an object");
        return p.list;
    }
    checkOneOf(p, "dataPlane", cfg.dataPlane, ["kernel", "libipsec"] as const);
    if (cfg.dataPlane === undefined) p.add("dataPlane", "is required: \"kernel\" or \"libipsec\" (no kernel ESP support)");
    // Level 4 logs key material, and the log's tail goes into error messages: stop at 3.
    if (cfg.logLevel !== undefined && (!Number.isInteger(cfg.logLevel) || cfg.logLevel < -1 || cfg.logLevel > 3)) {
        p.add("logLevel", `must be an integer from -1 (silent) to 3 (4 would log keys), got ${show(String(cfg.logLevel))}`);
    }
    if (cfg.extraPlugins !== undefined) {
        if (!Array.isArray(cfg.extraPlugins)) p.add("extraPlugins", "must be a list of plugin names");
        else cfg.extraPlugins.forEach((name: unknown, i) => {
            if (typeof name !== "string" || !/^[a-z0-9-]+$/.test(name)) {
                p.add(`extraPlugins[${i}]`, `${show(String(name))} is not a plugin name (lower-case letters, digits, '-')`);
            }
        });
    }
    if (!Array.isArray(cfg.connections)) {
        p.add("connections", "must be a list");
    } else {
        const connNames = new Set<string>();
        cfg.connections.forEach((conn, i) => {
            const at = `connections[${i}]`;
            if (conn === null || typeof conn !== "object") {
                p.add(at, "must be an object");
                return;
            }
            checkName(p, `${at}.name`, "connection", conn.name, connNames);
            checkOneOf(p, `${at}.version`, conn.version, [0, 1, 2] as unknown as string[]);
            checkList(p, `${at}.localAddrs`, "local address", conn.localAddrs, false);
            checkList(p, `${at}.remoteAddrs`, "remote address", conn.remoteAddrs, false);
            checkList(p, `${at}.proposals`, "IKE proposal", conn.proposals, false);
            if (conn.dpdDelay !== undefined && (!Number.isInteger(conn.dpdDelay) || conn.dpdDelay < 0)) {
                p.add(`${at}.dpdDelay`, `must be a whole number of seconds ≥ 0, got ${show(String(conn.dpdDelay))}`);
            }
            checkAuth(p, `${at}.local`, conn.local);
            checkAuth(p, `${at}.remote`, conn.remote);
            checkExtra(p, `${at}.extra`, conn.extra, CONN_KEYS);
            if (!Array.isArray(conn.children) || conn.children.length === 0) {
                p.add(`${at}.children`, "must be a non-empty list of children (CHILD_SA configurations)");
                return;
            }
            const childNames = new Set<string>();
            (conn.children as readonly Child[]).forEach((child: Child, j: number) => {
                const cat = `${at}.children[${j}]`;
                if (child === null || typeof child !== "object") {
                    p.add(cat, "must be an object");
                    return;
                }
                checkName(p, `${cat}.name`, "child", child.name, childNames);
                for (const side of ["localTs", "remoteTs"] as const) {
                    checkList(p, `${cat}.${side}`, "traffic selector", child[side], false);
                    (Array.isArray(child[side]) ? child[side] as unknown[] : []).forEach((ts, j) => {
                        const problem = typeof ts === "string" && LIST_ITEM_RE.test(ts) ? trafficSelectorProblem(ts) : undefined;
                        if (problem) p.add(`${cat}.${side}[${j}]`, problem);
                    });
                }
                checkList(p, `${cat}.espProposals`, "ESP proposal", child.espProposals, false);
                checkOneOf(p, `${cat}.startAction`, child.startAction, START_ACTIONS);
                checkOneOf(p, `${cat}.dpdAction`, child.dpdAction, DPD_ACTIONS);
                checkOneOf(p, `${cat}.closeAction`, child.closeAction, CLOSE_ACTIONS);
                checkOneOf(p, `${cat}.mode`, child.mode, MODES);
                checkExtra(p, `${cat}.extra`, child.extra, CHILD_KEYS);
                if (cfg.dataPlane === "libipsec") {
                    for (const [prop, value] of [["startAction", child.startAction], ["dpdAction", child.dpdAction],
                        ["closeAction", child.closeAction]] as const) {
                        if (typeof value === "string" && value.includes("trap")) {
                            p.add(`${cat}.${prop}`, `"${value}" installs a trap policy, and with dataPlane "libipsec" ` +
                                "traffic never triggers it (strongSwan 5.9.8, verified); use \"start\"/\"restart\" or initiate explicitly");
                        }
                    }
                }
            });
        });
        // swanctl --initiate --child NAME picks the first child of that name across connections.
        const allChildren = new Map<string, number>();
        cfg.connections.forEach((conn) => {
            if (!Array.isArray(conn?.children)) return;
            const names = new Set((conn.children as readonly Child[]).map((c) => c?.name).filter((n) => typeof n === "string"));
            for (const name of names) allChildren.set(name, (allChildren.get(name) ?? 0) + 1);
        });
        for (const [name, count] of allChildren) {
            if (count > 1) p.add("connections", `child name ${show(name)} is used in ${count} connections; ` +
                "`swanctl --initiate --child` needs child names unique across connections");
        }
    }
    if (cfg.secrets !== undefined) {
        if (!Array.isArray(cfg.secrets)) {
            p.add("secrets", "must be a list");
        } else {
            const names = new Set<string>();
            cfg.secrets.forEach((s, i) => {
                const at = `secrets[${i}]`;
                if (s === null || typeof s !== "object") {
                    p.add(at, "must be an object like { name: \"gw\", ids: [\"a.example\"], secret: \"…\" }");
                    return;
                }
                checkName(p, `${at}.name`, "secret", s.name, names);
                if (typeof s.secret !== "string" || s.secret.length === 0) {
                    p.add(`${at}.secret`, "must be a non-empty string");
                } else if (s.secret.includes("\0")) {
                    p.add(`${at}.secret`, "must not contain NUL characters");
                }
                if (s.ids !== undefined) {
                    if (!Array.isArray(s.ids)) p.add(`${at}.ids`, "must be a list of identities");
                    else (s.ids as readonly unknown[]).forEach((id: unknown, j: number) => {
                        const vp = typeof id === "string" && id.length > 0 ? valueProblem(id) : "must be a non-empty string";
                        if (vp) p.add(`${at}.ids[${j}]`, `identity ${vp}`);
                    });
                }
            });
        }
    }
    if (cfg.settings !== undefined) {
        if (cfg.settings === null || typeof cfg.settings !== "object" || Array.isArray(cfg.settings)) {
            p.add("settings", "must be an object of dotted path → value, e.g. { \"charon.retransmit_tries\": 3 }");
        } else {
            for (const [path, value] of Object.entries(cfg.settings)) {
                const segments = path.split(".");
                const bad = segments.map((s) => settingNameProblem(s)).find((x) => x !== undefined);
                if (bad) p.add(`settings.${path}`, `every part of the dotted path ${bad}`);
                else if (PINNED_SETTINGS.has(path)) {
                    p.add(`settings.${path}`, `is managed by the provider (it must stay ${VICI_SOCKET_URI}); remove it`);
                }
                const vp = valueProblem(value);
                if (vp) p.add(`settings.${path}`, vp);
            }
        }
    }
    return p.list;
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** A settings tree: values are already-validated scalars; sections are nested trees. Insertion-ordered. */
type Tree = Map<string, string | number | boolean | Tree>;

const INDENT = "    ";

function renderTree(tree: Tree, depth: number, out: string[]): void {
    const pad = INDENT.repeat(depth);
    for (const [key, value] of tree) {
        if (value instanceof Map) {
            out.push(`${pad}${key} {`);
            renderTree(value, depth + 1, out);
            out.push(`${pad}}`);
        } else {
            out.push(`${pad}${key} = ${quoteValue(value)}`);
        }
    }
}

function section(tree: Tree, key: string): Tree {
    const existing = tree.get(key);
    if (existing instanceof Map) return existing;
    const fresh: Tree = new Map();
    tree.set(key, fresh);
    return fresh;
}

/** Sets a dotted path; throws if a value would replace a section or the other way round. */
function setPath(tree: Tree, path: string, value: string | number | boolean, problems: ConfigProblem[]): void {
    const segments = path.split(".");
    let node = tree;
    for (let i = 0; i < segments.length - 1; i++) {
        const existing = node.get(segments[i]);
        if (existing !== undefined && !(existing instanceof Map)) {
            problems.push({ property: `settings.${path}`, reason: `${segments.slice(0, i + 1).join(".")} is a value, not a section` });
            return;
        }
        node = section(node, segments[i]);
    }
    const last = segments[segments.length - 1];
    if (node.get(last) instanceof Map) {
        problems.push({ property: `settings.${path}`, reason: `${path} is a section, not a value` });
        return;
    }
    node.set(last, value);
}

/** The plugins charon loads: the minimal set for PSK/X.509 IKEv2 with the chosen data plane. */
export function charonPlugins(dataPlane: DataPlane, extra: readonly string[] = []): string[] {
    // kernel-libipsec must come before kernel-netlink: the first kernel-ipsec registered wins,
    // and kernel-netlink must stay loaded anyway (it provides kernel-net: routes, addresses).
    const kernel = dataPlane === "libipsec" ? ["kernel-libipsec", "kernel-netlink"] : ["kernel-netlink"];
    const base = [
        "random", "nonce", "openssl", "pem", "pkcs1", "pkcs8", "x509", "pubkey", "revocation", "constraints",
        "kdf", "aes", "sha1", "sha2", "hmac", "gcm", "gmp", "socket-default", ...kernel, "vici",
    ];
    for (const name of extra) if (!base.includes(name)) base.push(name);
    return base;
}

/** Plugins swanctl loads (it only parses credentials; without this it warns about a dozen missing ones). */
export const SWANCTL_PLUGINS = ["pem", "pkcs1", "pkcs8", "x509", "openssl", "random", "nonce"] as const;

function assertValid(cfg: StrongSwanConfig): void {
    const problems = strongSwanConfigProblems(cfg);
    if (problems.length > 0) throw new StrongSwanConfigError(problems);
}

/**
 * The per-namespace strongswan.conf. Explicit plugin list (`charon.load`, so Debian's
 * strongswan.d snippets — ha, forecast, dhcp, farp, … — are not pulled in), vici socket under
 * {@link CHARON_RUN_DIR} for charon and swanctl, log to stderr, then the expert `settings`.
 */
export function renderStrongswanConf(cfg: StrongSwanConfig): string {
    assertValid(cfg);
    const tree: Tree = new Map();
    const charon = section(tree, "charon");
    charon.set("load", charonPlugins(cfg.dataPlane, cfg.extraPlugins).join(" "));
    const stderr = section(section(charon, "filelog"), "stderr");
    stderr.set("default", cfg.logLevel ?? 1);
    stderr.set("time_format", "%b %e %T");
    section(section(charon, "plugins"), "vici").set("socket", VICI_SOCKET_URI);
    const swanctl = section(tree, "swanctl");
    swanctl.set("load", SWANCTL_PLUGINS.join(" "));
    swanctl.set("socket", VICI_SOCKET_URI);
    const problems: ConfigProblem[] = [];
    for (const [path, value] of Object.entries(cfg.settings ?? {})) setPath(tree, path, value, problems);
    if (problems.length > 0) throw new StrongSwanConfigError(problems);
    const out = ["# Generated by pulumi-netns; changes are overwritten.", `# Data plane: ${cfg.dataPlane}.`];
    renderTree(tree, 0, out);
    return out.join("\n") + "\n";
}

function addExtra(tree: Tree, extra: ExtraSettings | undefined): void {
    for (const [key, value] of Object.entries(extra ?? {})) tree.set(key, value);
}

function authTree(round: AuthRound): Tree {
    const t: Tree = new Map();
    t.set("auth", round.auth ?? "psk");
    if (round.id !== undefined) t.set("id", round.id);
    addExtra(t, round.extra);
    return t;
}

/** The per-namespace swanctl.conf: connections, then secrets. */
export function renderSwanctlConf(cfg: StrongSwanConfig): string {
    assertValid(cfg);
    const tree: Tree = new Map();
    const connections = section(tree, "connections");
    for (const conn of cfg.connections) {
        const c = section(connections, conn.name);
        c.set("version", conn.version ?? 2);
        if (conn.localAddrs?.length) c.set("local_addrs", conn.localAddrs.join(","));
        if (conn.remoteAddrs?.length) c.set("remote_addrs", conn.remoteAddrs.join(","));
        if (conn.proposals?.length) c.set("proposals", conn.proposals.join(","));
        if (conn.dpdDelay) c.set("dpd_delay", `${conn.dpdDelay}s`);
        addExtra(c, conn.extra);
        c.set("local", authTree(conn.local));
        c.set("remote", authTree(conn.remote));
        const children = section(c, "children");
        for (const child of conn.children) {
            const ch = section(children, child.name);
            if (child.mode !== undefined) ch.set("mode", child.mode);
            if (child.localTs?.length) ch.set("local_ts", child.localTs.join(","));
            if (child.remoteTs?.length) ch.set("remote_ts", child.remoteTs.join(","));
            if (child.espProposals?.length) ch.set("esp_proposals", child.espProposals.join(","));
            ch.set("start_action", child.startAction ?? "none");
            if (child.dpdAction !== undefined) ch.set("dpd_action", child.dpdAction);
            if (child.closeAction !== undefined) ch.set("close_action", child.closeAction);
            addExtra(ch, child.extra);
        }
    }
    const out = ["# Generated by pulumi-netns; changes are overwritten."];
    renderTree(tree, 0, out);
    if (cfg.secrets?.length) {
        out.push("secrets {");
        for (const s of cfg.secrets) {
            out.push(`${INDENT}ike-${s.name} {`);
            (s.ids ?? []).forEach((id, i) => out.push(`${INDENT}${INDENT}id-${i + 1} = ${quoteValue(id)}`));
            out.push(`${INDENT}${INDENT}secret = ${pskValue(s.secret)}`);
            out.push(`${INDENT}}`);
        }
        out.push("}");
    }
    return out.join("\n") + "\n";
}

/** Both files, validated once. */
export function renderStrongSwan(cfg: StrongSwanConfig): { strongswanConf: string; swanctlConf: string } {
    return { strongswanConf: renderStrongswanConf(cfg), swanctlConf: renderSwanctlConf(cfg) };
}
