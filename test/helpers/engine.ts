/**
 * Engine-tier harness: a real `pulumi` CLI driven through the Automation API, with a throwaway
 * file backend and stack per test project.
 */
import { LocalWorkspace, OpMap, Stack } from "@pulumi/pulumi/automation";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { uniqueName } from "./host";

export const repoRoot = path.resolve(__dirname, "..", "..", "..");

export function fixtureDir(name: string): string {
    return path.join(repoRoot, "test", "fixtures", name);
}

/** Counts of engine operations, without the untouched ("same") ones. */
export function changes(ops: OpMap | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [op, n] of Object.entries(ops ?? {})) {
        if (op !== "same" && n) out[op] = n;
    }
    return out;
}

/** A stack of a project directory in its own temporary file backend. */
export class TestStack {
    private constructor(
        readonly stack: Stack,
        readonly backendDir: string,
        private readonly tempDir: string,
        private readonly log: string[],
    ) {}

    static async create(
        workDir: string,
        config: Record<string, string | { value: string; secret: boolean }> = {},
        env: Record<string, string> = {},
    ): Promise<TestStack> {
        const backendDir = mkdtempSync(path.join(tmpdir(), "netns-backend-"));
        // The language host leaves pipe directories in TMPDIR: give the CLI one that dispose removes.
        const tempDir = mkdtempSync(path.join(tmpdir(), "netns-tmp-"));
        const envVars = {
            PULUMI_BACKEND_URL: `file://${backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
            TMPDIR: tempDir,
            ...env,
        };
        const stack = await LocalWorkspace.createStack({ workDir, stackName: uniqueName("s") }, { envVars });
        for (const [key, value] of Object.entries(config)) {
            await stack.setConfig(key, typeof value === "string" ? { value } : value);
        }
        return new TestStack(stack, backendDir, tempDir, []);
    }

    private readonly onOutput = (line: string) => { this.log.push(line); };

    /** Everything the CLI printed so far; attach it to assertion messages. */
    output(): string {
        return this.log.join("");
    }

    async preview(): Promise<Record<string, number>> {
        return changes((await this.stack.preview({ onOutput: this.onOutput })).changeSummary);
    }

    async up(): Promise<Record<string, number>> {
        return changes((await this.stack.up({ onOutput: this.onOutput })).summary.resourceChanges);
    }

    async refresh(): Promise<Record<string, number>> {
        return changes((await this.stack.refresh({ onOutput: this.onOutput })).summary.resourceChanges);
    }

    async destroy(): Promise<Record<string, number>> {
        return changes((await this.stack.destroy({ onOutput: this.onOutput })).summary.resourceChanges);
    }

    async setConfig(key: string, value: string): Promise<void> {
        await this.stack.setConfig(key, { value });
    }

    async outputs(): Promise<Record<string, unknown>> {
        const outs = await this.stack.outputs();
        return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v.value]));
    }

    /** The stack's state as `pulumi stack export` prints it (secrets decrypted, as the CLI shows them). */
    async exportState(): Promise<string> {
        return JSON.stringify(await this.stack.exportStack());
    }

    /** Every file the backend stored (current state, backups, history), as written on disk. */
    storedState(): string {
        const files: string[] = [];
        const walk = (dir: string) => {
            for (const entry of readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else files.push(readFileSync(full).toString("latin1"));
            }
        };
        walk(this.backendDir);
        return files.join("\n");
    }

    /** Destroys what is left (best effort), then removes the stack and its backend. */
    async dispose(): Promise<void> {
        try {
            await this.stack.destroy({ onOutput: this.onOutput });
        } catch {
            // the test's own assertions report failures; cleanup must go on
        }
        try {
            await this.stack.workspace.removeStack(this.stack.name, { force: true });
        } catch {
            // the backend directory goes below anyway
        }
        rmSync(this.backendDir, { recursive: true, force: true });
        rmSync(this.tempDir, { recursive: true, force: true });
        // The CLI keeps per-stack settings (passphrase salt, config) beside Pulumi.yaml.
        rmSync(path.join(this.stack.workspace.workDir, `Pulumi.${this.stack.name}.yaml`), { force: true });
    }
}
