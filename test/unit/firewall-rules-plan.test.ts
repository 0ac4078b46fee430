import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handlersFor } from "../../provider/registry";
import {
    FirewallRulesInputs, FirewallRulesOutputs, bodyPositions, checkFirewallRules, createScript, diffFirewallRules,
    fingerprintOf, nftBodyProblem, nftTableNameProblem, replaceScript, tableContents, withoutVolatileElements,
} from "../../provider/firewall-rules-plan";
import { UNKNOWN } from "../../provider/inputs";

const body = "chain input {\n\ttype filter hook input priority filter; policy accept;\n\ttcp dport 22 accept\n}";
const inputs: FirewallRulesInputs = { netns: "gw", family: "inet", table: "tfw", body };

describe("checkFirewallRules", () => {
    it("fills family = inet", () => {
        assert.deepEqual(checkFirewallRules({ netns: "gw", table: "tfw", body }), { inputs, failures: [] });
    });
    it("names each bad property and the fix", () => {
        const { failures } = checkFirewallRules({ netns: "a b", family: "ipv4", table: "1st", body: 42 });
        assert.deepEqual(failures?.map((f) => f.property), ["netns", "family", "table", "body"]);
        assert.match(failures![1].reason, /family must be one of inet, ip, ip6, arp, bridge, netdev/);
        assert.match(failures![2].reason, /table "1st" must start with a letter/);
        assert.match(failures![3].reason, /body must be a string of nft statements/);
    });
    it("accepts unknown values during preview", () => {
        assert.deepEqual(checkFirewallRules({ netns: UNKNOWN, family: UNKNOWN, table: UNKNOWN, body: UNKNOWN }).failures, []);
    });
    it("checks table names", () => {
        assert.equal(nftTableNameProblem("filter"), undefined);
        assert.equal(nftTableNameProblem("my_table.v2-x"), undefined);
        assert.match(nftTableNameProblem("a/b") ?? "", /only letters/);
        assert.match(nftTableNameProblem("x".repeat(256)) ?? "", /at most 255/);
        assert.match(nftTableNameProblem("") ?? "", /non-empty/);
    });
});

describe("nftBodyProblem", () => {
    const good = [
        "",
        body,
        "chain c { type filter hook forward priority 0; policy drop; ct state established,related accept; }",
        "set s { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }\nmap m { type ipv4_addr : verdict; }",
        "define P = { 22, 80 }\nchain c {\n  tcp dport $P accept # } table ip x { flush ruleset\n}",
        'comment "a } brace; table ip x"\nflags dormant',
        "counter c { }\nquota q { 25 mbytes }\nct helper h { type \"ftp\" protocol tcp; }\nlimit l { rate 5/second }",
        "chain c {\n  ip saddr 192.0.2.1 \\\n    drop\n  delete @s { ip saddr }\n}",
    ];
    for (const b of good) it(`accepts ${JSON.stringify(b.slice(0, 40))}`, () => assert.equal(nftBodyProblem(b), undefined));
    const bad: Array<[string, RegExp]> = [
        ["table ip other { }", /declares a table \(line 1\)/],
        ["chain c { }\n}\ntable ip x { chain y { } }", /closes the table's brace \(line 2\)/],
        ["chain c { }\nflush ruleset", /top-level statement with "flush" \(line 2\).*not commands/],
        ["delete table inet other", /"delete"/],
        ["add rule inet tfw input drop", /"add"/],
        ["chain c { }; table ip x {}", /declares a table/],
        ['"table" ip x', /top-level statement with "\\""/],
        ["include \"/etc/shadow\"", /uses `include`/],
        ["chain c {\n include \"/etc/x\"\n}", /uses `include` \(line 2\)/],
        ["chain c {", /unclosed/],
        ["comment \"open", /unterminated string/],
        ["chain c { }\u0000", /control characters/],
    ];
    for (const [b, reason] of bad) it(`rejects ${JSON.stringify(b)}`, () => assert.match(nftBodyProblem(b) ?? "", reason));
});

describe("diffFirewallRules", () => {
    const olds: FirewallRulesOutputs = { ...inputs, fingerprint: "sha256:x" };
    it("reports no change for equal inputs", () => {
        assert.deepEqual(diffFirewallRules(olds, { ...inputs }), { changes: false, replaces: [], deleteBeforeReplace: false });
    });
    it("updates the body in place", () => {
        assert.deepEqual(diffFirewallRules(olds, { ...inputs, body: "" }), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.equal(diffFirewallRules(olds, { ...inputs, body: UNKNOWN }).changes, true);
    });
    it("replaces, new table first, on another namespace, family or table", () => {
        assert.deepEqual(diffFirewallRules(olds, { ...inputs, netns: "x", family: "ip", table: UNKNOWN }),
            { changes: true, replaces: ["netns", "family", "table"], deleteBeforeReplace: false });
    });
});

describe("nft scripts", () => {
    it("create refuses an existing table in the same transaction", () => {
        assert.equal(createScript(inputs), `create table inet tfw\ntable inet tfw {\n${body}\n}\n`);
    });
    it("update swaps the table in one transaction, even if it vanished", () => {
        assert.equal(replaceScript(inputs), `table inet tfw {}\ndelete table inet tfw\ntable inet tfw {\n${body}\n}\n`);
    });
    it("maps nft's stdin positions to body lines", () => {
        const stderr = "/dev/stdin:4:62-64: Error: syntax error\n/dev/stdin:1:1-3: Error: x";
        assert.equal(bodyPositions(stderr, 3), "body line 1:62-64: Error: syntax error\n/dev/stdin:1:1-3: Error: x");
    });
});

describe("fingerprint", () => {
    const listing = [
        "table inet tfw {",
        "\tset seen {",
        "\t\ttype ipv4_addr",
        "\t\tflags dynamic,timeout",
        "\t\ttimeout 1m",
        "\t\telements = { 192.0.2.1, 192.0.2.2,",
        "\t\t\t     192.0.2.3 }",
        "\t}",
        "",
        "\tset static {",
        "\t\ttype ipv4_addr",
        "\t\telements = { 192.0.2.9 }",
        "\t}",
        "",
        "\tchain input {",
        "\t\ttype filter hook input priority filter; policy accept;",
        "\t\ttcp dport 22 counter accept",
        "\t}",
        "}",
    ].join("\n");
    it("takes the table's contents, one indent less", () => {
        assert.match(tableContents(listing), /^set seen \{\n\ttype ipv4_addr\n/);
        assert.match(tableContents(listing), /\n\ttcp dport 22 counter accept\n\}$/);
    });
    it("ignores elements of dynamic and timeout sets only", () => {
        const normalized = withoutVolatileElements(tableContents(listing));
        assert.doesNotMatch(normalized, /192\.0\.2\.[123]/);
        assert.match(normalized, /elements = \{ 192\.0\.2\.9 \}/);
        const moreTraffic = listing.replace("192.0.2.3 }", "192.0.2.3, 192.0.2.4 }");
        assert.equal(fingerprintOf(moreTraffic), fingerprintOf(listing));
    });
    it("changes with rules, policies and static elements", () => {
        assert.match(fingerprintOf(listing), /^sha256:[0-9a-f]{64}$/);
        assert.notEqual(fingerprintOf(listing.replace("policy accept", "policy drop")), fingerprintOf(listing));
        assert.notEqual(fingerprintOf(listing.replace("192.0.2.9", "192.0.2.8")), fingerprintOf(listing));
    });
    it("ignores trailing whitespace and a trailing newline", () => {
        assert.equal(fingerprintOf(listing.replace("accept;", "accept;  ") + "\n"), fingerprintOf(listing));
    });
});

describe("registry", () => {
    it("serves the firewallRules handlers, connection handling included", async () => {
        assert.deepEqual(await handlersFor("firewallRules").check!({}, { netns: "gw", table: "tfw", body: "" }), { inputs: { netns: "gw", family: "inet", table: "tfw", body: "" }, failures: [] });
    });
});
