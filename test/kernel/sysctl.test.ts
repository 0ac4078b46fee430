import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { sysctlProvider as provider } from "../../provider/sysctl";
import { SysctlInputs, checkSysctl } from "../../provider/sysctl-plan";
import { FailingRunner, withRunner } from "../helpers/faults";
import { ipIn, removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { run, runIn } from "../helpers/netcmd";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

function checked(news: Record<string, unknown>): SysctlInputs {
    const { inputs, failures } = checkSysctl(news);
    assert.deepEqual(failures, []);
    return inputs!;
}

/** The file's content as `cat` shows it inside `ns`. */
const liveIn = (ns: string, path: string) => runIn(ns, ["cat", path]).trim();

/** Root-namespace settings these tests write in their namespaces: they must not move. */
const HOST_FILES = [
    "/proc/sys/net/ipv4/ip_forward",
    "/proc/sys/net/ipv4/ip_local_port_range",
    "/proc/sys/net/ipv6/conf/all/forwarding",
];
const hostValues = () => HOST_FILES.map((f) => readFileSync(f, "utf8"));

describe("Sysctl handlers on the real kernel", tierOptions(kernelTierProblem()), () => {
    const before = snapshotHost();
    const hostBefore = hostValues();
    const made = new Set<string>();
    const namespace = () => {
        const n = uniqueName("tsy");
        made.add(n);
        run(["ip", "netns", "add", n]);
        return n;
    };
    after(() => {
        removeNamespaces(made);
        assert.deepEqual(snapshotHost(), before, "the host is as the tests found it");
        assert.deepEqual(hostValues(), hostBefore, "the host's own sysctls are untouched");
    });

    it("create → inspect → read → update → read shows drift → delete restores → delete again", async () => {
        const ns = namespace();
        const path = "/proc/sys/net/ipv4/ip_local_port_range";
        const original = liveIn(ns, path).replace(/\s+/g, " ");
        const inputs = checked({ netns: ns, key: "net/ipv4/ip_local_port_range", value: "20000   30000" });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${ns}/net.ipv4.ip_local_port_range`);
        assert.deepEqual(outs, { netns: ns, key: "net.ipv4.ip_local_port_range", value: "20000 30000", previousValue: original });
        assert.equal(liveIn(ns, path), "20000\t30000");

        assert.deepEqual((await provider.read!(id, outs)).props, outs, "the kernel's tab compares equal");

        const news = checked({ netns: ns, key: "net.ipv4.ip_local_port_range", value: "20001 30001" });
        const updated = await provider.update!(id, outs!, news);
        assert.deepEqual(updated.outs, { ...news, previousValue: original }, "the value to restore is kept");
        assert.equal(liveIn(ns, path), "20001\t30001");

        runIn(ns, ["tee", path], "40000 50000");
        const drifted = await provider.read!(id, updated.outs);
        assert.equal(drifted.props?.value, "40000 50000", "read reports the live value");
        assert.deepEqual(drifted.inputs, { ...news, value: "40000 50000" });

        await provider.delete!(id, drifted.props!);
        assert.equal(liveIn(ns, path).replace(/\s+/g, " "), original, "delete put the old value back");
        await provider.delete!(id, drifted.props!); // idempotent
        assert.equal(liveIn(ns, path).replace(/\s+/g, " "), original);
    });

    it("changes only the namespace's copy: forwarding on in one namespace, not in another or the host", async () => {
        const [ns, other] = [namespace(), namespace()];
        const { id, outs } = await provider.create(checked({ netns: ns, key: "net.ipv6.conf.all.forwarding", value: 1 }));
        assert.equal(outs?.previousValue, "0");
        assert.equal(liveIn(ns, "/proc/sys/net/ipv6/conf/all/forwarding"), "1");
        assert.equal(liveIn(other, "/proc/sys/net/ipv6/conf/all/forwarding"), "0");
        await provider.delete!(id, outs!);
        assert.equal(liveIn(ns, "/proc/sys/net/ipv6/conf/all/forwarding"), "0");
    });

    it("handles an interface name with a dot, and an interface deleted out of band", async () => {
        const ns = namespace();
        ipIn(ns, "link", "add", "v.10", "type", "veth", "peer", "name", "w0"); // no dummy driver everywhere
        const inputs = checked({ netns: ns, key: "net/ipv4/conf/v.10/rp_filter", value: "2" });
        assert.equal(inputs.key, "net.ipv4.conf.v/10.rp_filter");
        const { id, outs } = await provider.create(inputs);
        assert.equal(liveIn(ns, "/proc/sys/net/ipv4/conf/v.10/rp_filter"), "2");
        ipIn(ns, "link", "delete", "v.10");
        assert.equal((await provider.read!(id, outs)).id, "", "the setting went with its interface");
        await provider.delete!(id, outs!);
    });

    it("deleting after the namespace is gone succeeds", async () => {
        const ns = namespace();
        const { id, outs } = await provider.create(checked({ netns: ns, key: "net.ipv4.ip_forward", value: "1" }));
        removeNamespaces([ns]);
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);
    });

    it("a failed write leaves the old value, with the kernel's reason", async () => {
        const ns = namespace();
        await assert.rejects(provider.create(checked({ netns: ns, key: "net.ipv4.ip_forward", value: "yes" })),
            new RegExp(`create sysctl "net.ipv4.ip_forward" in netns "${ns}": .*Invalid argument`));
        assert.equal(liveIn(ns, "/proc/sys/net/ipv4/ip_forward"), "0");

        const runner = new FailingRunner((argv) => argv[0] === "tee");
        await assert.rejects(withRunner(runner, () => provider.create(checked({ netns: ns, key: "net.ipv4.ip_forward", value: "1" }))),
            /create sysctl "net.ipv4.ip_forward" .*injected failure/);
        assert.equal(liveIn(ns, "/proc/sys/net/ipv4/ip_forward"), "0");
    });

    it("names a key the namespace does not have", async () => {
        const ns = namespace();
        await assert.rejects(provider.create(checked({ netns: ns, key: "net.ipv4.no_such_thing", value: "1" })),
            new RegExp(`create sysctl "net.ipv4.no_such_thing" in netns "${ns}": the namespace has no such setting`));
    });
});
