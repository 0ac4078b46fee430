/**
 * The one quoting function for remote commands: ssh hands the remote side a single command line,
 * which the user's (POSIX) login shell splits again. Every argument is quoted so that the shell
 * sees exactly the argv we meant, whatever it contains.
 */

/** Characters that need no quoting in a POSIX shell word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell. */
export function shellQuote(arg: string): string {
    if (arg.includes("\0")) {
        throw new Error("an argument contains a NUL byte, which no command line can carry");
    }
    if (SAFE.test(arg)) {
        return arg;
    }
    // Inside single quotes nothing is special except the closing quote: end, add \', reopen.
    return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Turns argv into one command line for `sh -c`. */
export function shellCommandLine(argv: readonly string[]): string {
    if (argv.length === 0) {
        throw new Error("empty argv");
    }
    return argv.map(shellQuote).join(" ");
}
