/**
 * A real OpenSSH server on 127.0.0.1 for remote-host tests: throwaway host key, user key and
 * config in a temporary directory, started in the foreground and killed by `stop()`.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { ConnectionInputs } from "../../provider/connection";

export const SSHD = "/usr/sbin/sshd";

function keygen(file: string): void {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pulumi-netns-test", "-f", file]);
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
        const ok = await new Promise<boolean>((resolve) => {
            const socket = connect(port, "127.0.0.1");
            socket.once("connect", () => { socket.destroy(); resolve(true); });
            socket.once("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sshd did not listen on 127.0.0.1:${port}`);
}

/** All descendants of `root`, from /proc. */
function descendants(root: number): number[] {
    const parent = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            parent.set(Number(entry), ppid);
        } catch { /* exited meanwhile */ }
    }
    const found: number[] = [];
    let frontier = [root];
    while (frontier.length) {
        const next = [...parent].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
        found.push(...next);
        frontier = next;
    }
    return found;
}

export class TestSshd {
    private process?: ChildProcess;
    private constructor(
        readonly dir: string,
        readonly port: number,
        readonly hostKey: string,
        readonly userKey: string,
        private readonly madeRunSshd: boolean,
    ) {}

    /** Starts sshd; a second key pair (`otherKey`) exists for wrong-key tests. */
    static async start(): Promise<TestSshd> {
        const dir = mkdtempSync(path.join(tmpdir(), "netns-sshd-"));
        keygen(path.join(dir, "host_key"));
        keygen(path.join(dir, "user_key"));
        keygen(path.join(dir, "other_key"));
        writeFileSync(path.join(dir, "authorized_keys"), readFileSync(path.join(dir, "user_key.pub")));
        const port = await freePort();
        writeFileSync(path.join(dir, "sshd_config"), [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${path.join(dir, "host_key")}`,
            `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
            `PidFile ${path.join(dir, "sshd.pid")}`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "MaxStartups 100",
            "MaxSessions 100",
            "",
        ].join("\n"));
        // sshd needs its privilege-separation directory; create it only if missing, remove it after.
        const madeRunSshd = !existsSync("/run/sshd");
        if (madeRunSshd) mkdirSync("/run/sshd", { mode: 0o755 });
        const sshd = new TestSshd(dir, port, readFileSync(path.join(dir, "host_key.pub"), "utf8").trim(),
            readFileSync(path.join(dir, "user_key"), "utf8"), madeRunSshd);
        await sshd.resume();
        return sshd;
    }

    /** (Re)starts the server process on the same port and keys. */
    async resume(): Promise<void> {
        this.process = spawn(SSHD, ["-D", "-e", "-f", path.join(this.dir, "sshd_config")], { stdio: "ignore" });
        await waitForPort(this.port, Date.now() + 10_000);
    }

    /** Stops the server process (keys stay, `resume()` starts it again). */
    async pause(): Promise<void> {
        const child = this.process;
        this.process = undefined;
        if (!child || child.exitCode !== null) return;
        // Open sessions (held by multiplexing clients) are child processes that outlive the listener.
        const sessions = descendants(child.pid!);
        await new Promise<void>((resolve) => { child.once("exit", () => resolve()); child.kill("SIGTERM"); });
        for (const pid of sessions) {
            try { process.kill(pid, "SIGTERM"); } catch { /* already gone */ }
        }
    }

    /** A connection to this server as root. */
    connection(overrides: Partial<ConnectionInputs> = {}): ConnectionInputs {
        return { host: "127.0.0.1", port: this.port, user: "root", privateKey: this.userKey, hostKey: this.hostKey, ...overrides };
    }

    otherKey(): string {
        return readFileSync(path.join(this.dir, "other_key"), "utf8");
    }

    otherHostKey(): string {
        return readFileSync(path.join(this.dir, "other_key.pub"), "utf8").trim();
    }

    async stop(): Promise<void> {
        await this.pause();
        rmSync(this.dir, { recursive: true, force: true });
        if (this.madeRunSshd) rmSync("/run/sshd", { recursive: true, force: true });
    }
}
