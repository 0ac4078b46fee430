/**
 * The command runner: the only module that spawns processes.
 *
 * Handlers describe commands as argv arrays and hand them to a {@link CommandRunner}. The local
 * runner executes them with execa, never through a shell. A remote (SSH) runner implements the
 * same interface, so handlers do not change when the target host does.
 */
import { execa } from "execa";

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
        options?: { cause?: unknown },
    ) {
        super(message, options);
    }
}

/** Something that runs argv arrays on a target host. */
export interface CommandRunner {
    /** Human-readable target, used in error messages ("local host", "root@192.0.2.1:22"). */
    readonly target: string;
    run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

const DEFAULT_TIMEOUT_MS = 60_000;

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

/** Runs commands on this machine. */
export class LocalRunner implements CommandRunner {
    readonly target = "local host";

    async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
        const full = withNetns(argv, options.netns);
        if (full.length === 0) {
            throw new Error("run: empty argv");
        }
        const [file, ...args] = full;
        const result = await execa(file, args, {
            input: options.stdin ?? "",
            reject: false,
            timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            // Parsing relies on untranslated messages; nothing else of the caller's env matters.
            env: { LC_ALL: "C" },
            stripFinalNewline: true,
        });
        const ok = options.okExitCodes ?? [0];
        const exitCode = result.exitCode;
        if (result.timedOut) {
            throw new CommandError(`${file}: timed out on ${this.target}`, full, exitCode, String(result.stderr));
        }
        if ((result as { code?: string }).code === "ENOENT") {
            throw new CommandError(
                `${file}: not found on ${this.target}; install it (for "ip": iproute2)`,
                full, exitCode, "", { cause: result.cause },
            );
        }
        if (exitCode === undefined || !ok.includes(exitCode)) {
            const stderr = String(result.stderr);
            const why = exitCode === undefined ? `killed by ${result.signal ?? "a signal"}` : `exit code ${exitCode}`;
            throw new CommandError(
                `\`${full.join(" ")}\` failed on ${this.target} (${why}): ${stderr || String(result.stdout) || "no output"}`,
                full, exitCode, stderr, { cause: result.cause },
            );
        }
        return { argv: full, exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
    }
}

let local: LocalRunner | undefined;
let override: CommandRunner | undefined;

/**
 * How to reach a remote target host; absent means this machine. Every resource stores it as its
 * `connection` input. (Remote hosts arrive with the SSH issue; until then only local works.)
 */
export interface ConnectionInputs {
    readonly host: string;
    readonly port?: number;
    readonly user?: string;
}

/** The runner for a resource's target host: `runnerFor(inputs.connection)`. */
export function runnerFor(connection?: ConnectionInputs): CommandRunner {
    if (connection !== undefined) {
        throw new Error(`remote target hosts are not supported yet (connection to ${connection.host})`);
    }
    if (override) return override;
    local ??= new LocalRunner();
    return local;
}

/** For tests: send every command through `runner` (e.g. to inject a failure); undefined restores. */
export function overrideRunnerForTesting(runner: CommandRunner | undefined): void {
    override = runner;
}
