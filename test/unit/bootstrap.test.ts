import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { installScript, packagesFor } from "../../sdk/bootstrap-plan";

describe("HostBootstrap plan", () => {
    it("chooses packages by feature", () => {
        assert.deepEqual(packagesFor({ firewall: false, strongswan: false }), ["iproute2", "procps", "util-linux"]);
        assert.ok(packagesFor().includes("libcharon-extra-plugins"));
    });
    it("rejects names that are not Debian package names", () => {
        assert.throws(() => installScript(["iproute2; rm -rf /"]), /not a Debian package name/);
    });
    it("installs only what is missing, and fails clearly without apt", () => {
        // Run the script against stub dpkg-query/apt-get on PATH: records what would be installed.
        const dir = mkdtempSync(path.join(tmpdir(), "netns-bootstrap-"));
        try {
            const stub = (name: string, body: string) => {
                writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
                chmodSync(path.join(dir, name), 0o755);
            };
            stub("dpkg-query", 'case "$3" in iproute2) printf "install ok installed";; *) exit 1;; esac');
            stub("apt-get", `echo "$@" >> ${dir}/apt.log`);
            const env = { PATH: `${dir}:/usr/bin:/bin` };
            execFileSync("/bin/sh", ["-c", installScript(["iproute2", "nftables"])], { env });
            const log = execFileSync("cat", [`${dir}/apt.log`], { encoding: "utf8" });
            assert.match(log, /install -y -qq --no-install-recommends nftables\n/);
            assert.doesNotMatch(log, /iproute2/);
            rmSync(path.join(dir, "apt-get"));
            assert.throws(() => execFileSync("/bin/sh", ["-c", installScript(["nftables"])], { env: { PATH: dir }, stdio: "pipe" }),
                /no apt-get; install the equivalents of: nftables/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("HostBootstrap component (Pulumi mocks)", () => {
    const created: Array<{ type: string; inputs: Record<string, unknown> }> = [];
    before(() => {
        pulumi.runtime.setMocks({
            newResource: (args) => { created.push({ type: args.type, inputs: args.inputs }); return { id: `${args.name}-id`, state: args.inputs }; },
            call: (args) => args.inputs,
        });
    });
    it("uses local.Command without a connection and remote.Command with one", async () => {
        const { HostBootstrap } = require("../../sdk/bootstrap") as typeof import("../../sdk/bootstrap");
        new HostBootstrap("here", { features: { strongswan: false } });
        new HostBootstrap("there", { connection: { host: "192.0.2.10", hostKey: "ssh-ed25519 AAAA", privateKey: "k" } });
        await new Promise((r) => setTimeout(r, 100));
        const types = created.map((c) => c.type);
        assert.ok(types.includes("command:local:Command"), types.join());
        assert.ok(types.includes("command:remote:Command"), types.join());
        const remote = created.find((c) => c.type === "command:remote:Command")!;
        // @pulumi/command marks the connection secret; the mock sees the secret envelope.
        const connection = remote.inputs.connection as { value: { host: string; user: string } };
        assert.equal(connection.value.host, "192.0.2.10");
        assert.equal(connection.value.user, "root");
    });
});
