import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { handlersFor } from "../../provider/registry";
import { SshRunner, closeAllConnections, sshRunnerFor } from "../../provider/ssh";
import { namespaceExists, removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { sshTierProblem, tierOptions } from "../helpers/prereqs";
import { TestSshd } from "../helpers/sshd";
import { HOSTILE } from "../helpers/hostile";

describe("remote target host over a real sshd", tierOptions(sshTierProblem()), () => {
    const hostBefore = snapshotHost();
    const made = new Set<string>();
    const fresh = () => { const n = uniqueName("trm"); made.add(n); return n; };
    const provider = handlersFor("namespace");
    let sshd: TestSshd;

    before(async () => { sshd = await TestSshd.start(); });
    after(async () => {
        closeAllConnections();
        await sshd?.stop();
        removeNamespaces(made);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    it("runs argv remotely exactly, whatever the arguments contain", async () => {
        const result = await sshRunnerFor(sshd.connection()).run(["printf", "%s\\0", ...HOSTILE]);
        assert.deepEqual(result.stdout.split("\0").slice(0, -1), HOSTILE);
        const echoed = await sshRunnerFor(sshd.connection()).run(["cat"], { stdin: "secret $(x) `y`\n" });
        assert.equal(echoed.stdout, "secret $(x) `y`");
    });

    it("manages a namespace through the connection: create, read, delete", async () => {
        const name = fresh();
        const connection = sshd.connection();
        const checked = await provider.check!({}, { name, connection });
        assert.deepEqual(checked.failures, []);
        const { id, outs } = await provider.create(checked.inputs);
        assert.ok(namespaceExists(name));
        assert.deepEqual(outs.connection, connection, "outputs carry the connection for read and delete");
        assert.equal((await provider.read!(id, outs)).props?.loopbackUp, true);
        await provider.delete!(id, outs);
        assert.equal(namespaceExists(name), false);
        await provider.delete!(id, outs);
    });

    it("multiplexes: one master connection serves many commands", async () => {
        const runner = sshRunnerFor(sshd.connection({ connectTimeoutSeconds: 5 }));
        await Promise.all(Array.from({ length: 10 }, () => runner.run(["true"])));
        const dir = readdirSync("/tmp").filter((d) => d.startsWith("pulumi-netns-ssh-"));
        assert.ok(dir.some((d) => readdirSync(`/tmp/${d}`).some((f) => f.startsWith("cm-"))), "a control socket exists");
    });

    it("refuses a wrong host key and creates nothing", async () => {
        const name = fresh();
        const connection = sshd.connection({ hostKey: sshd.otherHostKey() });
        await assert.rejects(provider.create({ name, loopbackUp: true, connection }),
            /create namespace ".*": ssh to root@127\.0\.0\.1:\d+: host key verification failed/);
        assert.equal(namespaceExists(name), false);
    });

    it("reports a wrong user key clearly and creates nothing", async () => {
        const name = fresh();
        const connection = sshd.connection({ privateKey: sshd.otherKey() });
        await assert.rejects(provider.create({ name, loopbackUp: true, connection }), /authentication failed/);
        assert.equal(namespaceExists(name), false);
    });

    it("fails delete against an unreachable host instead of reporting success", async () => {
        const name = fresh();
        const connection = sshd.connection({ connectTimeoutSeconds: 3 });
        const { id, outs } = await provider.create({ name, loopbackUp: true, connection });
        await sshd.pause();
        try {
            await assert.rejects(provider.delete!(id, outs), /ssh to root@127\.0\.0\.1:\d+: the host is unreachable/);
            assert.ok(namespaceExists(name), "nothing was deleted");
        } finally {
            await sshd.resume();
        }
        await provider.delete!(id, outs);
        assert.equal(namespaceExists(name), false, "after the server is back, delete converges");
    });

    it("names a binary missing on the remote host", async () => {
        await assert.rejects(sshRunnerFor(sshd.connection()).run(["no-such-binary-netns"]),
            /no-such-binary-netns: not found on root@127\.0\.0\.1:\d+/);
    });

    it("keeps the private key out of argv, in a 0600 file only while ssh runs", async () => {
        const runner = new SshRunner(sshd.connection(), "keytest", false);
        const argv = (runner as unknown as { options: string[] }).options;
        assert.ok(!argv.some((a) => a.includes("PRIVATE KEY")));
        const keyFile = argv[argv.indexOf("-i") + 1];
        assert.equal(existsSync(keyFile), false, "not on disk before a command");
        const running = runner.run(["sleep", "1"]);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(statSync(keyFile).mode & 0o777, 0o600);
        await running;
        assert.equal(existsSync(keyFile), false, "removed after the command");
    });
});
