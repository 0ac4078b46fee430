import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandError, LocalRunner, withNetns } from "../../provider/runner";

describe("withNetns", () => {
    it("uses ip -n for ip commands", () => {
        assert.deepEqual(withNetns(["ip", "link", "show"], "ns1"), ["ip", "-n", "ns1", "link", "show"]);
    });
    it("uses ip netns exec for anything else", () => {
        assert.deepEqual(withNetns(["sysctl", "-n", "x"], "ns1"), ["ip", "netns", "exec", "ns1", "sysctl", "-n", "x"]);
    });
    it("leaves argv alone without a namespace", () => {
        assert.deepEqual(withNetns(["ip", "link"], undefined), ["ip", "link"]);
    });
});

describe("LocalRunner", () => {
    const runner = new LocalRunner();
    it("passes argv without a shell and stdin as data", async () => {
        const result = await runner.run(["cat"], { stdin: "$(echo no) `x`; 'q'" });
        assert.equal(result.stdout, "$(echo no) `x`; 'q'");
        const echoed = await runner.run(["printf", "%s", "a b;$HOME"]);
        assert.equal(echoed.stdout, "a b;$HOME");
    });
    it("throws a CommandError with argv, exit code and stderr", async () => {
        const err = await runner.run(["sh", "-c", "echo boom >&2; exit 3"]).catch((e: unknown) => e);
        assert.ok(err instanceof CommandError);
        assert.deepEqual(err.argv, ["sh", "-c", "echo boom >&2; exit 3"]);
        assert.equal(err.exitCode, 3);
        assert.equal(err.stderr, "boom");
        assert.match(err.message, /exit code 3\): boom/);
    });
    it("accepts listed exit codes", async () => {
        assert.equal((await runner.run(["false"], { okExitCodes: [0, 1] })).exitCode, 1);
    });
    it("says what to install when a binary is missing", async () => {
        const err = await runner.run(["no-such-binary-netns"]).catch((e: unknown) => e);
        assert.ok(err instanceof CommandError);
        assert.match(err.message, /no-such-binary-netns: not found on local host/);
    });
    it("times out", async () => {
        const err = await runner.run(["sleep", "5"], { timeoutMs: 100 }).catch((e: unknown) => e);
        assert.ok(err instanceof CommandError);
        assert.match(err.message, /timed out/);
    });
});

describe("LocalRunner environment", () => {
    it("passes only PATH and LC_ALL, never Pulumi's secrets", async () => {
        process.env.PULUMI_CONFIG_PASSPHRASE = "must-not-leak";
        try {
            const { stdout } = await new LocalRunner().run(["env"]);
            assert.doesNotMatch(stdout, /must-not-leak|PULUMI_/);
            assert.match(stdout, /^LC_ALL=C$/m);
            assert.match(stdout, /^PATH=/m);
        } finally {
            delete process.env.PULUMI_CONFIG_PASSPHRASE;
        }
    });
});
