import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    EtcOverlayFileInputs, FileStat, OWNED_MTIME, OverlaySpec, Probe, checkEtcOverlayFile, diffEtcOverlayFile,
    etcOverlayOutputs, fileWriteSequence, liveAccount, normalizeOverlayPath, overlayCommands, overlayLayout,
    parseStat, planRemove, planWrite, probePaths, sha256,
} from "../../provider/etc-overlay-plan";
import { UNKNOWN } from "../../provider/inputs";

const file = (over: Partial<EtcOverlayFileInputs> = {}): EtcOverlayFileInputs => ({
    netns: "gw", path: "swanctl/swanctl.conf", kind: "file", content: "x\n", mode: "0644", owner: "root",
    group: "root", removeContents: false, ...over,
});

describe("checkEtcOverlayFile", () => {
    it("fills the defaults of a file", () => {
        assert.deepEqual(checkEtcOverlayFile({ netns: "gw", path: "strongswan.conf" }), {
            inputs: { netns: "gw", path: "strongswan.conf", kind: "file", mode: "0644", owner: "root", group: "root",
                removeContents: false, content: "" },
            failures: [],
        });
    });
    it("fills the defaults of a directory, without content", () => {
        const { inputs, failures } = checkEtcOverlayFile({ netns: "gw", path: "ipsec.d/run/", kind: "directory" });
        assert.deepEqual(failures, []);
        assert.deepEqual(inputs, { netns: "gw", path: "ipsec.d/run", kind: "directory", mode: "0755", owner: "root",
            group: "root", removeContents: false });
    });
    it("normalizes mode, owner and group", () => {
        const { inputs } = checkEtcOverlayFile({ netns: "gw", path: "a", mode: "600", owner: 0, group: "strongswan" });
        assert.equal(inputs?.mode, "0600");
        assert.equal(inputs?.owner, "0");
        assert.equal(inputs?.group, "strongswan");
    });
    it("keeps a secret's plaintext in the inputs (the handler needs it) and the connection as given", () => {
        const connection = { host: "192.0.2.1" };
        const { inputs } = checkEtcOverlayFile({ netns: "gw", path: "a", content: "psk", connection });
        assert.equal(inputs?.content, "psk");
        assert.equal(inputs?.connection, connection);
    });
    it("names each property and the fix", () => {
        const { failures } = checkEtcOverlayFile({
            netns: "a/b", path: "/etc/swanctl/swanctl.conf", kind: "fifo", mode: 644, owner: "-x", group: "a b",
            content: 7, removeContents: "yes",
        });
        const byProperty = Object.fromEntries(failures!.map((f) => [f.property, f.reason]));
        assert.deepEqual(Object.keys(byProperty).sort(),
            ["content", "group", "kind", "mode", "netns", "owner", "path", "removeContents"]);
        assert.match(byProperty.path, /write it relative to \/etc: "swanctl\/swanctl.conf"/);
        assert.match(byProperty.mode, /octal string, e.g. "0600"/);
        assert.match(byProperty.kind, /"file" or "directory"/);
        assert.match(byProperty.netns, /netns "a\/b" may only contain/);
    });
    it("refuses content for a directory and removeContents for a file", () => {
        const dir = checkEtcOverlayFile({ netns: "gw", path: "run", kind: "directory", content: "x" });
        assert.match(dir.failures![0].reason, /content is only for kind "file"/);
        const f = checkEtcOverlayFile({ netns: "gw", path: "a", removeContents: true });
        assert.match(f.failures![0].reason, /removeContents only applies to kind "directory"/);
    });
    it("accepts unknown values during preview", () => {
        const all = { netns: UNKNOWN, path: UNKNOWN, kind: UNKNOWN, content: UNKNOWN, mode: UNKNOWN, owner: UNKNOWN,
            group: UNKNOWN, removeContents: UNKNOWN };
        assert.deepEqual(checkEtcOverlayFile(all).failures, []);
    });
});

describe("normalizeOverlayPath", () => {
    const ok = (raw: string, kind = "file") => {
        const r = normalizeOverlayPath(raw, kind);
        assert.ok("path" in r, `expected ${JSON.stringify(raw)} to pass: ${"problem" in r ? r.problem : ""}`);
        return r.path;
    };
    const bad = (raw: unknown, re: RegExp, kind = "file") => {
        const r = normalizeOverlayPath(raw, kind);
        assert.ok("problem" in r, `expected ${JSON.stringify(raw)} to be refused`);
        assert.match(r.problem, re);
    };
    it("keeps plain relative paths and strips a leading ./", () => {
        assert.equal(ok("strongswan.conf"), "strongswan.conf");
        assert.equal(ok("swanctl/conf.d/x.conf"), "swanctl/conf.d/x.conf");
        assert.equal(ok("./swanctl/swanctl.conf"), "swanctl/swanctl.conf");
        assert.equal(ok("././a"), "a");
        assert.equal(ok(".hidden"), ".hidden");
    });
    it("takes one trailing slash for a directory, refuses it for a file", () => {
        assert.equal(ok("ipsec.d/run/", "directory"), "ipsec.d/run");
        bad("ipsec.d/run/", /ends in '\/'.*set kind: "directory"/);
        bad("ipsec.d/run//", /empty segment.*"ipsec.d\/run"/, "directory");
    });
    it("refuses absolute paths, saying what to write", () => {
        bad("/etc/strongswan.conf", /write it relative to \/etc: "strongswan.conf"/);
        bad("/var/lib/x", /absolute; an overlay can only replace something under \/etc/);
        bad("/etc/", /absolute/);
    });
    it("refuses traversal and path tricks", () => {
        bad("..", /contains "\.\."/);
        bad("../shadow", /contains "\.\."/);
        bad("swanctl/../../shadow", /contains "\.\."/);
        bad("a/./b", /"\." segment; write "a\/b"/);
        bad("a//b", /empty segment; write single slashes.*"a\/b"/);
        bad(".", /names \/etc itself/);
        bad("./", /names \/etc itself/);
        bad("", /non-empty path/);
        bad(undefined, /non-empty path/);
    });
    it("refuses control characters, NUL and newline", () => {
        bad("a\0b", /control characters/);
        bad("a\nb", /control characters/);
        bad("a\tb", /control characters/);
    });
    it("refuses characters that would need quoting, and overlaying /etc/netns", () => {
        bad("a b", /may only contain letters, digits/);
        bad("conf.d/*.conf", /may only contain/);
        bad("x'y", /may only contain/);
        bad("ünï", /may only contain/);
        bad("netns", /overlay \/etc\/netns itself/);
        bad("netns/x/y", /overlay \/etc\/netns itself/);
        bad(`a/${"x".repeat(256)}`, /longer than 255 bytes/);
        bad("a/.pulumi-netns-tmp.abc", /reserved/);
    });
});

describe("diffEtcOverlayFile", () => {
    const olds = etcOverlayOutputs(file(), { dirs: [], placeholders: [] }, sha256("x\n"));
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffEtcOverlayFile(olds, file()), { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("replaces, deleting first, when netns, path or kind change", () => {
        for (const [field, value] of [["netns", "gw2"], ["path", "swanctl/other.conf"], ["kind", "directory"]] as const) {
            assert.deepEqual(diffEtcOverlayFile(olds, file({ [field]: value })),
                { changes: true, replaces: [field], deleteBeforeReplace: true });
        }
    });
    it("updates content, mode, owner and group in place", () => {
        for (const over of [{ content: "y\n" }, { mode: "0600" }, { owner: "nobody" }, { group: "0" }]) {
            assert.deepEqual(diffEtcOverlayFile(olds, file(over)), { changes: true, replaces: [], deleteBeforeReplace: false });
        }
    });
    it("treats unknown values as changes: content updates, identity replaces", () => {
        assert.deepEqual(diffEtcOverlayFile(olds, file({ content: UNKNOWN })).replaces, []);
        assert.equal(diffEtcOverlayFile(olds, file({ content: UNKNOWN })).changes, true);
        assert.deepEqual(diffEtcOverlayFile(olds, file({ path: UNKNOWN })).replaces, ["path"]);
    });
    it("updates when read found the mounted-over entry gone", () => {
        assert.deepEqual(diffEtcOverlayFile({ ...olds, mounted: false }, file()),
            { changes: true, replaces: [], deleteBeforeReplace: false });
    });
    it("sees drift that read reported (live hash and mode)", () => {
        const drifted = { ...olds, contentSha256: sha256("edited"), mode: "0666" };
        assert.equal(diffEtcOverlayFile(drifted, file()).changes, true);
    });
});

describe("etcOverlayOutputs", () => {
    it("stores the content's hash, never its text", () => {
        const outs = etcOverlayOutputs(file({ content: "secret = hunter2\n" }), { dirs: ["/etc/netns"], placeholders: [] },
            sha256("secret = hunter2\n"));
        assert.doesNotMatch(JSON.stringify(outs), /hunter2/);
        assert.equal("content" in outs, false);
        assert.equal(outs.contentSha256, sha256("secret = hunter2\n"));
        assert.equal(outs.overlayPath, "/etc/netns/gw/swanctl/swanctl.conf");
        assert.equal(outs.etcPath, "/etc/swanctl/swanctl.conf");
        assert.equal(outs.mountedEntry, "/etc/swanctl");
        assert.deepEqual(outs.createdDirs, ["/etc/netns"]);
    });
});

describe("overlayLayout", () => {
    it("mounts the first component: a nested path needs /etc/<first> as a directory", () => {
        assert.deepEqual(overlayLayout(file()), {
            counterpart: "/etc/swanctl", counterpartIsDir: true, entry: "swanctl", nsDir: "/etc/netns/gw",
            chain: ["/etc/netns", "/etc/netns/gw", "/etc/netns/gw/swanctl"],
            target: "/etc/netns/gw/swanctl/swanctl.conf", etcPath: "/etc/swanctl/swanctl.conf",
        });
    });
    it("a top-level file needs /etc/<file> as a file", () => {
        const l = overlayLayout(file({ path: "strongswan.conf" }));
        assert.equal(l.counterpart, "/etc/strongswan.conf");
        assert.equal(l.counterpartIsDir, false);
        assert.deepEqual(l.chain, ["/etc/netns", "/etc/netns/gw"]);
    });
    it("a top-level directory needs a directory", () => {
        assert.equal(overlayLayout(file({ path: "ipsec.d", kind: "directory" })).counterpartIsDir, true);
    });
});

const stat = (type: FileStat["type"], over: Partial<FileStat> = {}): FileStat => ({
    type, mode: "0755", uid: "0", user: "root", gid: "0", groupName: "root", size: 0, mtime: 1_700_000_000, ...over,
});
const owned = (type: FileStat["type"], over: Partial<FileStat> = {}) => stat(type, { mtime: OWNED_MTIME, ...over });
const probeOf = (spec: OverlaySpec, entries: Record<string, FileStat | undefined>): Probe => {
    const map = new Map<string, FileStat | undefined>(probePaths(overlayLayout(spec)).map((p) => [p, undefined]));
    for (const [k, v] of Object.entries(entries)) map.set(k, v);
    return map;
};

describe("parseStat", () => {
    const paths = ["/etc/swanctl", "/etc/netns", "/etc/netns/gw/x"];
    it("reads present paths and accepts absent ones", () => {
        const probe = parseStat(
            "directory|755|0|root|0|root|4096|946729031|/etc/swanctl\nregular empty file|600|0|root|0|root|0|1|/etc/netns/gw/x\n",
            "stat: cannot statx '/etc/netns': No such file or directory", paths);
        assert.deepEqual(probe.get("/etc/swanctl"), owned("directory", { size: 4096 }));
        assert.equal(probe.get("/etc/netns/gw/x")?.mode, "0600");
        assert.equal(probe.get("/etc/netns/gw/x")?.type, "file");
        assert.equal(probe.has("/etc/netns"), true);
        assert.equal(probe.get("/etc/netns"), undefined);
    });
    it("throws when a path could not be inspected for another reason", () => {
        assert.throws(() => parseStat("", "stat: cannot statx '/etc/swanctl': Permission denied", ["/etc/swanctl"]),
            /could not inspect \/etc\/swanctl: .*Permission denied/);
    });
});

describe("planWrite", () => {
    it("on a fresh host: placeholder, every directory, and stamps on what it creates", () => {
        const spec = file();
        const plan = planWrite(overlayLayout(spec), spec, probeOf(spec, {}), true);
        assert.deepEqual(plan.placeholder, { path: "/etc/swanctl", kind: "directory" });
        assert.deepEqual(plan.mkdirs, ["/etc/netns", "/etc/netns/gw", "/etc/netns/gw/swanctl"]);
        assert.deepEqual(plan.restamp, ["/etc/netns", "/etc/netns/gw", "/etc/netns/gw/swanctl"]);
        assert.equal(plan.targetExists, false);
    });
    it("leaves an existing counterpart alone and re-stamps only marked directories it changes", () => {
        const spec = file();
        const plan = planWrite(overlayLayout(spec), spec, probeOf(spec, {
            "/etc/swanctl": stat("directory"), "/etc/netns": stat("directory"), "/etc/netns/gw": owned("directory"),
        }), true);
        assert.equal(plan.placeholder, undefined);
        assert.deepEqual(plan.mkdirs, ["/etc/netns/gw/swanctl"]);
        // /etc/netns is not ours; /etc/netns/gw is, and gains an entry.
        assert.deepEqual(plan.restamp, ["/etc/netns/gw", "/etc/netns/gw/swanctl"]);
    });
    it("refuses a counterpart of the other type: the mount would fail", () => {
        const spec = file();
        assert.throws(() => planWrite(overlayLayout(spec), spec, probeOf(spec, { "/etc/swanctl": stat("file") }), true),
            /\/etc\/swanctl is a file on the host, but `ip netns exec` would have to mount a directory/);
    });
    it("accepts a symlinked counterpart (mount follows it)", () => {
        const spec = file({ path: "resolv.conf" });
        assert.equal(planWrite(overlayLayout(spec), spec, probeOf(spec, { "/etc/resolv.conf": stat("symlink") }), true)
            .placeholder, undefined);
    });
    it("never writes through a link on the way", () => {
        const spec = file();
        assert.throws(() => planWrite(overlayLayout(spec), spec, probeOf(spec, {
            "/etc/swanctl": stat("directory"), "/etc/netns": stat("directory"), "/etc/netns/gw": stat("directory"),
            "/etc/netns/gw/swanctl": stat("symlink"),
        }), true), /\/etc\/netns\/gw\/swanctl is a symbolic link, not a directory/);
    });
    it("create refuses an existing file; update overwrites it", () => {
        const spec = file();
        const probe = probeOf(spec, {
            "/etc/swanctl": stat("directory"), "/etc/netns": stat("directory"), "/etc/netns/gw": stat("directory"),
            "/etc/netns/gw/swanctl": stat("directory"), "/etc/netns/gw/swanctl/swanctl.conf": stat("file"),
        });
        assert.throws(() => planWrite(overlayLayout(spec), spec, probe, true), /already exists and is not managed by this resource/);
        assert.equal(planWrite(overlayLayout(spec), spec, probe, false).targetExists, true);
    });
    it("adopts an existing directory entry without stamping its parent", () => {
        const spec = file({ path: "ipsec.d/run", kind: "directory", content: undefined, mode: "0700" });
        const plan = planWrite(overlayLayout(spec), spec, probeOf(spec, {
            "/etc/ipsec.d": stat("directory"), "/etc/netns": owned("directory"), "/etc/netns/gw": owned("directory"),
            "/etc/netns/gw/ipsec.d": owned("directory"), "/etc/netns/gw/ipsec.d/run": stat("directory"),
        }), true);
        assert.equal(plan.targetExists, true);
        assert.deepEqual(plan.restamp, []);
    });
});

describe("planRemove", () => {
    const none = { dirs: [], placeholders: [] };
    it("removes the file, prunes marked directories deepest first, offers the marked placeholder", () => {
        const spec = file();
        const plan = planRemove(overlayLayout(spec), spec, probeOf(spec, {
            "/etc/swanctl": owned("directory"), "/etc/netns": owned("directory"), "/etc/netns/gw": owned("directory"),
            "/etc/netns/gw/swanctl": owned("directory"), "/etc/netns/gw/swanctl/swanctl.conf": stat("file"),
        }), none);
        assert.equal(plan.target, "file");
        assert.deepEqual(plan.prune, ["/etc/netns/gw/swanctl", "/etc/netns/gw", "/etc/netns"]);
        assert.deepEqual(plan.placeholder, { path: "/etc/swanctl", kind: "directory" });
    });
    it("stops pruning at a directory someone else made, and never offers an unmarked counterpart", () => {
        const spec = file();
        const plan = planRemove(overlayLayout(spec), spec, probeOf(spec, {
            "/etc/swanctl": stat("directory"), "/etc/netns": owned("directory"), "/etc/netns/gw": stat("directory"),
            "/etc/netns/gw/swanctl": owned("directory"),
        }), none);
        assert.equal(plan.target, "leave", "already gone");
        assert.deepEqual(plan.prune, ["/etc/netns/gw/swanctl"]);
        assert.equal(plan.placeholder, undefined);
    });
    it("also prunes what this resource created after an outside change cost the mark", () => {
        const spec = file({ path: "x.conf" });
        const plan = planRemove(overlayLayout(spec), spec, probeOf(spec, {
            "/etc/x.conf": stat("file"), "/etc/netns": owned("directory"), "/etc/netns/gw": stat("directory"),
        }), { dirs: ["/etc/netns/gw"], placeholders: ["/etc/x.conf"] });
        assert.deepEqual(plan.prune, ["/etc/netns/gw", "/etc/netns"]);
        assert.deepEqual(plan.placeholder, { path: "/etc/x.conf", kind: "file" });
    });
    it("keeps a marked file placeholder that is no longer empty", () => {
        const spec = file({ path: "x.conf" });
        const plan = planRemove(overlayLayout(spec), spec, probeOf(spec, { "/etc/x.conf": owned("file", { size: 3 }) }), none);
        assert.equal(plan.placeholder, undefined);
    });
    it("removes a directory entry only if this resource created it or it is marked", () => {
        const spec = file({ path: "ipsec.d/run", kind: "directory", content: undefined });
        const entries = { "/etc/netns/gw/ipsec.d/run": stat("directory") };
        assert.equal(planRemove(overlayLayout(spec), spec, probeOf(spec, entries), none).target, "leave");
        assert.equal(planRemove(overlayLayout(spec), spec, probeOf(spec, entries),
            { dirs: ["/etc/netns/gw/ipsec.d/run"], placeholders: [] }).target, "dir");
        assert.equal(planRemove(overlayLayout(spec), { ...spec, removeContents: true }, probeOf(spec, entries),
            { dirs: ["/etc/netns/gw/ipsec.d/run"], placeholders: [] }).target, "tree");
    });
});

describe("overlay argv", () => {
    const spec = file({ content: "secret = hunter2\n", mode: "0600" });
    const target = "/etc/netns/gw/swanctl/swanctl.conf";
    const tmp = "/etc/netns/gw/swanctl/.pulumi-netns-tmp.0123456789ab";
    const sequence = fileWriteSequence(target, tmp, spec);
    it("gives the temporary file its final mode and owner before any content, then renames it into place", () => {
        assert.deepEqual(sequence, [
            ["install", "-m", "0600", "-o", "root", "-g", "root", "-T", "/dev/null", tmp],
            ["dd", `of=${tmp}`, "bs=65536", "conv=nocreat,fsync", "status=none"],
            ["mv", "-f", "-T", "--", tmp, target],
        ]);
    });
    it("keeps the temporary file next to the target (rename stays on one file system)", () => {
        assert.equal(tmp.slice(0, tmp.lastIndexOf("/")), target.slice(0, target.lastIndexOf("/")));
    });
    it("never puts content in argv", () => {
        assert.doesNotMatch(JSON.stringify(sequence), /hunter2/);
    });
    it("creates placeholders exclusively and stamps without creating", () => {
        assert.ok(overlayCommands.placeholderFile("/etc/x").includes("conv=excl"));
        assert.deepEqual(overlayCommands.stamp(["/etc/x"]).slice(0, 5), ["touch", "-c", "-m", "-d", `@${OWNED_MTIME}`]);
    });
});

describe("liveAccount", () => {
    it("keeps the form the user gave while it matches, else reports the live name", () => {
        assert.equal(liveAccount("root", "0", "root"), "root");
        assert.equal(liveAccount("0", "0", "root"), "0");
        assert.equal(liveAccount("root", "65534", "nobody"), "nobody");
        assert.equal(liveAccount("root", "4242", "UNKNOWN"), "4242");
    });
});

describe("registration", () => {
    it("is loaded by kind, behind the connection wrapper", async () => {
        const { handlersFor } = require("../../provider/registry");
        const result = await handlersFor("etcOverlayFile").check({}, { netns: "gw", path: "./strongswan.conf" });
        assert.deepEqual(result.failures, []);
        assert.equal(result.inputs.path, "strongswan.conf");
    });
});
