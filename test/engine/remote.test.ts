import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { proveDemo } from "../../scripts/prove-demo";
import { TestStack, fixtureDir, repoRoot } from "../helpers/engine";
import { namespaceExists, removeGateways, removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { engineTierProblem, sshTierProblem, strongswanTierProblem, tierOptions } from "../helpers/prereqs";
import { TestSshd } from "../helpers/sshd";

describe("the engine manages a host reached over SSH", tierOptions(engineTierProblem() ?? sshTierProblem()), () => {
    const hostBefore = snapshotHost();
    const first = uniqueName("ers");
    const second = uniqueName("ers");
    let sshd: TestSshd;
    let stack: TestStack;

    before(async () => {
        sshd = await TestSshd.start();
        stack = await TestStack.create(fixtureDir("namespaces"), {
            first, second,
            connection: { value: JSON.stringify(sshd.connection({ connectTimeoutSeconds: 3 })), secret: true },
        });
    });
    after(async () => {
        await stack?.dispose();
        await sshd?.stop();
        removeNamespaces([first, second]);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    it("up creates the namespaces through sshd, and state holds no key in plaintext", async () => {
        assert.deepEqual(await stack.up(), { create: 3 });
        assert.ok(namespaceExists(first) && namespaceExists(second));
        const stored = stack.storedState();
        assert.doesNotMatch(stored, /PRIVATE KEY|b3BlbnNzaC1rZXktdjE/, "the private key is encrypted in state");
        assert.match(stored, /"connection":\s*\{\s*"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270",\s*"ciphertext"/,
            "the connection is stored as a secret");
    });

    it("changing only how the host is reached is an update, not a replace", async () => {
        await stack.stack.setConfig("connection",
            { value: JSON.stringify(sshd.connection({ connectTimeoutSeconds: 4 })), secret: true });
        assert.deepEqual(await stack.up(), { update: 2 });
    });

    it("fails clearly while the server is down, and the next up converges", async () => {
        removeNamespaces([second]); // drift to repair
        await stack.refresh();
        await sshd.pause();
        try {
            await assert.rejects(stack.up(), /the host is unreachable/);
        } finally {
            await sshd.resume();
        }
        assert.deepEqual(await stack.up(), { create: 1 });
        assert.ok(namespaceExists(second));
    });

    it("destroy removes them through sshd", async () => {
        assert.deepEqual(await stack.destroy(), { delete: 3 });
        assert.ok(!namespaceExists(first) && !namespaceExists(second));
    });
});

describe("examples/remote-host: the demo tunnel on a host reached over SSH", tierOptions(engineTierProblem() ?? sshTierProblem() ?? strongswanTierProblem()), () => {
    const hostBefore = snapshotHost();
    const prefix = uniqueName("x");
    const namespaces = [`${prefix}-left`, `${prefix}-right`];
    let sshd: TestSshd;
    let stack: TestStack;

    before(async () => {
        sshd = await TestSshd.start();
        stack = await TestStack.create(path.join(repoRoot, "examples", "remote-host"), {
            prefix,
            psk: { value: "remote-psk-for-tests", secret: true },
            connection: { value: JSON.stringify(sshd.connection()), secret: true },
        });
    });
    after(async () => {
        await stack?.dispose();
        await sshd?.stop();
        removeGateways(namespaces, hostBefore);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    it("up over SSH brings the tunnel up, and state holds neither key nor PSK", async () => {
        assert.deepEqual(await stack.up(), { create: 11 }, stack.output());
        assert.ok(proveDemo((await stack.outputs()).proof as Parameters<typeof proveDemo>[0]));
        assert.doesNotMatch(stack.storedState(), /PRIVATE KEY|remote-psk-for-tests/);
    });

    it("destroy over SSH leaves nothing", async () => {
        assert.deepEqual(await stack.destroy(), { delete: 11 });
        assert.ok(!namespaces.some(namespaceExists));
    });
});
