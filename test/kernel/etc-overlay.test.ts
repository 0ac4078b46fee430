import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
    etcOverlayFileProvider as provider, inspectOverlayFile, removeOverlayFile, writeOverlayFile,
} from "../../provider/etc-overlay";
import { EtcOverlayFileInputs, EtcOverlayFileOutputs, OWNED_MTIME, checkEtcOverlayFile, sha256 } from "../../provider/etc-overlay-plan";
import { LocalRunner } from "../../provider/runner";
import { FailingRunner, RecordingRunner, withRunner } from "../helpers/faults";
import { removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

/** Every /etc entry these tests name starts with this, so cleanup can never hit a real file. */
const TEST_PREFIX = "netns-test-";

function run(file: string, ...args: string[]): string {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
const inNetns = (ns: string, ...argv: string[]) => run("ip", "netns", "exec", ns, ...argv);
const modeOf = (path: string) => (statSync(path).mode & 0o7777).toString(8).padStart(4, "0");
const testEntries = () => readdirSync("/etc").filter((e) => e.startsWith(TEST_PREFIX));

/** Checked inputs, as the engine would pass them after check. */
function inputs(raw: Record<string, unknown>): EtcOverlayFileInputs {
    const { inputs: checked, failures } = checkEtcOverlayFile(raw);
    assert.deepEqual(failures, []);
    return checked!;
}

/** create, with the outputs every successful create returns. */
async function create(checked: EtcOverlayFileInputs): Promise<{ id: string; outs: EtcOverlayFileOutputs }> {
    const { id, outs } = await provider.create(checked);
    assert.ok(outs);
    return { id, outs };
}

describe("EtcOverlayFile handlers on the real file system", tierOptions(kernelTierProblem()), () => {
    const hostBefore = snapshotHost();
    const etcNetnsExisted = existsSync("/etc/netns");
    const madeNs = new Set<string>();
    const madeEntries = new Set<string>();
    const netns = () => {
        const name = uniqueName("tov");
        madeNs.add(name);
        run("ip", "netns", "add", name);
        return name;
    };
    /** A top-level /etc name that does not exist (so tests never touch real /etc files). */
    const entry = (suffix: string) => {
        const name = `${TEST_PREFIX}${randomBytes(4).toString("hex")}${suffix}`;
        assert.equal(existsSync(`/etc/${name}`), false);
        madeEntries.add(name);
        return name;
    };
    /** Nothing of `ns` or `entries` is left on the host (and /etc/netns is as it was, unless others use it). */
    const assertClean = (namespaces: string[], entries: string[]) => {
        for (const ns of namespaces) assert.equal(existsSync(`/etc/netns/${ns}`), false, `/etc/netns/${ns} is gone`);
        for (const e of entries) assert.equal(existsSync(`/etc/${e}`), false, `/etc/${e} is gone`);
        if (!etcNetnsExisted && existsSync("/etc/netns")) {
            assert.ok(readdirSync("/etc/netns").some((e) => !madeNs.has(e)), "/etc/netns was pruned when it became empty");
        }
    };

    /** Removes what a test made by hand under /etc/netns (unmarked, so the handlers rightly keep it). */
    const removeByHand = (ns: string) => {
        rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
        if (!etcNetnsExisted && readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns");
    };

    before(() => assert.deepEqual(testEntries(), [], "no leftovers from an earlier run"));
    after(() => {
        removeNamespaces(madeNs);
        for (const ns of madeNs) rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
        for (const e of madeEntries) rmSync(`/etc/${e}`, { recursive: true, force: true });
        if (!etcNetnsExisted && existsSync("/etc/netns") && readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns");
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
        assert.deepEqual(testEntries(), [], "no test entries left in /etc");
    });

    it("mounts a nested file over a missing counterpart through a placeholder, and removes both", async () => {
        const ns = netns();
        const e = entry(".d");
        const spec = inputs({ netns: ns, path: `./${e}/sub/app.conf`, content: "hello from the overlay\n" });
        assert.equal(spec.path, `${e}/sub/app.conf`, "normalized");

        const { id, outs } = await create(spec);
        assert.equal(id, `/etc/netns/${ns}/${e}/sub/app.conf`);
        assert.deepEqual(outs.createdPlaceholders, [`/etc/${e}`]);
        assert.deepEqual(outs.createdDirs.filter((d) => d !== "/etc/netns"),
            [`/etc/netns/${ns}`, `/etc/netns/${ns}/${e}`, `/etc/netns/${ns}/${e}/sub`]);
        assert.ok(statSync(`/etc/${e}`).isDirectory());
        assert.deepEqual(readdirSync(`/etc/${e}`), [], "the placeholder is empty");
        assert.equal(statSync(`/etc/${e}`).mtimeMs / 1000, OWNED_MTIME, "and marked as pulumi-netns's");
        assert.equal(inNetns(ns, "cat", `/etc/${e}/sub/app.conf`), "hello from the overlay\n");

        assert.deepEqual((await provider.read!(id, outs)).props, outs);

        await provider.delete!(id, outs);
        assertClean([ns], [e]);
        assert.equal((await provider.read!(id, outs)).id, "", "read reports it gone");
        await provider.delete!(id, outs); // idempotent
    });

    it("uses an existing counterpart, which hides the host's other files there, and never removes it", async () => {
        const ns = netns();
        const dir = entry(".d");
        mkdirSync(`/etc/${dir}`);
        writeFileSync(`/etc/${dir}/host-only.conf`, "host\n");
        const top = entry(".conf");
        writeFileSync(`/etc/${top}`, "host version\n");

        const nested = await create(inputs({ netns: ns, path: `${dir}/app.conf`, content: "ns\n" }));
        const file = await create(inputs({ netns: ns, path: top, content: "namespace version\n" }));
        assert.deepEqual(nested.outs.createdPlaceholders, []);
        assert.deepEqual(file.outs.createdPlaceholders, []);

        // Only the first component is mounted: the whole directory replaces /etc/<dir>.
        assert.equal(inNetns(ns, "ls", "-A", `/etc/${dir}`).trim(), "app.conf");
        assert.equal(inNetns(ns, "cat", `/etc/${top}`), "namespace version\n");
        assert.equal(readFileSync(`/etc/${top}`, "utf8"), "host version\n", "the host's file is unchanged");

        await provider.delete!(nested.id, nested.outs);
        await provider.delete!(file.id, file.outs);
        assert.equal(readFileSync(`/etc/${dir}/host-only.conf`, "utf8"), "host\n", "the counterpart directory stays");
        assert.equal(readFileSync(`/etc/${top}`, "utf8"), "host version\n", "the counterpart file stays");
        assert.equal(existsSync(`/etc/netns/${ns}`), false);
    });

    it("writes a secret with mode 0600 from the start and never puts it in argv or outputs", async () => {
        const ns = netns();
        const e = entry(".d");
        const secret = `psk-${randomBytes(8).toString("hex")}`;
        const recorder = new RecordingRunner();
        const spec = inputs({ netns: ns, path: `${e}/secrets.conf`, content: `secret = ${secret}\n`, mode: "0600" });
        const { id, outs } = await withRunner(recorder, () => create(spec));

        assert.equal(modeOf(id), "0600");
        assert.equal(statSync(id).uid, 0);
        assert.equal(inNetns(ns, "cat", `/etc/${e}/secrets.conf`), `secret = ${secret}\n`);
        assert.doesNotMatch(JSON.stringify(recorder.ran.map((r) => r.argv)), new RegExp(secret), "not in argv");
        assert.doesNotMatch(JSON.stringify(outs), new RegExp(secret), "not in outputs");
        assert.equal(outs.contentSha256, sha256(`secret = ${secret}\n`));

        const made = recorder.ran.findIndex((r) => r.argv[0] === "install" && r.argv.includes("/dev/null"));
        const fill = recorder.ran.findIndex((r) => r.argv[0] === "dd");
        const commit = recorder.ran.findIndex((r) => r.argv[0] === "mv");
        assert.ok(made >= 0 && fill > made && commit > fill, "mode and owner first, then content, then the rename");
        const tmp = recorder.ran[made].argv.at(-1)!;
        assert.deepEqual(recorder.ran[made].argv.slice(0, 7), ["install", "-m", "0600", "-o", "root", "-g", "root"]);
        assert.equal(recorder.ran[fill].argv[1], `of=${tmp}`);
        assert.ok(recorder.ran[fill].stdin?.includes(secret), "content went over stdin");
        assert.deepEqual(recorder.ran.filter((r) => r.stdin?.includes(secret)).length, 1, "and only to dd");
        assert.equal(tmp.slice(0, tmp.lastIndexOf("/")), `/etc/netns/${ns}/${e}`, "next to the target");
        assert.deepEqual(recorder.ran[commit].argv.slice(-2), [tmp, id]);
        assert.deepEqual(readdirSync(`/etc/netns/${ns}/${e}`), ["secrets.conf"], "no temporary file left");

        await provider.delete!(id, outs);
        assertClean([ns], [e]);
    });

    it("keeps a placeholder that someone has written into since", async () => {
        const ns = netns();
        const e = entry(".conf");
        const { id, outs } = await create(inputs({ netns: ns, path: e, content: "ns\n" }));
        assert.deepEqual(outs.createdPlaceholders, [`/etc/${e}`]);
        writeFileSync(`/etc/${e}`, "the host now uses this file\n");
        await provider.delete!(id, outs);
        assert.equal(readFileSync(`/etc/${e}`, "utf8"), "the host now uses this file\n");
        assertClean([ns], []);
    });

    it("writes and removes a set of files through the API other resources use", async () => {
        const ns = netns();
        const [conf, dir] = [entry(".conf"), entry(".d")];
        const runner = new LocalRunner();
        const specs = [
            inputs({ netns: ns, path: conf, content: "charon {}\n" }),
            inputs({ netns: ns, path: `${dir}/swanctl.conf`, content: "connections {}\n" }),
            inputs({ netns: ns, path: `${dir}/conf.d/secrets.conf`, content: "secrets {}\n", mode: "0600" }),
            inputs({ netns: ns, path: `${dir}/run`, kind: "directory", removeContents: true }),
        ];
        const created = [];
        for (const spec of specs) created.push(await writeOverlayFile(runner, spec, { exclusive: true }));
        assert.equal(inNetns(ns, "cat", `/etc/${conf}`, `/etc/${dir}/swanctl.conf`), "charon {}\nconnections {}\n");
        assert.equal(inNetns(ns, "stat", "-c", "%a", `/etc/${dir}/conf.d/secrets.conf`).trim(), "600");
        // Overwriting (not exclusive) is how an instance applies new configuration.
        await writeOverlayFile(runner, { ...specs[1], content: "connections { a {} }\n" });
        assert.equal(inNetns(ns, "cat", `/etc/${dir}/swanctl.conf`), "connections { a {} }\n");
        assert.equal((await inspectOverlayFile(runner, specs[1]))?.contentSha256, sha256("connections { a {} }\n"));

        for (let i = specs.length - 1; i >= 0; i--) await removeOverlayFile(runner, specs[i], created[i]);
        assert.equal(await inspectOverlayFile(runner, specs[1]), undefined);
        assertClean([ns], [conf, dir]);
    });

    it("refuses traversal in check, before anything touches the host", async () => {
        const ns = netns();
        for (const path of ["../shadow", "/etc/shadow", "a/../../shadow", "a//b", "a\nb", "netns/x"]) {
            const { failures } = await provider.check!({} as EtcOverlayFileInputs, { netns: ns, path } as unknown as EtcOverlayFileInputs);
            assert.equal(failures?.[0]?.property, "path", JSON.stringify(path));
        }
        assert.equal(existsSync(`/etc/netns/${ns}`), false);
    });

    it("updates content and mode in place", async () => {
        const ns = netns();
        const e = entry(".conf");
        const first = inputs({ netns: ns, path: e, content: "v1\n" });
        const { id, outs } = await create(first);
        const inode = statSync(id).ino;
        const second = inputs({ netns: ns, path: e, content: "v2\n", mode: "0640" });
        assert.deepEqual(await provider.diff!(id, outs, second), { changes: true, replaces: [], deleteBeforeReplace: false });

        const updated = (await provider.update!(id, outs, second)).outs!;
        assert.equal(inNetns(ns, "cat", `/etc/${e}`), "v2\n");
        assert.equal(modeOf(id), "0640");
        assert.notEqual(statSync(id).ino, inode, "replaced atomically by rename");
        assert.equal(updated.contentSha256, sha256("v2\n"));
        assert.deepEqual(updated.createdPlaceholders, [`/etc/${e}`], "still knows what create made");

        await provider.delete!(id, updated);
        assertClean([ns], [e]);
    });

    it("reads drift (content, mode) and disappearance; update repairs drift", async () => {
        const ns = netns();
        const e = entry(".conf");
        const spec = inputs({ netns: ns, path: e, content: "wanted\n", mode: "0600" });
        const { id, outs } = await create(spec);
        writeFileSync(id, "edited by hand\n");
        chmodSync(id, 0o666);

        const drifted = (await provider.read!(id, outs)).props as EtcOverlayFileOutputs;
        assert.equal(drifted.contentSha256, sha256("edited by hand\n"));
        assert.equal(drifted.mode, "0666");
        assert.equal(drifted.owner, "root");
        assert.equal((await provider.diff!(id, drifted, spec)).changes, true);
        const repaired = (await provider.update!(id, drifted, spec)).outs!;
        assert.equal(readFileSync(id, "utf8"), "wanted\n");
        assert.equal(modeOf(id), "0600");
        assert.deepEqual((await provider.read!(id, repaired)).props, repaired);

        rmSync(`/etc/${e}`); // the placeholder: the overlay no longer takes effect
        const unmounted = (await provider.read!(id, repaired)).props as EtcOverlayFileOutputs;
        assert.equal(unmounted.mounted, false);
        assert.equal((await provider.diff!(id, unmounted, spec)).changes, true);
        await provider.update!(id, unmounted, spec);
        assert.equal(inNetns(ns, "cat", `/etc/${e}`), "wanted\n", "update put a placeholder back");

        rmSync(id);
        assert.equal((await provider.read!(id, repaired)).id, "", "deleted out of band");
        await provider.delete!(id, repaired);
        assertClean([ns], [e]);
    });

    it("deletes after its namespace is gone", async () => {
        const ns = netns();
        const e = entry(".d");
        const { id, outs } = await create(inputs({ netns: ns, path: `${e}/x.conf`, content: "x" }));
        run("ip", "netns", "delete", ns);
        assert.ok(existsSync(id), "ip netns delete leaves /etc/netns/NS alone");
        await provider.delete!(id, outs);
        assertClean([ns], [e]);
        await provider.delete!(id, outs);
    });

    for (const order of ["creator first", "creator last"] as const) {
        it(`shares one placeholder between namespaces until the last overlay goes (${order})`, async () => {
            const [a, b] = [netns(), netns()];
            const e = entry(".conf");
            const made = await create(inputs({ netns: a, path: e, content: "a\n" }));
            const reused = await create(inputs({ netns: b, path: e, content: "b\n" }));
            assert.deepEqual(made.outs.createdPlaceholders, [`/etc/${e}`]);
            assert.deepEqual(reused.outs.createdPlaceholders, [], "b found it");
            assert.equal(inNetns(a, "cat", `/etc/${e}`), "a\n");
            assert.equal(inNetns(b, "cat", `/etc/${e}`), "b\n");

            const [first, second, survivor] = order === "creator first" ? [made, reused, b] : [reused, made, a];
            await provider.delete!(first.id, first.outs);
            assert.ok(existsSync(`/etc/${e}`), "kept while another namespace uses it");
            assert.equal(inNetns(survivor, "cat", `/etc/${e}`), survivor === a ? "a\n" : "b\n");
            await provider.delete!(second.id, second.outs);
            assertClean([a, b], [e]);
        });
    }

    it("manages a directory entry; a non-empty one stays until the last overlay inside goes", async () => {
        const ns = netns();
        const e = entry(".d");
        const dir = await create(inputs({ netns: ns, path: `${e}/run`, kind: "directory", mode: "0700" }));
        assert.equal(modeOf(dir.id), "0700");
        assert.ok(dir.outs.createdDirs.includes(dir.id));
        const inside = await create(inputs({ netns: ns, path: `${e}/run/x.conf`, content: "x" }));
        assert.equal(inNetns(ns, "stat", "-c", "%a", `/etc/${e}/run`).trim(), "700");

        await provider.delete!(dir.id, dir.outs);
        assert.ok(existsSync(inside.id), "the directory stays while an overlay is inside");
        await provider.delete!(inside.id, inside.outs);
        assertClean([ns], [e]);
    });

    it("removeContents removes a run directory with a daemon's leftovers", async () => {
        const ns = netns();
        const e = entry(".d");
        const dir = await create(inputs({ netns: ns, path: `${e}/run/`, kind: "directory", removeContents: true }));
        writeFileSync(`${dir.id}/charon.pid`, "4242\n"); // as a daemon inside the namespace would
        await provider.delete!(dir.id, dir.outs);
        assertClean([ns], [e]);
    });

    it("refuses to adopt an existing file and leaves it alone", async () => {
        const ns = netns();
        const e = entry(".conf");
        writeFileSync(`/etc/${e}`, "");
        mkdirSync(`/etc/netns/${ns}`, { recursive: true });
        writeFileSync(`/etc/netns/${ns}/${e}`, "someone else's\n");
        await assert.rejects(create(inputs({ netns: ns, path: e, content: "mine" })),
            new RegExp(`create etcOverlayFile "${e}" in netns "${ns}": .* already exists and is not managed by this resource`));
        assert.equal(readFileSync(`/etc/netns/${ns}/${e}`, "utf8"), "someone else's\n");
        removeByHand(ns);
    });

    it("refuses a path whose counterpart has the other type, creating nothing", async () => {
        const ns = netns();
        const e = entry(".conf");
        writeFileSync(`/etc/${e}`, "");
        await assert.rejects(create(inputs({ netns: ns, path: `${e}/x`, content: "x" })),
            /is a file on the host, but `ip netns exec` would have to mount a directory/);
        assert.equal(existsSync(`/etc/netns/${ns}`), false);
    });

    for (const [what, fails] of [
        ["the rename", (argv: readonly string[]) => argv[0] === "mv"],
        ["the stamp", (argv: readonly string[]) => argv[0] === "touch"],
    ] as const) {
        it(`rolls back a create that fails at ${what}`, async () => {
            const ns = netns();
            const e = entry(".d");
            const runner = new FailingRunner(fails);
            await assert.rejects(withRunner(runner, () => create(inputs({ netns: ns, path: `${e}/a/b.conf`, content: "x" }))),
                /injected failure/);
            assertClean([ns], [e]);
        });
    }

    it("rolls back when the owner does not exist on the host", async () => {
        const ns = netns();
        const e = entry(".d");
        await assert.rejects(create(inputs({ netns: ns, path: `${e}/x.conf`, owner: "netns-test-nobody" })),
            /invalid user/);
        assertClean([ns], [e]);
    });

    it("creates and deletes many overlays in several namespaces concurrently", async () => {
        const namespaces = [netns(), netns(), netns()];
        const shared = entry(".d");
        const top = entry(".conf");
        const specs = namespaces.flatMap((ns) => [
            inputs({ netns: ns, path: top, content: `${ns}\n` }),
            inputs({ netns: ns, path: `${shared}/swanctl.conf`, content: `conn ${ns}\n` }),
            inputs({ netns: ns, path: `${shared}/conf.d/a.conf`, content: "a" }),
            inputs({ netns: ns, path: `${shared}/run`, kind: "directory" }),
        ]);
        const made = await Promise.all(specs.map((s) => create(s)));
        for (const ns of namespaces) {
            assert.equal(inNetns(ns, "cat", `/etc/${top}`, `/etc/${shared}/swanctl.conf`), `${ns}\nconn ${ns}\n`);
        }
        assert.equal(made.flatMap((m) => m.outs.createdPlaceholders).length, 2, "each placeholder created once");
        await Promise.all(made.map((m) => provider.delete!(m.id, m.outs)));
        assertClean(namespaces, [shared, top]);
    });
});
