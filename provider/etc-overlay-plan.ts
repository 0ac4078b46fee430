/**
 * EtcOverlayFile: the pure part. Path and input checks, the overlay layout, parsing of `stat`
 * output, and the write / remove plans with their argv lists. Never touches the host.
 *
 * How `ip netns exec NS` uses /etc/netns/NS (iproute2 6.1, verified on Debian 12): in a private
 * mount namespace it bind-mounts **each top-level entry** of /etc/netns/NS over /etc/<entry>.
 * - Only the first path component is mounted: /etc/netns/NS/swanctl/swanctl.conf becomes visible
 *   because the whole directory /etc/netns/NS/swanctl is mounted over /etc/swanctl, which hides
 *   every other host file in /etc/swanctl inside the namespace.
 * - The counterpart /etc/<entry> must exist and be of the same type (file over file, directory
 *   over directory). Otherwise `ip netns exec` prints "Bind … failed: No such file or directory"
 *   (or "Not a directory"), still runs the command (exit 0), and the overlay is silently absent.
 * - `ip netns add`/`delete` neither create nor remove /etc/netns/NS.
 * - A top-level *file* is mounted by inode: replacing it (rename) is seen by later
 *   `ip netns exec` calls, while processes already started keep the old content. Files inside an
 *   overlaid directory are seen live.
 *
 * Ownership, reference-counted through the file system: what pulumi-netns creates besides the
 * resource's own entry (directories on the way under /etc/netns, empty placeholders in /etc) is
 * shared by every overlay that needs it, so no single resource can own it. It is marked instead,
 * with the modification time {@link OWNED_MTIME}; each overlay operation re-stamps the marked
 * directories it changes, so a marked object is one pulumi-netns made and nobody else changed.
 * The last overlay that leaves a marked directory empty, or a marked placeholder without any
 * /etc/netns/<ns>/<entry> referring to it, removes it, whatever order Pulumi deletes resources in
 * and whichever resource created it. An object someone else changed loses the mark and is kept,
 * unless the deleting resource created it itself (its outputs say so) and it is empty again.
 * Objects that existed before are never marked, changed or removed. Directories go by rmdir (empty
 * ones only) and placeholder files only while empty, so a wrong guess cannot lose content.
 */
import { createHash } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { Failures, isUnknown, netnsNameProblem, printable } from "./inputs";
import type { ConnectionInputs } from "./runner";

export type OverlayKind = "file" | "directory";

/** One overlay entry: what {@link writeOverlayFile} and friends (etc-overlay.ts) take. */
export interface OverlaySpec {
    /** The network namespace whose /etc this overlays. It need not exist yet. */
    readonly netns: string;
    /** Path relative to /etc, normalized (no "./", no trailing '/'), e.g. "swanctl/swanctl.conf". */
    readonly path: string;
    readonly kind: OverlayKind;
    /** The file's text (kind "file"); may be a secret. Travels on stdin only. */
    readonly content?: string;
    /** Four octal digits, e.g. "0600". */
    readonly mode: string;
    /** User name or numeric uid. */
    readonly owner: string;
    /** Group name or numeric gid. */
    readonly group: string;
    /** Kind "directory": on delete, also remove whatever is inside (daemon pid files, sockets…). */
    readonly removeContents?: boolean;
}

/** Inputs after check: defaults filled in, path normalized. */
export interface EtcOverlayFileInputs extends OverlaySpec {
    readonly removeContents: boolean;
    /** The target host; absent means this machine. */
    readonly connection?: ConnectionInputs;
}

/** What this resource (or one {@link writeOverlayFile} call) created, so removal can undo it. */
export interface OverlayCreated {
    /** Directories created, parents first: those under /etc/netns and, for kind "directory", the entry itself. */
    readonly dirs: readonly string[];
    /** Empty placeholders created in /etc so that `ip netns exec` has something to mount over. */
    readonly placeholders: readonly string[];
}

/**
 * What an EtcOverlayFile stores in state (schema v1). `content` is deliberately absent: outputs
 * are stored in state, and a hash compares just as well (see sdk/etc-overlay.ts).
 */
export interface EtcOverlayFileOutputs {
    readonly schemaVersion: 1;
    readonly netns: string;
    readonly path: string;
    readonly kind: OverlayKind;
    readonly mode: string;
    readonly owner: string;
    readonly group: string;
    readonly removeContents: boolean;
    /** sha256 (hex) of the file's content; "" for a directory. */
    readonly contentSha256: string;
    /** Where the entry lives on the host: /etc/netns/NS/<path>. */
    readonly overlayPath: string;
    /** Where it appears inside `ip netns exec NS`: /etc/<path>. */
    readonly etcPath: string;
    /** The host entry that `ip netns exec` mounts over: /etc/<first component>. */
    readonly mountedEntry: string;
    /**
     * Whether `mountedEntry` exists with the right type. Always true after create/update; read
     * reports false when it went missing, and diff then asks for an update that recreates it.
     */
    readonly mounted: boolean;
    readonly createdDirs: string[];
    readonly createdPlaceholders: string[];
    readonly connection?: ConnectionInputs;
}

export const ETC = "/etc";
export const OVERLAY_ROOT = "/etc/netns";
/**
 * The modification time (2000-01-01T12:17:11Z) that marks what pulumi-netns created around an
 * overlay; an arbitrary second no package or editor produces.
 */
export const OWNED_MTIME = 946729031;
/** Temporary files are `<dir>/.pulumi-netns-tmp.<random>` next to their target (same file system). */
export const TMP_PREFIX = ".pulumi-netns-tmp.";

const DEFAULT_MODE: Record<OverlayKind, string> = { file: "0644", directory: "0755" };
/** Mode of the directories created on the way, and of directory placeholders. */
export const DIR_MODE = "0755";
const SEGMENT_MAX = 255;
const PATH_MAX = 1024;
/** Characters that need no quoting in argv, `find -name` patterns, stat output or messages. */
const SEGMENT = /^[A-Za-z0-9._+@,=~-]+$/;
const ACCOUNT = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

/** The normalized path, or the reason it is unusable (naming what to write instead). */
export function normalizeOverlayPath(raw: unknown, kind: unknown): { path: string } | { problem: string } {
    const example = "e.g. \"strongswan.conf\" or \"swanctl/swanctl.conf\"";
    if (typeof raw !== "string" || raw.length === 0) {
        return { problem: `must be a non-empty path relative to /etc, ${example}` };
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(raw)) {
        return { problem: `"${printable(raw)}" contains control characters (NUL, newline, tab…); give a plain path relative to /etc, ${example}` };
    }
    if (raw.startsWith("/")) {
        const rest = raw.replace(/^\/+etc\/+/, "");
        return rest !== raw && rest.length > 0
            ? { problem: `"${raw}" is absolute; write it relative to /etc: "${rest.replace(/\/+$/, "")}"` }
            : { problem: `"${raw}" is absolute; an overlay can only replace something under /etc, so write a path relative to /etc, ${example}` };
    }
    let path = raw;
    // "./x" is a common spelling of "x"; any other "." segment is more likely a templating slip.
    while (path.startsWith("./")) path = path.slice(2);
    if (path.endsWith("/") && !path.endsWith("//")) {
        if (kind === "file") {
            return { problem: `"${raw}" ends in '/', which a file path cannot; drop the '/', or set kind: "directory"` };
        }
        path = path.slice(0, -1);
    }
    if (path.length === 0 || path === ".") {
        return { problem: `"${raw}" names /etc itself; give a path below it, ${example}` };
    }
    if (Buffer.byteLength(path) > PATH_MAX) {
        return { problem: `is ${Buffer.byteLength(path)} bytes long; at most ${PATH_MAX} are allowed` };
    }
    const segments = path.split("/");
    for (const segment of segments) {
        if (segment === "") {
            return { problem: `"${raw}" has an empty segment; write single slashes without a trailing one: "${segments.filter(Boolean).join("/")}"` };
        }
        if (segment === "..") {
            return { problem: `"${raw}" contains "..", which would leave /etc/netns/<netns>; name the entry under /etc directly, ${example}` };
        }
        if (segment === ".") {
            return { problem: `"${raw}" contains a "." segment; write "${segments.filter((s) => s !== "." && s !== "").join("/")}"` };
        }
        if (!SEGMENT.test(segment)) {
            return { problem: `"${printable(raw)}": "${printable(segment)}" may only contain letters, digits and . _ - + @ , = ~` };
        }
        if (Buffer.byteLength(segment) > SEGMENT_MAX) {
            return { problem: `"${raw}" has a segment longer than ${SEGMENT_MAX} bytes` };
        }
        if (segment.startsWith(TMP_PREFIX)) {
            return { problem: `"${raw}": names starting with "${TMP_PREFIX}" are reserved for pulumi-netns's temporary files` };
        }
    }
    if (segments[0] === "netns") {
        return { problem: `"${raw}" would overlay /etc/netns itself, which holds the overlays; choose another path` };
    }
    return { path: segments.join("/") };
}

/** The mode as four octal digits, or the reason it is unusable. */
export function normalizeMode(raw: unknown): { mode: string } | { problem: string } {
    if (typeof raw === "string" && /^[0-7]{3,4}$/.test(raw)) {
        return { mode: raw.padStart(4, "0") };
    }
    if (typeof raw === "number") {
        // 644 as a JS number is decimal 644 = 0o1204: a classic trap, so numbers are refused.
        return { problem: `write the mode as an octal string, e.g. "0600" or "0644", not the number ${raw}` };
    }
    return { problem: `must be 3 or 4 octal digits as a string, e.g. "0600", got ${JSON.stringify(raw)}` };
}

/** A user or group as a string (name or numeric id), or the reason it is unusable. */
export function normalizeAccount(raw: unknown, what: "user" | "group"): { account: string } | { problem: string } {
    if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0 && raw < 2 ** 32 - 1) {
        return { account: String(raw) };
    }
    if (typeof raw === "string" && (/^\d{1,10}$/.test(raw) || (ACCOUNT.test(raw) && raw.length <= 32))) {
        return { account: raw };
    }
    return { problem: `must be a ${what} name like "root" or a numeric id, got ${JSON.stringify(raw)}` };
}

export function checkEtcOverlayFile(news: Record<string, unknown>): dynamic.CheckResult<EtcOverlayFileInputs> {
    const failures = new Failures();
    const kind = news.kind ?? "file";
    if (!isUnknown(kind) && kind !== "file" && kind !== "directory") {
        failures.add("kind", `kind must be "file" or "directory", got ${JSON.stringify(kind)}`);
    }
    const netns = news.netns;
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `netns ${problem}`);
    }
    let path = news.path;
    if (!isUnknown(path)) {
        const result = normalizeOverlayPath(path, kind);
        if ("problem" in result) failures.add("path", `path ${result.problem}`);
        else path = result.path;
    }
    const knownKind = kind === "file" || kind === "directory" ? kind : undefined;
    let mode = news.mode ?? (knownKind ? DEFAULT_MODE[knownKind] : undefined);
    if (mode !== undefined && !isUnknown(mode)) {
        const result = normalizeMode(mode);
        if ("problem" in result) failures.add("mode", `mode ${result.problem}`);
        else mode = result.mode;
    }
    const accounts: Record<string, unknown> = {};
    for (const [field, what] of [["owner", "user"], ["group", "group"]] as const) {
        const value = news[field] ?? "root";
        accounts[field] = value;
        if (!isUnknown(value)) {
            const result = normalizeAccount(value, what);
            if ("problem" in result) failures.add(field, `${field} ${result.problem}`);
            else accounts[field] = result.account;
        }
    }
    let content = news.content;
    if (kind === "directory") {
        if (content !== undefined && !isUnknown(content)) {
            failures.add("content", "content is only for kind \"file\"; leave it out for a directory");
        }
    } else {
        content ??= "";
        if (!isUnknown(content) && typeof content !== "string") {
            failures.add("content", `content must be a string (the file's text), got ${typeof content}`);
        }
    }
    const removeContents = news.removeContents ?? false;
    if (!isUnknown(removeContents)) {
        if (typeof removeContents !== "boolean") {
            failures.add("removeContents", `removeContents must be true or false, got ${JSON.stringify(removeContents)}`);
        } else if (removeContents && kind === "file") {
            failures.add("removeContents", "removeContents only applies to kind \"directory\"; leave it out for a file");
        }
    }
    const inputs = {
        netns, path, kind, mode, owner: accounts.owner, group: accounts.group, removeContents,
        ...(content === undefined ? {} : { content }),
        ...(news.connection === undefined ? {} : { connection: news.connection }),
    } as EtcOverlayFileInputs;
    return { inputs, failures: failures.list };
}

export function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

export function diffEtcOverlayFile(olds: EtcOverlayFileOutputs, news: EtcOverlayFileInputs): dynamic.DiffResult {
    const differs = (field: keyof EtcOverlayFileOutputs & keyof EtcOverlayFileInputs) =>
        isUnknown(news[field]) || olds[field] !== news[field];
    // Another namespace, path or kind is another entry on the host.
    const replaces = (["netns", "path", "kind"] as const).filter(differs);
    const contentChanged = news.kind !== "directory" &&
        (isUnknown(news.content) || olds.contentSha256 !== sha256(news.content ?? ""));
    // read found /etc/<first component> gone: an update puts a placeholder back.
    const changed = replaces.length > 0 || contentChanged || olds.mounted === false ||
        (["mode", "owner", "group", "removeContents"] as const).some(differs);
    return {
        changes: changed,
        replaces,
        // The path is unique on the host: the old entry must go before the new one can be created.
        deleteBeforeReplace: replaces.length > 0,
    };
}

/** Where an overlay entry lives and what it depends on. */
export interface OverlayLayout {
    /** /etc/<first component>: the host entry `ip netns exec` mounts over. */
    readonly counterpart: string;
    /** Whether that mount is a directory mount (nested path, or a top-level directory). */
    readonly counterpartIsDir: boolean;
    /** The first path component, e.g. "swanctl". */
    readonly entry: string;
    /** /etc/netns/NS. */
    readonly nsDir: string;
    /** Directories from /etc/netns down to the entry's parent, parents first. */
    readonly chain: readonly string[];
    /** /etc/netns/NS/<path>. */
    readonly target: string;
    /** /etc/<path>, as seen inside the namespace. */
    readonly etcPath: string;
}

export function overlayLayout(spec: Pick<OverlaySpec, "netns" | "path" | "kind">): OverlayLayout {
    const segments = spec.path.split("/");
    const nsDir = `${OVERLAY_ROOT}/${spec.netns}`;
    const chain = [OVERLAY_ROOT, nsDir];
    for (let i = 1; i < segments.length; i++) chain.push(`${nsDir}/${segments.slice(0, i).join("/")}`);
    return {
        counterpart: `${ETC}/${segments[0]}`,
        counterpartIsDir: segments.length > 1 || spec.kind === "directory",
        entry: segments[0],
        nsDir,
        chain,
        target: `${nsDir}/${spec.path}`,
        etcPath: `${ETC}/${spec.path}`,
    };
}

export function parentOf(path: string): string {
    return path.slice(0, path.lastIndexOf("/"));
}

/** What `stat` reports about one path. */
export interface FileStat {
    readonly type: "file" | "directory" | "symlink" | "other";
    /** Four octal digits. */
    readonly mode: string;
    readonly uid: string;
    /** User name, or "UNKNOWN" when the uid has none. */
    readonly user: string;
    readonly gid: string;
    readonly groupName: string;
    readonly size: number;
    readonly mtime: number;
}

/** Paths that `stat` could not find (or whose parent is not a directory) map to undefined. */
export type Probe = ReadonlyMap<string, FileStat | undefined>;

const STAT_FORMAT = "%F|%a|%u|%U|%g|%G|%s|%Y|%n\\n";

export function isOwned(stat: FileStat | undefined): boolean {
    return stat !== undefined && stat.mtime === OWNED_MTIME;
}

/**
 * Parses `stat --printf STAT_FORMAT -- paths…` (run with okExitCodes [0, 1]). Every path must
 * either be reported or be missing ("No such file or directory" / "Not a directory"); any other
 * failure (permission, I/O) throws, so a probe never mistakes "cannot see" for "absent".
 */
export function parseStat(stdout: string, stderr: string, paths: readonly string[]): Probe {
    const probe = new Map<string, FileStat | undefined>();
    for (const line of stdout.split("\n")) {
        if (!line) continue;
        const fields = line.split("|");
        if (fields.length < 9) throw new Error(`unexpected stat output: ${JSON.stringify(line)}`);
        const [type, mode, uid, user, gid, groupName, size, mtime] = fields;
        probe.set(fields.slice(8).join("|"), {
            type: type.startsWith("regular") ? "file" : type === "directory" ? "directory" : type === "symbolic link" ? "symlink" : "other",
            mode: mode.padStart(4, "0"), uid, user, gid, groupName, size: Number(size), mtime: Number(mtime),
        });
    }
    for (const path of paths) {
        if (probe.has(path)) continue;
        const said = stderr.split("\n").find((l) => mentions(l, path));
        if (!said || !/No such file or directory|Not a directory/.test(said)) {
            throw new Error(`could not inspect ${path}: ${said ?? (stderr || "stat reported nothing")}`);
        }
        probe.set(path, undefined);
    }
    return probe;
}

/** Whether a coreutils message line names `path` (quoted 'so' in the C locale, ‘so’ in UTF-8 ones). */
export function mentions(line: string, path: string): boolean {
    return line.includes(`'${path}'`) || line.includes(`\u2018${path}\u2019`);
}

/** The paths a write or remove inspects: the counterpart, the chain and the entry itself. */
export function probePaths(layout: OverlayLayout): string[] {
    return [layout.counterpart, ...layout.chain, layout.target];
}

/** A problem found on the host that makes the write impossible; the message says what to do. */
export class OverlayConflict extends Error {
    override readonly name = "OverlayConflict";
}

/** How to bring the host to the spec, decided from a probe. */
export interface WritePlan {
    /** The placeholder to create in /etc, if the counterpart is missing. */
    readonly placeholder?: { readonly path: string; readonly kind: OverlayKind };
    /** Missing directories from /etc/netns down to the entry's parent, parents first. */
    readonly mkdirs: readonly string[];
    /** Whether the entry exists already (kind "directory": it is adopted, not created). */
    readonly targetExists: boolean;
    /** Marked directories whose entries this write changes: re-stamped afterwards. */
    readonly restamp: readonly string[];
}

/**
 * Decides a write. `exclusive` (create) refuses an existing file: the resource never adopts, and so
 * never deletes, a file it did not write. A directory entry that exists is adopted (mode and owner
 * set) but not recorded as created, so delete leaves it.
 */
export function planWrite(layout: OverlayLayout, spec: OverlaySpec, probe: Probe, exclusive: boolean): WritePlan {
    const counterpart = probe.get(layout.counterpart);
    const wanted = layout.counterpartIsDir ? "directory" : "file";
    if (counterpart !== undefined && counterpart.type !== "symlink" && counterpart.type !== wanted) {
        throw new OverlayConflict(
            `${layout.counterpart} is ${describe(counterpart)} on the host, but \`ip netns exec\` would have to mount ` +
            `${a(wanted)} (${layout.nsDir}/${layout.entry}) over it, which fails; choose a path whose first component ` +
            `is ${a(wanted)} in /etc, or one that does not exist there`);
    }
    const mkdirs: string[] = [];
    for (const dir of layout.chain) {
        const stat = probe.get(dir);
        if (stat === undefined) {
            mkdirs.push(dir);
        } else if (stat.type !== "directory") {
            throw new OverlayConflict(`${dir} is ${describe(stat)}, not a directory; pulumi-netns does not write through ` +
                "links or replace files: remove it or choose another path");
        }
    }
    const target = probe.get(layout.target);
    if (target !== undefined) {
        if (target.type !== spec.kind && !(spec.kind === "file" && target.type === "symlink" && !exclusive)) {
            throw new OverlayConflict(`${layout.target} already exists as ${describe(target)}, not ${a(spec.kind)}; remove it or choose another path`);
        }
        if (exclusive && spec.kind === "file") {
            throw new OverlayConflict(`${layout.target} already exists and is not managed by this resource; ` +
                "remove it, or choose another path");
        }
    }
    const created = new Set(mkdirs);
    const changed = new Set(mkdirs.map(parentOf));
    if (spec.kind === "file" || target === undefined) changed.add(parentOf(layout.target));
    return {
        ...(counterpart === undefined ? { placeholder: { path: layout.counterpart, kind: wanted } } : {}),
        mkdirs,
        targetExists: target !== undefined,
        restamp: layout.chain.filter((d) => changed.has(d) && (created.has(d) || isOwned(probe.get(d)))),
    };
}

/** How to remove an entry, decided from a probe. */
export interface RemovePlan {
    /** How to remove the entry itself: "file" (rm -f), "dir" (rmdir), "tree" (rm -rf), or leave it. */
    readonly target: "file" | "dir" | "tree" | "leave";
    /** Marked directories that may now be empty, deepest first: rmdir'ed if they are. */
    readonly prune: readonly string[];
    /** Marked directories to re-stamp afterwards (those still there keep their mark). */
    readonly restamp: readonly string[];
    /** The placeholder to remove if no /etc/netns/<any>/<entry> refers to it any more. */
    readonly placeholder?: { readonly path: string; readonly kind: OverlayKind };
}

/**
 * Decides a removal. The entry is removed if it has the expected kind: a directory only if this
 * resource created it or it carries the mark (otherwise it was adopted and stays). Then empty
 * directories that carry the mark or that this resource created are pruned bottom-up, stopping at
 * the first other one (someone else's, whose parents cannot become empty either); survivors are
 * re-stamped, so a mark lost to an outside change comes back once its creator has seen it. An
 * empty placeholder that is marked or that this resource created is a candidate for removal.
 */
export function planRemove(layout: OverlayLayout, spec: OverlaySpec, probe: Probe, created: OverlayCreated): RemovePlan {
    const target = probe.get(layout.target);
    let how: RemovePlan["target"] = "leave";
    if (target?.type === "file" || (target?.type === "symlink" && spec.kind === "file")) {
        how = spec.kind === "file" ? "file" : "leave";
    } else if (target?.type === "directory" && spec.kind === "directory" &&
        (created.dirs.includes(layout.target) || isOwned(target))) {
        how = spec.removeContents ? "tree" : "dir";
    }
    const prune: string[] = [];
    for (const dir of [...layout.chain].reverse()) {
        const stat = probe.get(dir);
        if (stat === undefined) continue; // already gone: its parents may still be ours
        if (stat.type !== "directory" || !(isOwned(stat) || created.dirs.includes(dir))) break;
        prune.push(dir);
    }
    const counterpart = probe.get(layout.counterpart);
    const wanted = layout.counterpartIsDir ? "directory" : "file";
    const ours = counterpart !== undefined && (isOwned(counterpart) || created.placeholders.includes(layout.counterpart));
    const placeholderIntact = counterpart !== undefined && ours && counterpart.type === wanted &&
        (wanted === "directory" || counterpart.size === 0);
    return {
        target: how,
        prune,
        restamp: prune,
        ...(placeholderIntact ? { placeholder: { path: layout.counterpart, kind: wanted } } : {}),
    };
}

function describe(stat: FileStat): string {
    return stat.type === "other" ? "a special file" : stat.type === "symlink" ? "a symbolic link" : a(stat.type);
}

function a(kind: string): string {
    return kind === "file" ? "a file" : `a ${kind}`;
}

/** Live values of an entry in the form of the inputs: the owner as given if it still matches. */
export function liveAccount(given: string, id: string, name: string): string {
    if (given === id || given === name) return given;
    return name === "UNKNOWN" ? id : name;
}

/**
 * The argv lists. No shell anywhere; content travels on stdin. File names come from checked
 * inputs (a restricted character set), so nothing here needs quoting.
 */
export const overlayCommands = {
    stat: (paths: readonly string[]) => ["stat", "--printf", STAT_FORMAT, "--", ...paths],
    sha256: (path: string) => ["sha256sum", "--", path],
    /** Directories on the way: exact mode whatever the umask; fails if one appeared meanwhile. */
    mkdirs: (dirs: readonly string[]) => ["mkdir", "-m", DIR_MODE, "--", ...dirs],
    /** An empty file placeholder, created exclusively (O_EXCL) so an existing file is never touched. */
    placeholderFile: (path: string) => ["dd", "if=/dev/null", `of=${path}`, "conv=excl", "status=none"],
    placeholderDir: (path: string) => ["mkdir", "-m", DIR_MODE, "--", path],
    /**
     * Step 1 of an atomic write: an empty temporary file that already has its final mode and
     * owner. install(1) sets umask 0, creates TMP with O_CREAT|O_EXCL and mode 0600 (so it never
     * follows a link planted at TMP), chowns it, then chmods it to MODE (verified with strace,
     * coreutils 9.1). It is still empty then, so no content is ever readable beyond MODE.
     * (Not `install /dev/stdin`: stdin may be a socket, which /dev/stdin cannot reopen.)
     */
    createTemp: (tmp: string, spec: Pick<OverlaySpec, "mode" | "owner" | "group">) =>
        ["install", "-m", spec.mode, "-o", spec.owner, "-g", spec.group, "-T", "/dev/null", tmp],
    /** Step 2: the content from stdin into that file; never creates one, and syncs before the rename. */
    fillTemp: (tmp: string) => ["dd", `of=${tmp}`, "bs=65536", "conv=nocreat,fsync", "status=none"],
    /** Step 3: rename(2) over the target: readers see the old or the new file, never a partial one. */
    commit: (tmp: string, target: string) => ["mv", "-f", "-T", "--", tmp, target],
    /** A directory entry: created if missing, mode and owner set either way. */
    ensureDir: (dir: string, spec: Pick<OverlaySpec, "mode" | "owner" | "group">) =>
        ["install", "-d", "-m", spec.mode, "-o", spec.owner, "-g", spec.group, "--", dir],
    /** Marks (or re-marks) paths as pulumi-netns's; -c: never create a missing one. */
    stamp: (paths: readonly string[]) => ["touch", "-c", "-m", "-d", `@${OWNED_MTIME}`, "--", ...paths],
    removeFile: (path: string) => ["rm", "-f", "--", path],
    removeDir: (path: string) => ["rmdir", "--", path],
    removeTree: (path: string) => ["rm", "-rf", "--one-file-system", "--", path],
    /** Deepest first; a non-empty directory (someone's entries) is left without failing. */
    prune: (dirs: readonly string[]) => ["rmdir", "--ignore-fail-on-non-empty", "--", ...dirs],
    /** Prints one /etc/netns/<ns>/<entry> that still exists, if any: the placeholder's references. */
    references: (entry: string) =>
        ["find", OVERLAY_ROOT, "-mindepth", "2", "-maxdepth", "2", "-name", entry, "-print", "-quit"],
} as const;

/** The argv sequence of writing a file, in order (for tests and documentation). */
export function fileWriteSequence(target: string, tmp: string, spec: OverlaySpec): string[][] {
    return [overlayCommands.createTemp(tmp, spec), overlayCommands.fillTemp(tmp), overlayCommands.commit(tmp, target)];
}

/** What stored outputs (of an EtcOverlayFile or a StrongSwan) say was created; state may lack the fields. */
export function createdOf(outs: { createdDirs?: readonly string[]; createdPlaceholders?: readonly string[] }): OverlayCreated {
    return { dirs: [...(outs.createdDirs ?? [])], placeholders: [...(outs.createdPlaceholders ?? [])] };
}

/** Everything `a` and `b` created, each path once. */
export function mergeCreated(a: OverlayCreated, b: OverlayCreated): OverlayCreated {
    return { dirs: [...new Set([...a.dirs, ...b.dirs])], placeholders: [...new Set([...a.placeholders, ...b.placeholders])] };
}

export function etcOverlayOutputs(inputs: EtcOverlayFileInputs, created: OverlayCreated, contentSha256: string): EtcOverlayFileOutputs {
    const layout = overlayLayout(inputs);
    return {
        schemaVersion: 1,
        netns: inputs.netns,
        path: inputs.path,
        kind: inputs.kind,
        mode: inputs.mode,
        owner: inputs.owner,
        group: inputs.group,
        removeContents: inputs.removeContents,
        contentSha256,
        overlayPath: layout.target,
        etcPath: layout.etcPath,
        mountedEntry: layout.counterpart,
        mounted: true,
        createdDirs: [...created.dirs],
        createdPlaceholders: [...created.placeholders],
        ...(inputs.connection === undefined ? {} : { connection: inputs.connection }),
    };
}
