import { CommandError } from "./runner";

/**
 * Wraps a failure as `<verb> <kind> "<name>" [in netns "<ns>"]: <cause>`, keeping the command
 * details (argv, exit code, stderr) of a {@link CommandError} on `cause`.
 */
export function operationError(verb: string, kind: string, name: string, cause: unknown, netns?: string): Error {
    const where = netns === undefined ? "" : ` in netns "${netns}"`;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new Error(`${verb} ${kind} "${name}"${where}: ${reason}`, { cause });
}

/**
 * True if `err` is a failed command whose stderr matches `pattern`. A missing program never
 * matches: "No such file or directory" about the program must not read as "the object is gone".
 */
export function stderrMatches(err: unknown, pattern: RegExp): boolean {
    return err instanceof CommandError && !err.missingProgram && pattern.test(err.stderr);
}
