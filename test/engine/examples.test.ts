import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { TestStack, repoRoot } from "../helpers/engine";
import { namespaceExists, removeNamespaces, hostObjects, snapshotHost, uniqueName } from "../helpers/host";
import { pingsSoon } from "../helpers/netcmd";
import { engineTierProblem, sshTierProblem, tierOptions } from "../helpers/prereqs";
import { TestSshd } from "../helpers/sshd";

const example = (name: string) => path.join(repoRoot, "examples", name);

for (const overSsh of [false, true]) describe(`examples/routed-namespaces through the real engine${overSsh ? ", over SSH" : ""}`,
    tierOptions(engineTierProblem() ?? (overSsh ? sshTierProblem() : undefined)), () => {
    const hostBefore = snapshotHost();
    const prefix = uniqueName("r");
    const [left, router, right] = ["left", "router", "right"].map((n) => `${prefix}-${n}`);
    let stack: TestStack;
    let sshd: TestSshd | undefined;

    before(async () => {
        const config: Parameters<typeof TestStack.create>[1] = { prefix };
        if (overSsh) {
            // The same host, reached through a real sshd on 127.0.0.1: every command goes over SSH.
            sshd = await TestSshd.start();
            config.connection = { value: JSON.stringify(sshd.connection()), secret: true };
        }
        stack = await TestStack.create(example("routed-namespaces"), config);
    });
    after(async () => {
        await stack?.dispose();
        await sshd?.stop();
        removeNamespaces([left, router, right]);
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    // The stack, 3 namespaces, 2 veth pairs, 4 addresses, 1 sysctl, 2 routes.
    const ALL = 13;

    it("preview plans everything and touches nothing", async () => {
        assert.deepEqual(await stack.preview(), { create: ALL });
        assert.deepEqual(hostObjects(), hostObjects(hostBefore));
    });

    it("up builds the chain and left reaches right through the router", async () => {
        assert.deepEqual(await stack.up(), { create: ALL }, stack.output());
        assert.ok(pingsSoon(left, "198.51.100.2"), "ping left → right");
    });

    it("a second up changes nothing", async () => {
        assert.deepEqual(await stack.up(), {});
    });

    it("changing one address is exactly one replace", async () => {
        await stack.setConfig("leftAddress", "192.0.2.3/24");
        assert.deepEqual(await stack.preview(), { replace: 1 });
        assert.deepEqual(await stack.up(), { replace: 1 });
        assert.match(execFileSync("ip", ["-n", left, "-o", "addr", "show", "dev", "eth0"], { encoding: "utf8" }), /192\.0\.2\.3\/24/);
        assert.ok(pingsSoon(left, "198.51.100.2"));
    });

    it("refresh sees a namespace deleted out of band, and up rebuilds what went with it", async () => {
        execFileSync("ip", ["netns", "delete", right]);
        // The namespace, its veth pair, both addresses on that link and the route.
        assert.deepEqual(await stack.refresh(), { delete: 5 }, stack.output());
        assert.deepEqual(await stack.up(), { create: 5 }, stack.output());
        assert.ok(pingsSoon(left, "198.51.100.2"), "repaired");
    });

    it("destroy leaves the host as it was", async () => {
        assert.deepEqual(await stack.destroy(), { delete: ALL });
        assert.ok(![left, router, right].some(namespaceExists));
        assert.deepEqual(hostObjects(), hostObjects(hostBefore));
    });
});

describe("examples/bridge-lab through the real engine", tierOptions(engineTierProblem()), () => {
    const hostBefore = snapshotHost();
    const prefix = uniqueName("b");
    const names = (n: number) => [`${prefix}-sw`, ...Array.from({ length: n }, (_, i) => `${prefix}-h${i}`)];
    let stack: TestStack;

    before(async () => { stack = await TestStack.create(example("bridge-lab"), { prefix, hosts: "3" }); });
    after(async () => {
        await stack?.dispose();
        removeNamespaces(names(4));
        assert.deepEqual(snapshotHost(), hostBefore, "the host is as the tests found it");
    });

    // The stack, the switch namespace, the bridge, and per host: namespace, veth pair, address.
    const all = (hosts: number) => 3 + 3 * hosts;

    it("preview plans everything and touches nothing", async () => {
        assert.deepEqual(await stack.preview(), { create: all(3) });
        assert.deepEqual(hostObjects(), hostObjects(hostBefore));
    });

    it("up wires the hosts to the bridge and they reach each other", async () => {
        assert.deepEqual(await stack.up(), { create: all(3) }, stack.output());
        assert.ok(pingsSoon(`${prefix}-h0`, "192.0.2.12"), "h0 → h2");
        assert.ok(pingsSoon(`${prefix}-h2`, "192.0.2.11"), "h2 → h1");
    });

    it("a second up changes nothing", async () => {
        assert.deepEqual(await stack.up(), {});
    });

    it("one more host is three creates and one in-place bridge update", async () => {
        await stack.setConfig("hosts", "4");
        assert.deepEqual(await stack.up(), { create: 3, update: 1 }, stack.output());
        assert.ok(pingsSoon(`${prefix}-h3`, "192.0.2.10"), "h3 → h0");
    });

    it("refresh sees a port taken off the bridge, and up puts it back", async () => {
        execFileSync("ip", ["-n", `${prefix}-sw`, "link", "set", "port1", "nomaster"]);
        assert.deepEqual(await stack.refresh(), { update: 1 }, stack.output());
        assert.deepEqual(await stack.up(), { update: 1 }, stack.output());
        assert.ok(pingsSoon(`${prefix}-h1`, "192.0.2.10"), "h1 → h0 again");
    });

    it("destroy leaves the host as it was", async () => {
        assert.deepEqual(await stack.destroy(), { delete: all(4) });
        assert.deepEqual(hostObjects(), hostObjects(hostBefore));
    });
});
