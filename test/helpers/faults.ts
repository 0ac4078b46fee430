import { CommandError, CommandRunner, LocalRunner, RunOptions, RunResult, overrideRunnerForTesting } from "../../provider/runner";

/**
 * Runs commands on the real host, except that the first command matching `matches` fails as if
 * the kernel refused it. Used to prove that a half-done create is rolled back.
 */
export class FailingRunner implements CommandRunner {
    readonly target = "local host";
    readonly ran: string[][] = [];
    private readonly real = new LocalRunner();
    private tripped = false;

    constructor(private readonly matches: (argv: readonly string[]) => boolean) {}

    async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
        this.ran.push([...argv]);
        if (!this.tripped && this.matches(argv)) {
            this.tripped = true;
            throw new CommandError(`injected failure: ${argv.join(" ")}`, argv, 2, "RTNETLINK answers: Operation not permitted");
        }
        return this.real.run(argv, options);
    }
}

/** Runs `body` with `runner` in place of the local runner. */
export async function withRunner<T>(runner: CommandRunner, body: () => Promise<T>): Promise<T> {
    overrideRunnerForTesting(runner);
    try {
        return await body();
    } finally {
        overrideRunnerForTesting(undefined);
    }
}

/** Runs every command on the real host and records its argv and stdin. */
export class RecordingRunner implements CommandRunner {
    readonly target = "local host";
    readonly ran: Array<{ argv: string[]; stdin?: string }> = [];
    private readonly real = new LocalRunner();
    async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
        this.ran.push({ argv: [...argv], stdin: options?.stdin });
        return this.real.run(argv, options);
    }
}
