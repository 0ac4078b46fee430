import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../helpers/engine";
import { snapshotHost, uniqueName } from "../helpers/host";
import { engineTierProblem, tierOptions } from "../helpers/prereqs";

const NOBODY = 65534;

/** Runs `pulumi preview` of `projectDir` as nobody and returns its output. */
function previewAsNobody(projectDir: string): string {
    const home = mkdtempSync(path.join(tmpdir(), "netns-nobody-"));
    mkdirSync(path.join(home, "backend"));
    const stack = uniqueName("np");
    const env = {
        PATH: process.env.PATH ?? "",
        HOME: home,
        PULUMI_HOME: path.join(home, ".pulumi"),
        TMPDIR: home,
        PULUMI_BACKEND_URL: `file://${home}/backend`,
        PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    try {
        const asNobody = (...argv: string[]) => execFileSync("runuser", ["-u", "nobody", "--", ...argv],
            { cwd: projectDir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        asNobody("test", "-r", path.join(projectDir, "Pulumi.yaml")); // the clone must be readable by others
        // Stack settings live beside Pulumi.yaml, which nobody cannot write: root creates the stack.
        const asRoot = { cwd: projectDir, env: { ...process.env, ...env } };
        execFileSync("pulumi", ["stack", "init", stack, "--non-interactive"], asRoot);
        execFileSync("pulumi", ["config", "set", "prefix", uniqueName("p"), "--stack", stack], asRoot);
        execFileSync("pulumi", ["config", "set", "--secret", "psk", "--stack", stack], { ...asRoot, input: "preview-only-psk" });
        execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, home]);
        return asNobody("pulumi", "preview", "--stack", stack, "--non-interactive", "--diff");
    } finally {
        rmSync(home, { recursive: true, force: true });
        rmSync(stackFile, { force: true });
    }
}

/** `pulumi preview` must work where CI runs it: unprivileged, and without touching the host. */
describe("pulumi preview as nobody", tierOptions(engineTierProblem()), () => {
    for (const project of [".", "examples/routed-namespaces", "examples/bridge-lab", "examples/hub-spoke"]) {
        it(`plans ${project === "." ? "the root demo stack" : project} and changes nothing on the host`, () => {
            const before = snapshotHost();
            const out = previewAsNobody(path.join(repoRoot, project));
            assert.match(out, /\+ \d+ to create/, out);
            assert.match(out, /pulumi-nodejs:dynamic\/netns:Namespace/, out);
            assert.deepEqual(snapshotHost(), before, "preview changed the host");
        });
    }
});
