/**
 * Benchmarks (`npm run bench`). Each reports a ratio against a baseline measured in the same
 * process, so results compare across machines; nothing here asserts on time.
 */
import { performance } from "node:perf_hooks";
import { SshRunner, closeAllConnections } from "../provider/ssh";
import { TestSshd } from "../test/helpers/sshd";

async function timed(label: string, work: () => Promise<void>): Promise<number> {
    const start = performance.now();
    await work();
    const ms = performance.now() - start;
    console.log(`  ${label}: ${ms.toFixed(0)} ms`);
    return ms;
}

/** 200 commands over one multiplexed SSH connection vs a new connection for each. */
async function sshMultiplexing(commands = 200): Promise<void> {
    console.log(`ssh: ${commands} sequential commands against a local sshd`);
    const sshd = await TestSshd.start();
    try {
        const fresh = new SshRunner(sshd.connection(), "bench-fresh", false);
        const shared = new SshRunner(sshd.connection(), "bench-mux", true);
        const run = (runner: SshRunner) => async () => {
            for (let i = 0; i < commands; i++) await runner.run(["true"]);
        };
        const baseline = await timed("new connection per command (baseline)", run(fresh));
        const multiplexed = await timed("one multiplexed connection", run(shared));
        console.log(`  ratio multiplexed/baseline: ${(multiplexed / baseline).toFixed(3)} ` +
            `(${(baseline / multiplexed).toFixed(1)}x faster)`);
    } finally {
        closeAllConnections();
        await sshd.stop();
    }
}

async function main(): Promise<void> {
    if (process.getuid?.() !== 0) {
        console.error("bench: run as root (it starts sshd on 127.0.0.1)");
        process.exit(1);
    }
    await sshMultiplexing();
}

main().catch((err) => { console.error(err); process.exit(1); });
