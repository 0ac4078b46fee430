/**
 * FirewallRules: the pure part. One nftables table per resource: validation of the body, the
 * `nft -f -` scripts that create and replace it atomically, and the fingerprint that detects drift.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { createHash } from "node:crypto";
import { Failures, isUnknown, netnsNameProblem, printable } from "./inputs";
import type { ConnectionInputs } from "./runner";

/** The nftables address families a table can belong to. */
export const NFT_FAMILIES = ["inet", "ip", "ip6", "arp", "bridge", "netdev"] as const;
export type NftFamily = (typeof NFT_FAMILIES)[number];

/** Inputs after check: the family filled in. */
export interface FirewallRulesInputs {
    /** The namespace the table lives in. Changing it replaces the resource. */
    readonly netns: string;
    /** The table's family. Changing it replaces the resource. */
    readonly family: NftFamily;
    /** The table's name. Changing it replaces the resource. */
    readonly table: string;
    /** The inside of `table FAMILY NAME { … }`: chains, sets, maps, rules. Changes in place, atomically. */
    readonly body: string;
    /** The target host; absent means this machine. Checked and diffed by registry's withConnection. */
    readonly connection?: ConnectionInputs;
}

/** What a FirewallRules stores in state (v1). */
export interface FirewallRulesOutputs extends FirewallRulesInputs {
    /**
     * `sha256:` of the table as nft listed it right after the last create/update (see
     * {@link fingerprintOf}); read compares it with the live table. Absent in no state so far.
     */
    readonly fingerprint?: string;
}

/** NFT_NAME_MAXLEN is 256 including the terminating NUL. */
const NFT_NAME_MAX = 255;

/** Why `table` is not a usable nft table name, or undefined. */
export function nftTableNameProblem(table: unknown): string | undefined {
    if (typeof table !== "string" || table.length === 0) {
        return "must be a non-empty string, e.g. \"filter\"";
    }
    if (Buffer.byteLength(table) > NFT_NAME_MAX) {
        return `is ${Buffer.byteLength(table)} bytes long; nftables allows at most ${NFT_NAME_MAX}`;
    }
    // nft's identifier rule without '/', which only invites confusion in a name.
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(table)) {
        return `"${printable(table)}" must start with a letter or '_' and contain only letters, digits, '_', '.' and '-'`;
    }
    return undefined;
}

/** Words that may start a statement directly inside a table block (nft's table_block grammar). */
const TABLE_STATEMENTS = new Set([
    "chain", "set", "map", "flowtable", "counter", "quota", "ct", "limit", "secmark", "synproxy",
    "flags", "comment", "define", "redefine", "undefine",
]);

/** A keyword at a position (sticky: matches only exactly there). */
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Why `body` could act outside its table, or undefined. The body is pasted into
 * `table FAMILY NAME { BODY }`, so it must not close that brace, must start every top-level
 * statement with a table-block keyword (no `table`, `flush ruleset`, `delete table`, …), and must
 * not `include` files from the target host. Everything else is left to nft at create time.
 */
export function nftBodyProblem(body: unknown): string | undefined {
    if (typeof body !== "string") {
        return `must be a string of nft statements, e.g. "chain input { type filter hook input priority 0; }", got ${JSON.stringify(body)}`;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(body)) return "contains control characters; give plain nft text";
    let depth = 0;
    let line = 1;
    let atStatementStart = true;
    for (let i = 0; i < body.length; i++) {
        const ch = body[i];
        if (ch === "\n") line++;
        if (ch === "#") {
            // A comment runs to the end of the line.
            while (i + 1 < body.length && body[i + 1] !== "\n") i++;
            continue;
        }
        if (ch === "\\" && body[i + 1] === "\n") { // line continuation
            i++;
            line++;
            continue;
        }
        if (ch === "\n" || ch === ";") { atStatementStart = true; continue; }
        if (ch === "{") { depth++; atStatementStart = true; continue; }
        if (ch === "}") {
            depth--;
            if (depth < 0) {
                return `closes the table's brace (line ${line}); give only what goes inside \`table … { }\`: chains, sets, maps`;
            }
            atStatementStart = true;
            continue;
        }
        if (ch === " " || ch === "\t" || ch === "\r") continue;
        if (atStatementStart) {
            atStatementStart = false;
            WORD.lastIndex = i;
            const word = WORD.exec(body)?.[0] ?? "";
            if (word === "include") {
                return `uses \`include\` (line ${line}); put the statements into the body itself`;
            }
            if (depth === 0 && word === "table") {
                return `declares a table (line ${line}); the resource owns one table, so give only its contents (chains, sets, maps) and set family and table`;
            }
            if (depth === 0 && !TABLE_STATEMENTS.has(word)) {
                return `starts a top-level statement with "${printable(word || ch)}" (line ${line}); only table contents ` +
                    `may appear here (${[...TABLE_STATEMENTS].join(", ")}), not commands such as flush, delete or add`;
            }
            i += Math.max(word.length, 1) - 1;
            if (word) continue;
        }
        if (ch === "\"") {
            // nft strings have no escapes: the next quote ends them.
            const end = body.indexOf("\"", i + 1);
            if (end < 0) return `has an unterminated string (line ${line}); close it with '"'`;
            line += body.slice(i, end).split("\n").length - 1;
            i = end;
        }
    }
    if (depth > 0) return "has an unclosed '{'; balance the braces";
    return undefined;
}

export function checkFirewallRules(news: Record<string, unknown>): dynamic.CheckResult<FirewallRulesInputs> {
    const failures = new Failures();
    const { netns, table, body } = news;
    const family = news.family ?? "inet";
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `netns ${problem}; give the name of an existing namespace`);
    }
    if (!isUnknown(family) && !(NFT_FAMILIES as readonly unknown[]).includes(family)) {
        failures.add("family", `family must be one of ${NFT_FAMILIES.join(", ")} (inet covers IPv4 and IPv6), got ${JSON.stringify(family)}`);
    }
    if (!isUnknown(table)) {
        const problem = nftTableNameProblem(table);
        if (problem) failures.add("table", `table ${problem}`);
    }
    if (!isUnknown(body)) {
        const problem = nftBodyProblem(body);
        if (problem) failures.add("body", `body ${problem}`);
    }
    const inputs = { netns, family, table, body } as FirewallRulesInputs;
    return { inputs, failures: failures.list };
}

export function diffFirewallRules(olds: FirewallRulesOutputs, news: FirewallRulesInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    if (isUnknown(news.netns) || olds.netns !== news.netns) replaces.push("netns");
    if (isUnknown(news.family) || olds.family !== news.family) replaces.push("family");
    if (isUnknown(news.table) || olds.table !== news.table) replaces.push("table");
    const changed = replaces.length > 0
        || isUnknown(news.body) || olds.body !== news.body;
    // A replacement is always another table: create the new one first, so no moment goes unfiltered.
    return { changes: changed, replaces, deleteBeforeReplace: false };
}

function tableBlock(inputs: FirewallRulesInputs): string {
    return `table ${inputs.family} ${inputs.table} {\n${inputs.body}\n}\n`;
}

/** Lines before the body in {@link createScript}. */
export const CREATE_BODY_OFFSET = 2;
/** Lines before the body in {@link replaceScript}. */
export const REPLACE_BODY_OFFSET = 3;

/**
 * One transaction that fails, changing nothing, if the table exists already (`create` does not
 * merge into a table this resource does not own) or the body is not valid nft.
 */
export function createScript(inputs: FirewallRulesInputs): string {
    return `create table ${inputs.family} ${inputs.table}\n` + tableBlock(inputs);
}

/**
 * One transaction that swaps the table's contents: declaring it empty first makes the delete work
 * even if it vanished out of band. If any part fails, the old table stays as it was.
 */
export function replaceScript(inputs: FirewallRulesInputs): string {
    return `table ${inputs.family} ${inputs.table} {}\ndelete table ${inputs.family} ${inputs.table}\n` + tableBlock(inputs);
}

export const firewallCommands = {
    apply: () => ["nft", "-f", "-"],
    /** `-s`: stateless, so counters and quota usage do not count as drift. */
    list: (family: string, table: string) => ["nft", "-s", "list", "table", family, table],
    delete: (family: string, table: string) => ["nft", "delete", "table", family, table],
} as const;

/** Stderr when the table or its namespace is gone. */
export const NFT_TABLE_GONE = /No such file or directory|Cannot open network namespace/;

/**
 * nft reports positions as `/dev/stdin:LINE:COLS:`; `offset` wrapper lines precede the body, so
 * this rewrites them as `body line N:COLS:`, which is what the user can find in their program.
 */
export function bodyPositions(stderr: string, offset: number): string {
    return stderr.replace(/\/dev\/stdin:(\d+):([\d-]+):/g, (whole, line: string, cols: string) => {
        const bodyLine = Number(line) - offset;
        return bodyLine >= 1 ? `body line ${bodyLine}:${cols}:` : whole;
    });
}

/**
 * The contents of `nft list table` output: the lines between `table F N {` and its closing `}`,
 * one tab of indentation removed. This is what read reports as the live body on drift.
 */
export function tableContents(listing: string): string {
    const lines = listing.replace(/\s+$/, "").split("\n");
    const start = lines.findIndex((l) => /^table \S+ \S+ \{\s*$/.test(l));
    if (start < 0) return "";
    const end = lines.length - 1 > start && lines[lines.length - 1].trim() === "}" ? lines.length - 1 : lines.length;
    return lines.slice(start + 1, end).map((l) => l.replace(/^\t/, "").replace(/\s+$/, "")).join("\n");
}

/**
 * Drops the `elements = { … }` of sets and maps with `flags dynamic` or `timeout`: packets add and
 * expire those elements, so they are traffic, not configuration.
 */
export function withoutVolatileElements(contents: string): string {
    const lines = contents.split("\n");
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
        if (!/^(set|map) \S+ \{$/.test(lines[i])) { out.push(lines[i]); continue; }
        let end = i + 1;
        while (end < lines.length && lines[end] !== "}") end++;
        const block = lines.slice(i, end + 1);
        const volatile = block.some((l) => /^\tflags .*\b(dynamic|timeout)\b/.test(l));
        for (let j = 0; j < block.length; j++) {
            if (volatile && /^\telements = \{/.test(block[j])) {
                // Skip to the line that closes the element list.
                let balance = 0;
                for (; j < block.length; j++) {
                    balance += (block[j].match(/\{/g) ?? []).length - (block[j].match(/\}/g) ?? []).length;
                    if (balance <= 0) break;
                }
                continue;
            }
            out.push(block[j]);
        }
        i = end;
    }
    return out.join("\n");
}

/**
 * What read compares: `sha256:` of the stateless listing (`nft -s list table`) of the table, its
 * contents only, trailing whitespace trimmed and volatile set elements dropped. Handles, counter
 * values and quota usage never appear, so traffic and re-creating the same rules are not drift;
 * any change to chains, rules, policies, sets or static elements is.
 */
export function fingerprintOf(listing: string): string {
    const normalized = withoutVolatileElements(tableContents(listing));
    return `sha256:${createHash("sha256").update(normalized).digest("hex")}`;
}
