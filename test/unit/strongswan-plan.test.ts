import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../provider/inputs";
import {
    StrongSwanInputs, StrongSwanOutputs, checkStrongSwan, containsUnknown, diffStrongSwan, hasOverlayOf, installedChildren,
    overlaySpecs, parseExes, planStrongSwanUpdate, renderInputs, strongSwanCommands, strongSwanOutputs, swanctlMessage,
    valueAtPath,
} from "../../provider/strongswan-plan";
import { scrubSecrets } from "../../provider/strongswan";
import { pskValue } from "../../provider/strongswan-render";

const PSK = "tr1cky \"psk\" #{}";

function raw(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        netns: "gw-a",
        dataPlane: "libipsec",
        connections: [{
            name: "gw", localAddrs: ["203.0.113.1"], remoteAddrs: ["203.0.113.2"],
            local: { id: "a.example" }, remote: { id: "b.example" },
            children: [{ name: "net", localTs: ["192.0.2.0/24"], remoteTs: ["198.51.100.0/24"] }],
        }],
        secrets: [{ name: "gw", ids: ["a.example", "b.example"], secret: PSK }],
        initiate: ["net"],
        ...overrides,
    };
}

function checked(overrides: Record<string, unknown> = {}): StrongSwanInputs {
    const { inputs, failures } = checkStrongSwan(raw(overrides));
    assert.deepEqual(failures, []);
    return inputs!;
}

/** The outputs a successful create of `inputs` would store. */
function outputsOf(inputs: StrongSwanInputs, pid = 42): StrongSwanOutputs {
    return strongSwanOutputs(inputs, renderInputs(inputs), {
        pid, loadedConnections: inputs.connections.map((c) => c.name), establishedChildren: [...inputs.initiate],
    }, { dirs: ["/etc/netns/gw-a"], placeholders: [] });
}

const props = (failures: Array<{ property: string }> | undefined) => (failures ?? []).map((f) => f.property);

describe("checkStrongSwan", () => {
    it("fills the defaults", () => {
        const inputs = checked({ dataPlane: undefined, secrets: undefined, initiate: undefined });
        assert.equal(inputs.build, "distro");
        assert.equal(inputs.charonPath, "/usr/lib/ipsec/charon");
        assert.equal(inputs.dataPlane, "kernel");
        assert.deepEqual(inputs.secrets, []);
        assert.deepEqual(inputs.initiate, []);
    });

    it("names the property path of every problem", () => {
        const { failures } = checkStrongSwan(raw({
            netns: "../etc",
            build: "piddir",
            connections: [{
                name: "gw", local: {}, remote: {},
                children: [{ name: "net", localTs: ["192.0.2.0/24,10.0.0.0/8"], startAction: "trap" }],
            }],
            settings: { "charon.plugins.vici.socket": "unix:///tmp/x" },
            initiate: ["nope"],
        }));
        assert.deepEqual(props(failures).sort(), [
            "charonPath", "connections[0].children[0].localTs[0]", "connections[0].children[0].startAction",
            "initiate[0]", "netns", "settings.charon.plugins.vici.socket",
        ]);
        assert.match(failures!.find((f) => f.property === "initiate[0]")!.reason, /not a child.*"net"/);
        assert.match(failures!.find((f) => f.property === "charonPath")!.reason, /required with build "piddir"/);
    });

    it("refuses a relative or odd charonPath and an unknown build", () => {
        assert.deepEqual(props(checkStrongSwan(raw({ charonPath: "charon" })).failures), ["charonPath"]);
        assert.deepEqual(props(checkStrongSwan(raw({ charonPath: "/usr/../tmp/charon" })).failures), ["charonPath"]);
        assert.deepEqual(props(checkStrongSwan(raw({ charonPath: "/x/charon; rm -rf /" })).failures), ["charonPath"]);
        assert.deepEqual(props(checkStrongSwan(raw({ build: "source" })).failures), ["build"]);
        assert.deepEqual(checkStrongSwan(raw({ build: "piddir", charonPath: "/opt/sw/libexec/ipsec/charon" })).failures, []);
    });

    it("requires connections and refuses duplicate initiate entries", () => {
        assert.deepEqual(props(checkStrongSwan(raw({ connections: undefined, initiate: [] })).failures), ["connections"]);
        assert.deepEqual(props(checkStrongSwan(raw({ initiate: ["net", "net"] })).failures), ["initiate[1]"]);
    });

    it("reports settings the renderer cannot place (a value and a section at once)", () => {
        const { failures } = checkStrongSwan(raw({ settings: { "charon.x": 1, "charon.x.y": 2 } }));
        assert.deepEqual(props(failures), ["settings.charon.x.y"]);
    });

    it("accepts unknown values during preview, wherever they are", () => {
        for (const overrides of [
            { netns: UNKNOWN },
            { connections: UNKNOWN },
            { secrets: UNKNOWN },
            { settings: UNKNOWN },
            { initiate: [UNKNOWN] },
            { initiate: UNKNOWN },
            { connections: [{ ...(raw().connections as object[])[0], remoteAddrs: UNKNOWN }] },
            { connections: [{ ...(raw().connections as object[])[0], children: [{ name: UNKNOWN }] }] },
            { secrets: [{ name: "gw", secret: UNKNOWN }] },
        ]) {
            assert.deepEqual(checkStrongSwan(raw(overrides)).failures, [], JSON.stringify(overrides));
        }
    });

    it("finds values by the paths strongSwanConfigProblems uses", () => {
        const root = raw({ settings: { "charon.a": 1 } });
        assert.equal(valueAtPath(root, "connections[0].children[0].remoteTs[0]"), "198.51.100.0/24");
        assert.equal(valueAtPath(root, "settings.charon.a"), 1);
        assert.equal(valueAtPath({ connections: UNKNOWN }, "connections[0].name"), UNKNOWN);
        assert.equal(containsUnknown({ a: [{ b: UNKNOWN }] }), true);
        assert.equal(containsUnknown({ a: [{ b: "x" }] }), false);
    });
});

describe("diffStrongSwan and planStrongSwanUpdate", () => {
    const news = checked();
    const olds = outputsOf(news);

    it("reports nothing for the same inputs", () => {
        assert.deepEqual(diffStrongSwan(olds, news), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("replaces on another namespace, deleting the old charon first", () => {
        assert.deepEqual(diffStrongSwan(olds, checked({ netns: "gw-b" })), { changes: true, replaces: ["netns"], deleteBeforeReplace: true });
        assert.deepEqual(diffStrongSwan(olds, { ...news, netns: UNKNOWN }).replaces, ["netns"]);
    });

    it("hot-reloads a PSK change and re-establishes the initiated connection, without a restart", () => {
        const changed = checked({ secrets: [{ name: "gw", secret: "another key" }] });
        assert.equal(diffStrongSwan(olds, changed).changes, true);
        assert.deepEqual(planStrongSwanUpdate(olds, changed, renderInputs(changed), true),
            { restart: false, loadAll: true, terminate: ["gw"], initiateAll: true });
    });

    it("restarts for a strongswan.conf change: settings, log level, plugins, data plane, build", () => {
        for (const overrides of [
            { settings: { "charon.retransmit_tries": 4 } }, { logLevel: 2 }, { extraPlugins: ["updown"] },
            { dataPlane: "kernel" }, { build: "piddir", charonPath: "/opt/charon" }, { charonPath: "/usr/local/lib/ipsec/charon" },
        ]) {
            const changed = checked(overrides);
            assert.equal(diffStrongSwan(olds, changed).changes, true, JSON.stringify(overrides));
            const plan = planStrongSwanUpdate(olds, changed, renderInputs(changed), true);
            assert.deepEqual(plan, { restart: true, loadAll: true, terminate: [], initiateAll: true }, JSON.stringify(overrides));
        }
    });

    it("restarts a charon a refresh found dead, with nothing else changed", () => {
        const dead = { ...olds, running: false, pid: 0, loadedConnections: [], establishedChildren: [] };
        assert.equal(diffStrongSwan(dead, news).changes, true);
        assert.equal(planStrongSwanUpdate(dead, news, renderInputs(news), false).restart, true);
        // The handler's live view wins: found running after all, nothing to restart.
        assert.equal(planStrongSwanUpdate(olds, news, renderInputs(news), false).restart, true);
        assert.equal(planStrongSwanUpdate(dead, news, renderInputs(news), true).restart, false);
    });

    it("reloads when a refresh found connections unloaded, and initiates a child found down", () => {
        const unloaded = { ...olds, loadedConnections: [] };
        assert.equal(diffStrongSwan(unloaded, news).changes, true);
        assert.deepEqual(planStrongSwanUpdate(unloaded, news, renderInputs(news), true),
            { restart: false, loadAll: true, terminate: [], initiateAll: false });
        const down = { ...olds, establishedChildren: [] };
        assert.equal(diffStrongSwan(down, news).changes, true);
        assert.deepEqual(planStrongSwanUpdate(down, news, renderInputs(news), true),
            { restart: false, loadAll: false, terminate: [], initiateAll: false });
    });

    it("terminates the SAs of a connection that was removed", () => {
        const renamed = checked({
            connections: [{ ...(raw().connections as object[])[0], name: "gw2" }],
        });
        const plan = planStrongSwanUpdate(olds, renamed, renderInputs(renamed), true);
        assert.deepEqual(plan.terminate, ["gw", "gw2"]);
    });

    it("treats unknown values and old state without hashes as changes", () => {
        assert.equal(diffStrongSwan(olds, { ...news, settings: { a: UNKNOWN } } as never).changes, true);
        const { swanctlConfSha256: _s, strongswanConfSha256: _c, ...v0 } = olds;
        assert.equal(diffStrongSwan(v0, news).changes, true);
    });

    it("initiating one more child is an in-place change", () => {
        const more = checked({ initiate: [] });
        assert.equal(diffStrongSwan(outputsOf(more), news).changes, true);
    });
});

describe("StrongSwan outputs and overlay entries", () => {
    const inputs = checked();

    it("never contain a PSK, in any form", () => {
        const text = JSON.stringify(outputsOf(inputs));
        for (const form of [PSK, pskValue(PSK), pskValue(PSK).slice(2)]) assert.ok(!text.includes(form), form);
        assert.equal("secrets" in outputsOf(inputs), false);
    });

    it("name the vici socket on the host and inside the namespace", () => {
        const outs = outputsOf(inputs);
        assert.equal(outs.viciSocket, "/etc/netns/gw-a/ipsec.d/run/charon.vici");
        assert.equal(outs.viciUri, "unix:///etc/ipsec.d/run/charon.vici");
        assert.equal(outs.running, true);
        assert.equal(outs.schemaVersion, 1);
    });

    it("write swanctl.conf (it holds the keys) with mode 0600 and remove the run directory with its contents", () => {
        const specs = overlaySpecs("gw-a", renderInputs(inputs));
        assert.equal(specs.swanctlConf.mode, "0600");
        assert.equal(specs.swanctlConf.path, "swanctl/swanctl.conf");
        assert.ok(specs.swanctlConf.content?.includes(pskValue(PSK)));
        assert.equal(specs.strongswanConf.path, "strongswan.conf");
        assert.deepEqual({ path: specs.runDir.path, kind: specs.runDir.kind, removeContents: specs.runDir.removeContents },
            { path: "ipsec.d/run", kind: "directory", removeContents: true });
    });
});

describe("StrongSwan host probes", () => {
    it("parses stat's view of /proc/PID/exe, skipping unreadable links", () => {
        const exes = parseExes("'/proc/12/exe' -> '/usr/lib/ipsec/charon'\n'/proc/1/exe'\n'/proc/13/exe' -> '/usr/bin/sleep (deleted)'\n");
        assert.deepEqual([...exes], [[12, "/usr/lib/ipsec/charon"], [13, "/usr/bin/sleep"]]);
    });

    it("recognises our charon by the overlay `ip netns exec` mounted for it", () => {
        // Captured from a process started with `ip netns exec tswmi845` and the distro start script.
        const mountinfo = [
            "68 48 254:0 /run/netns /run/netns rw,relatime master:1 - ext4 /dev/vda rw",
            "52 48 254:0 /etc/netns/tswmi845/ipsec.d /etc/ipsec.d rw,relatime - ext4 /dev/vda rw",
            "53 48 254:0 /etc/netns/tswmi845/ipsec.d/run /run rw,relatime - ext4 /dev/vda rw",
        ].join("\n");
        assert.equal(hasOverlayOf(mountinfo, "tswmi845"), true);
        assert.equal(hasOverlayOf(mountinfo, "tswmi84"), false);
        assert.equal(hasOverlayOf(mountinfo, "other"), false);
    });

    it("keeps swanctl's verdicts and drops its directory warnings", () => {
        const stderr = "opening directory '/etc/swanctl/x509' failed: No such file or directory\n" +
            "loading connection 'gw' failed: invalid value for: proposals, config discarded\n" +
            "loaded 0 of 1 connections, 1 failed to load, 0 unloaded";
        assert.equal(swanctlMessage("loaded ike secret 'ike-gw'\n", stderr),
            "loading connection 'gw' failed: invalid value for: proposals, config discarded; loaded 0 of 1 connections, 1 failed to load, 0 unloaded");
        assert.equal(swanctlMessage("", ""), "no output");
    });

    it("counts only INSTALLED children of ESTABLISHED IKE_SAs", () => {
        const up = installedChildren([
            { state: "ESTABLISHED", children: [{ name: "net", state: "INSTALLED" }, { name: "old", state: "REKEYED" }] },
            { state: "CONNECTING", children: [{ name: "x", state: "INSTALLED" }] },
        ]);
        assert.deepEqual([...up], ["net"]);
    });

    it("builds argv without secrets or shell strings", () => {
        assert.deepEqual(strongSwanCommands.netnsPids("gw-a"), ["ip", "netns", "pids", "gw-a"]);
        assert.deepEqual(strongSwanCommands.removeStale("gw-a"),
            ["rm", "-f", "--", "/etc/netns/gw-a/ipsec.d/run/charon.pid", "/etc/netns/gw-a/ipsec.d/run/charon.vici"]);
        assert.deepEqual(strongSwanCommands.exes([3, 4]), ["stat", "--format=%N", "--", "/proc/3/exe", "/proc/4/exe"]);
    });
});

describe("scrubSecrets", () => {
    const secrets = [{ secret: PSK }, { secret: "abc" }];

    it("replaces a key, verbatim or hex-encoded, and drops the unscrubbed cause", () => {
        const cause = Object.assign(new Error(`x ${pskValue(PSK)} y`), { stderr: `stderr ${PSK}` });
        const err = scrubSecrets(new Error(`failed: ${PSK} and ${pskValue(PSK)}`, { cause }), secrets) as Error;
        assert.equal(err.message, "failed: [secret] and [secret]");
        assert.equal(err.cause, undefined);
    });

    it("leaves errors without secrets as they are (with their cause)", () => {
        const original = new Error("plain", { cause: new Error("inner") });
        assert.equal(scrubSecrets(original, secrets), original);
        assert.equal(scrubSecrets(original, undefined), original);
    });

    it("does not garble messages over very short keys, but still scrubs their hex form", () => {
        const err = scrubSecrets(new Error(`abc ${pskValue("abc")}`), secrets) as Error;
        assert.equal(err.message, "abc [secret]");
    });
});
