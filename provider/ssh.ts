/**
 * Runs commands on a remote host with the OpenSSH client.
 *
 * One multiplexed connection per host (ControlMaster/ControlPersist) so N commands cost one
 * handshake. Keys and known_hosts content are written to files in a private 0700 directory; the
 * remote command line comes from {@link shellCommandLine}; content and secrets travel on stdin.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { ConnectionInputs } from "./connection";
import { shellCommandLine } from "./quote";
import { CommandError, CommandRunner, DEFAULT_TIMEOUT_MS, RunOptions, RunResult, settle, spawn, withNetns } from "./runner";

/** ssh's own failures (exit 255), told apart by its stderr. */
const SSH_FAILURES: Array<[RegExp, string]> = [
    [/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No .* host key is known/i,
        "host key verification failed: the server's key does not match connection.hostKey/knownHosts (or none was given and it is not in known_hosts)"],
    [/Permission denied|Too many authentication failures/i,
        "authentication failed: the server refused connection.user with the given key or agent"],
    [/Connection refused|timed out|No route to host|Could not resolve hostname|Network is unreachable|Connection closed|Connection reset|kex_exchange_identification/i,
        "the host is unreachable"],
];

let controlRoot: string | undefined;

const DIR_PREFIX = "pulumi-netns-ssh-";

/**
 * The private directory for key, known_hosts and control-socket files; removed at exit. The engine
 * may kill the provider process before "exit" runs, so directories of dead processes (named with
 * their pid) are removed on the next start; keys never outlive the command that needed them.
 */
function privateDir(): string {
    if (!controlRoot) {
        removeStaleDirs();
        // mkdtemp creates the directory with mode 0700.
        controlRoot = mkdtempSync(path.join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
        process.once("exit", closeAllConnections);
    }
    return controlRoot;
}

function removeStaleDirs(): void {
    for (const entry of readdirSync(tmpdir())) {
        const pid = Number(entry.slice(DIR_PREFIX.length).split("-")[0]);
        if (!entry.startsWith(DIR_PREFIX) || !Number.isInteger(pid) || pid <= 0) continue;
        const dir = path.join(tmpdir(), entry);
        try {
            if (statSync(dir).uid !== process.getuid?.()) continue;
            process.kill(pid, 0); // still running: not ours to remove
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ESRCH") rmSync(dir, { recursive: true, force: true });
        }
    }
}

const runners = new Map<string, SshRunner>();

/** The runner for a connection; one per distinct connection, sharing its master connection. */
export function sshRunnerFor(connection: ConnectionInputs): SshRunner {
    const key = createHash("sha256").update(JSON.stringify(connection)).digest("hex").slice(0, 16);
    let runner = runners.get(key);
    if (!runner) {
        runner = new SshRunner(connection, key);
        runners.set(key, runner);
    }
    return runner;
}

/** Ends master connections and removes the private directory. Runs at process exit. */
export function closeAllConnections(): void {
    for (const runner of runners.values()) runner.close();
    runners.clear();
    if (controlRoot) rmSync(controlRoot, { recursive: true, force: true });
    controlRoot = undefined;
}

export class SshRunner implements CommandRunner {
    readonly target: string;
    private readonly options: string[];
    private readonly destination: string[];
    /** Where the private key is written while commands need it; absent without a key. */
    private readonly keyFile?: string;
    private keyUsers = 0;

    constructor(private readonly connection: ConnectionInputs, key: string, private readonly multiplex = true) {
        const port = connection.port ?? 22;
        const user = connection.user ?? "root";
        this.target = `${user}@${connection.host}:${port}`;
        const dir = privateDir();
        const knownHosts = path.join(dir, `known_hosts-${key}`);
        writeFileSync(knownHosts, knownHostsContent(connection, port), { mode: 0o600 });
        this.options = [
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=yes",
            "-o", `UserKnownHostsFile=${knownHosts}`,
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", `ConnectTimeout=${connection.connectTimeoutSeconds ?? 10}`,
            "-o", "ServerAliveInterval=15",
            "-o", "ServerAliveCountMax=2",
            "-o", "LogLevel=ERROR",
            "-F", "/dev/null", // the user's ssh_config must not change what we verified
        ];
        if (multiplex) {
            this.options.push("-o", "ControlMaster=auto", "-o", `ControlPath=${path.join(dir, `cm-${key}`)}`,
                "-o", "ControlPersist=60");
        }
        if (connection.privateKey !== undefined) {
            this.keyFile = path.join(dir, `key-${key}`);
            this.options.push("-i", this.keyFile, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none");
        } else if (connection.agentSocket !== undefined) {
            this.options.push("-o", `IdentityAgent=${connection.agentSocket}`);
        }
        this.destination = ["-p", String(port), "-l", user, connection.host];
    }

    async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
        // Parsers expect untranslated messages, as locally; sshd does not pass our environment on.
        const inNs = ["env", "LC_ALL=C", ...withNetns(argv, options.netns)];
        const remote = this.connection.sudo ? ["sudo", "-n", "--", ...inNs] : inNs;
        const line = shellCommandLine(remote);
        const spawned = await this.withKey(() => spawn("ssh", [...this.options, ...this.destination, "--", line],
            options.stdin, options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
        if (spawned.missing) {
            throw new CommandError("ssh: not found on this machine; install the OpenSSH client (Debian package openssh-client)",
                remote, undefined, "");
        }
        // 255 is ssh's own failure, but also what `ip -n`/`ip netns exec` return: only ssh's
        // messages make it a transport error.
        const sshFailure = spawned.exitCode === 255 && SSH_FAILURES.find(([pattern]) => pattern.test(spawned.stderr));
        if (sshFailure) {
            throw new CommandError(`ssh to ${this.target}: ${sshFailure[1]}: ${spawned.stderr.trim()}`,
                remote, 255, spawned.stderr);
        }
        return settle(spawned, remote, this.target, options.okExitCodes ?? [0], argv[0]);
    }

    /** Keeps the private key on disk (0600, private directory) only while ssh runs. */
    private async withKey<T>(work: () => Promise<T>): Promise<T> {
        const { keyFile } = this;
        const key = this.connection.privateKey;
        if (keyFile === undefined || key === undefined) return work();
        if (this.keyUsers++ === 0) writeFileSync(keyFile, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
        try {
            return await work();
        } finally {
            if (--this.keyUsers === 0) rmSync(keyFile, { force: true });
        }
    }

    /** Ends the master connection, if any. */
    close(): void {
        if (this.multiplex) {
            spawnSync("ssh", [...this.options, "-O", "exit", ...this.destination], { stdio: "ignore", timeout: 5000 });
        }
    }
}

/** known_hosts lines for the configured host key or content; ssh writes "[host]:port" for non-22 ports. */
function knownHostsContent(connection: ConnectionInputs, port: number): string {
    const lines: string[] = [];
    if (connection.knownHosts) lines.push(connection.knownHosts.trim());
    if (connection.hostKey) {
        const name = port === 22 ? connection.host : `[${connection.host}]:${port}`;
        lines.push(`${name} ${connection.hostKey.trim()}`);
    }
    return lines.length ? `${lines.join("\n")}\n` : "";
}
