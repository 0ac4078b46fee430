/**
 * The command runner: the only module that spawns processes.
 *
 * Handlers describe commands as argv arrays and hand them to a {@link CommandRunner}. The local
 * runner executes them with execa, never through a shell. A remote (SSH) runner implements the
 * same interface, so handlers do not change when the target host does.
 */
import { execa } from "execa";
import type { ConnectionInputs } from "./connection";

export type { ConnectionInputs } from "./connection";

/** Options for one command. */
export interface RunOptions {
    /** Run the command inside this network namespace (`ip -n NS …` for `ip`, else `ip netns exec NS …`). */
    readonly netns?: string;
    /** Text written to the command's stdin. Content and secrets travel here, never in argv. */
    readonly stdin?: string;
    /** Exit codes that are results, not failures (e.g. 1 for "not found" probes). Default: [0]. */
    readonly okExitCodes?: readonly number[];
    /** Kill the command after this many milliseconds. Default: 60 s. */
    readonly timeoutMs?: number;
}

/** What a finished command left behind. */
export interface RunResult {
    /** The argv that actually ran (after the netns prefix was applied). */
    readonly argv: readonly string[];
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** A command that failed to start, timed out, or exited with a code not in `okExitCodes`. */
export class CommandError extends Error {
    override readonly name = "CommandError";
    constructor(
        message: string,
        readonly argv: readonly string[],
        readonly exitCode: number | undefined,
        readonly stderr: string,
        options?: { cause?: unknown; missingProgram?: boolean },
    ) {
        super(message, { cause: options?.cause });
        this.missingProgram = options?.missingProgram ?? false;
    }

    /** The program itself was not found: its stderr says nothing about the object it was meant for. */
    readonly missingProgram: boolean;
}

/** Something that runs argv arrays on a target host. */
export interface CommandRunner {
    /** Human-readable target, used in error messages ("local host", "root@192.0.2.1:22"). */
    readonly target: string;
    run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Applies the `netns` option: `ip` gets `-n NS` (one process), anything else `ip netns exec NS`. */
export function withNetns(argv: readonly string[], netns: string | undefined): readonly string[] {
    if (netns === undefined) {
        return argv;
    }
    if (argv[0] === "ip") {
        return ["ip", "-n", netns, ...argv.slice(1)];
    }
    return ["ip", "netns", "exec", netns, ...argv];
}

/** What a transport reports about one spawned process. */
interface Spawned {
    exitCode?: number;
    stdout: string;
    stderr: string;
    timedOut: boolean;
    signal?: string;
    missing: boolean;
    cause?: unknown;
}

/** Spawns `file args` without a shell. The only call to execa in the project. */
export async function spawn(file: string, args: readonly string[], stdin: string | undefined, timeoutMs: number): Promise<Spawned> {
    const result = await execa(file, args, {
        input: stdin ?? "",
        reject: false,
        timeout: timeoutMs,
        // Only PATH and the C locale (parsers expect untranslated messages). Nothing else of
        // Pulumi's environment (PULUMI_CONFIG_PASSPHRASE!) may reach commands or the daemons they start.
        env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
        extendEnv: false,
        stripFinalNewline: true,
    });
    return {
        exitCode: result.exitCode,
        stdout: String(result.stdout ?? ""),
        stderr: String(result.stderr ?? ""),
        timedOut: Boolean(result.timedOut),
        signal: result.signal ?? undefined,
        missing: (result as { code?: string }).code === "ENOENT",
        cause: result.cause,
    };
}

/** Where the programs handlers run come from, for "not found" errors. */
const PACKAGES: Record<string, string> = {
    ip: "iproute2", nft: "nftables", swanctl: "strongswan-swanctl", tee: "coreutils", sysctl: "procps",
};

/** Turns a spawned process into a result, or the one error type. */
export function settle(spawned: Spawned, argv: readonly string[], target: string, ok: readonly number[],
    program = argv[0]): RunResult {
    const { exitCode, stdout, stderr } = spawned;
    if (spawned.timedOut) {
        throw new CommandError(`${program}: timed out on ${target}`, argv, exitCode, stderr);
    }
    // 127: a shell or env found no such program; `ip netns exec` reports its failed exec itself.
    if (spawned.missing || exitCode === 127 || /^exec of ".*" failed: No such file or directory/m.test(stderr)) {
        const hint = PACKAGES[program] ? ` (Debian package ${PACKAGES[program]})` : "";
        throw new CommandError(`${program}: not found on ${target}; install it${hint}`, argv, exitCode, stderr,
            { cause: spawned.cause, missingProgram: true });
    }
    if (exitCode === undefined || !ok.includes(exitCode)) {
        const why = exitCode === undefined ? `killed by ${spawned.signal ?? "a signal"}` : `exit code ${exitCode}`;
        throw new CommandError(
            `\`${argv.join(" ")}\` failed on ${target} (${why}): ${stderr || stdout || "no output"}`,
            argv, exitCode, stderr, { cause: spawned.cause },
        );
    }
    return { argv, exitCode, stdout, stderr };
}

/** Runs commands on this machine. */
export class LocalRunner implements CommandRunner {
    readonly target = "local host";

    async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
        const full = withNetns(argv, options.netns);
        if (full.length === 0) {
            throw new Error("run: empty argv");
        }
        const spawned = await spawn(full[0], full.slice(1), options.stdin, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        return settle(spawned, full, this.target, options.okExitCodes ?? [0], argv[0]);
    }
}

let local: LocalRunner | undefined;
let override: CommandRunner | undefined;

/** The runner for a resource's target host: `runnerFor(inputs.connection)`. */
export function runnerFor(connection?: ConnectionInputs): CommandRunner {
    if (connection !== undefined) {
        // Loaded lazily: local runs never need the SSH transport (and ssh.ts imports this module).
        return (require("./ssh") as typeof import("./ssh")).sshRunnerFor(connection);
    }
    if (override) return override;
    local ??= new LocalRunner();
    return local;
}

/** For tests: send every command through `runner` (e.g. to inject a failure); undefined restores. */
export function overrideRunnerForTesting(runner: CommandRunner | undefined): void {
    override = runner;
}
