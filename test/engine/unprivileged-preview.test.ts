import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../helpers/engine";
import { snapshotHost, uniqueName } from "../helpers/host";
import { engineTierProblem, tierOptions } from "../helpers/prereqs";

const NOBODY = 65534;

/** `pulumi preview` must work where CI runs it: unprivileged, and without touching the host. */
describe("pulumi preview of the root stack as nobody", tierOptions(engineTierProblem()), () => {
    it("plans the demo and changes nothing on the host", () => {
        const before = snapshotHost();
        const home = mkdtempSync(path.join(tmpdir(), "netns-nobody-"));
        mkdirSync(path.join(home, "backend"));
        for (const dir of [home, path.join(home, "backend")]) chownSync(dir, NOBODY, NOBODY);
        const stack = uniqueName("np");
        const env = {
            PATH: process.env.PATH ?? "",
            HOME: home,
            PULUMI_HOME: path.join(home, ".pulumi"),
            PULUMI_BACKEND_URL: `file://${home}/backend`,
            PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        const asNobody = (...argv: string[]) => execFileSync("runuser", ["-u", "nobody", "--", ...argv],
            { cwd: repoRoot, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const stackFile = path.join(repoRoot, `Pulumi.${stack}.yaml`);
        try {
            asNobody("test", "-r", path.join(repoRoot, "package.json")); // the clone must be readable by others
            // Stack settings live beside Pulumi.yaml, which nobody cannot write: root creates the stack.
            execFileSync("pulumi", ["stack", "init", stack, "--non-interactive"], { cwd: repoRoot, env: { ...process.env, ...env } });
            execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, home]);
            const out = asNobody("pulumi", "preview", "--stack", stack, "--non-interactive", "--diff");
            assert.match(out, /\+ \d+ to create/, out);
            assert.match(out, /pulumi-nodejs:dynamic\/netns:Namespace/, out);
            assert.deepEqual(snapshotHost(), before, "preview changed the host");
        } finally {
            rmSync(home, { recursive: true, force: true });
            rmSync(stackFile, { force: true });
        }
    });
});
