import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { firewallRulesProvider as provider } from "../../provider/firewall-rules";
import { FirewallRulesInputs, checkFirewallRules } from "../../provider/firewall-rules-plan";
import { FailingRunner, withRunner } from "../helpers/faults";
import { removeNamespaces, snapshotHost, uniqueName } from "../helpers/host";
import { addAddress, have, pings, pingsSoon, run, runIn, vethBetween } from "../helpers/netcmd";
import { kernelTierProblem, tierOptions } from "../helpers/prereqs";

function checked(news: Record<string, unknown>): FirewallRulesInputs {
    const { inputs, failures } = checkFirewallRules(news);
    assert.deepEqual(failures, []);
    return inputs!;
}

const DROP_PING = `
chain input {
    type filter hook input priority filter; policy accept;
    icmp type echo-request drop
}`;
const COUNT_PING = `
chain input {
    type filter hook input priority filter; policy accept;
    icmp type echo-request counter accept
}`;
/** A table the resource does not own; update and delete must leave it exactly as it is. */
const FOREIGN = "table inet keep {\n\tcounter hits {\n\t}\n\n\tchain c {\n\t\tip saddr 203.0.113.7 counter drop\n\t}\n}\n";

const nftList = (ns: string, ...what: string[]) => runIn(ns, ["nft", "-s", "list", ...what]);
const tableExists = (ns: string, table: string) =>
    runIn(ns, ["nft", "list", "tables", "inet"]).split("\n").includes(`table inet ${table}`);

const problem = kernelTierProblem() ?? (have("nft") ? undefined : "firewall tests need `nft` (Debian package nftables)");

describe("FirewallRules handlers on the real kernel", tierOptions(problem), () => {
    const before = snapshotHost();
    const hostRuleset = problem ? "" : run(["nft", "-s", "list", "ruleset"]);
    const made = new Set<string>();
    const namespace = () => {
        const n = uniqueName("tfw");
        made.add(n);
        run(["ip", "netns", "add", n]);
        return n;
    };
    /** `client` (192.0.2.1) and `server` (192.0.2.2) on one veth; `server` holds the foreign table. */
    const pair = () => {
        const [client, server] = [namespace(), namespace()];
        vethBetween(client, "eth0", server, "eth0");
        addAddress(client, "eth0", "192.0.2.1/24");
        addAddress(server, "eth0", "192.0.2.2/24");
        runIn(server, ["nft", "-f", "-"], FOREIGN);
        return { client, server };
    };
    after(() => {
        removeNamespaces(made);
        assert.deepEqual(snapshotHost(), before, "the host is as the tests found it");
        if (!problem) assert.equal(run(["nft", "-s", "list", "ruleset"]), hostRuleset, "the host's firewall is untouched");
    });

    it("create → ping blocked → read → update → ping works → drift → delete → gone → delete again", async () => {
        const { client, server } = pair();
        const foreign = nftList(server, "table", "inet", "keep");
        assert.ok(pingsSoon(client, "192.0.2.2"), "ping works before any rules");

        const inputs = checked({ netns: server, table: "tfw", body: DROP_PING });
        const { id, outs } = await provider.create(inputs);
        assert.equal(id, `${server}/inet tfw`);
        assert.match(outs?.fingerprint ?? "", /^sha256:[0-9a-f]{64}$/);
        assert.match(nftList(server, "table", "inet", "tfw"), /icmp type echo-request drop/);
        assert.equal(pings(client, "192.0.2.2"), false, "the drop rule has effect");

        assert.deepEqual((await provider.read!(id, outs)).props, outs, "no drift right after create");

        const news = checked({ netns: server, table: "tfw", body: COUNT_PING });
        const updated = (await provider.update!(id, outs!, news)).outs!;
        assert.ok(pingsSoon(client, "192.0.2.2"), "the update removed the drop rule");
        assert.notEqual(updated.fingerprint, outs?.fingerprint);
        assert.equal(nftList(server, "table", "inet", "keep"), foreign, "the other table is untouched by update");

        assert.ok(pingsSoon(client, "192.0.2.2"));
        assert.match(runIn(server, ["nft", "list", "table", "inet", "tfw"]), /counter packets [1-9]/, "the counter moved");
        assert.deepEqual((await provider.read!(id, updated)).props, updated, "counters moving are not drift");

        runIn(server, ["nft", "insert", "rule", "inet", "tfw", "input", "icmp", "type", "echo-request", "drop"]);
        const drifted = await provider.read!(id, updated);
        assert.notEqual(drifted.props?.fingerprint, updated.fingerprint);
        assert.match(drifted.props?.body ?? "", /^chain input \{\n\ttype filter hook input priority filter; policy accept;\n\ticmp type echo-request drop\n\ticmp type echo-request counter accept\n\}$/);
        assert.deepEqual(drifted.inputs, { ...news, body: drifted.props?.body }, "inputs carry the live body");

        // The next up puts the program's body back.
        const healed = (await provider.update!(id, drifted.props!, news)).outs!;
        assert.equal(healed.fingerprint, updated.fingerprint);
        assert.ok(pingsSoon(client, "192.0.2.2"));

        await provider.delete!(id, healed);
        assert.equal(tableExists(server, "tfw"), false);
        assert.equal(nftList(server, "table", "inet", "keep"), foreign, "the other table is untouched by delete");
        assert.equal((await provider.read!(id, healed)).id, "", "read reports it gone");
        await provider.delete!(id, healed); // idempotent
    });

    it("a rejected update leaves the old rules in force", async () => {
        const { client, server } = pair();
        const { id, outs } = await provider.create(checked({ netns: server, table: "tfw", body: DROP_PING }));
        const broken = checked({ netns: server, table: "tfw", body: "chain input {\n    type filter hook input priority filter; policy acept;\n}" });
        await assert.rejects(provider.update!(id, outs!, broken),
            new RegExp(`update firewallRules "inet tfw" in netns "${server}": nft rejected the ruleset: body line 2:.*syntax error`));
        assert.equal(pings(client, "192.0.2.2"), false, "still dropped");
        assert.match(nftList(server, "table", "inet", "tfw"), /icmp type echo-request drop/);
        await provider.delete!(id, outs!);
    });

    it("an update recreates a table deleted out of band", async () => {
        const { client, server } = pair();
        const { id, outs } = await provider.create(checked({ netns: server, table: "tfw", body: COUNT_PING }));
        runIn(server, ["nft", "delete", "table", "inet", "tfw"]);
        await provider.update!(id, outs!, checked({ netns: server, table: "tfw", body: DROP_PING }));
        assert.equal(pings(client, "192.0.2.2"), false);
        await provider.delete!(id, outs!);
    });

    it("deleting after out-of-band removal succeeds, also when the namespace is gone", async () => {
        const { server } = pair();
        const { id, outs } = await provider.create(checked({ netns: server, table: "tfw", body: DROP_PING }));
        runIn(server, ["nft", "delete", "table", "inet", "tfw"]);
        assert.equal((await provider.read!(id, outs)).id, "");
        await provider.delete!(id, outs!);

        const again = await provider.create(checked({ netns: server, family: "ip", table: "tfw", body: "" }));
        removeNamespaces([server]);
        assert.equal((await provider.read!(again.id, again.outs)).id, "", "gone with its namespace");
        await provider.delete!(again.id, again.outs!);
    });

    it("refuses to adopt an existing table and leaves it alone", async () => {
        const { server } = pair();
        const foreign = nftList(server, "table", "inet", "keep");
        await assert.rejects(provider.create(checked({ netns: server, table: "keep", body: DROP_PING })),
            new RegExp(`create firewallRules "inet keep" in netns "${server}": a table with this family and name already exists`));
        assert.equal(nftList(server, "table", "inet", "keep"), foreign);
    });

    it("reports nft syntax errors at body positions and creates nothing", async () => {
        const { server } = pair();
        await assert.rejects(provider.create(checked({ netns: server, table: "tfw", body: "chain input {\n  tcp dport 22 acept\n}" })),
            /create firewallRules "inet tfw" .*nft rejected the ruleset: body line 2:\d+-\d+: Error: syntax error/);
        assert.equal(tableExists(server, "tfw"), false);
    });

    it("rolls back a create whose table could not be read back", async () => {
        const { client, server } = pair();
        const runner = new FailingRunner((argv) => argv[0] === "nft" && argv.includes("list"));
        await assert.rejects(withRunner(runner, () => provider.create(checked({ netns: server, table: "tfw", body: DROP_PING }))),
            /create firewallRules "inet tfw" .*injected failure/);
        assert.equal(tableExists(server, "tfw"), false, "the table was removed again");
        assert.ok(pingsSoon(client, "192.0.2.2"), "and its drop rule with it");
    });
});
