import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of a {@link FirewallRules}. */
export interface FirewallRulesArgs {
    /** The namespace the table lives in (e.g. `namespace.name`). Changing it replaces the resource. */
    netns: pulumi.Input<string>;
    /**
     * The table's family: `inet` (IPv4 and IPv6), `ip`, `ip6`, `arp`, `bridge` or `netdev`.
     * Default: `"inet"`. Changing it replaces the resource.
     */
    family?: pulumi.Input<"inet" | "ip" | "ip6" | "arp" | "bridge" | "netdev">;
    /**
     * The table's name: a letter or '_' first, then letters, digits, '_', '.', '-'. Avoid nft
     * keywords. Changing it replaces the resource (the new table is created before the old one goes).
     */
    table: pulumi.Input<string>;
    /**
     * What goes inside `table FAMILY NAME { … }`, in nft syntax: chains (with `type … hook …
     * priority …; policy …;` for base chains), sets, maps, counters. Top-level statements must be
     * table contents: `table`, `flush ruleset`, `delete …` and `include` are rejected. Syntax errors
     * come from nft at `pulumi up`, with positions as body lines. Changes in place: the old table
     * is replaced by the new one in a single nft transaction, so there is never a moment with
     * half a ruleset, and a rejected body leaves the old one in force.
     */
    body: pulumi.Input<string>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An nftables table inside a network namespace, owned as a whole by this resource.
 *
 * Create runs `nft -f -` with `create table …` plus the table, one atomic transaction that fails
 * if the table exists already (it is never adopted). Update swaps the table in one transaction;
 * delete removes only this table. Other tables in the namespace (e.g. those of iptables-nft or
 * other resources) are never touched. Drift: `fingerprint` is a hash of `nft -s list table`
 * (stateless, so counters do not count; elements of dynamic/timeout sets are ignored) taken after
 * each apply; `pulumi refresh` recomputes it and, if it differs, reports the body as nft lists it.
 *
 * Coming from iptables: the chains are yours to declare, then the rules read much the same.
 * `iptables-translate` (Debian package iptables) prints the nft form of an iptables command, e.g.
 * `iptables-translate -A INPUT -p tcp --dport 22 -j ACCEPT` gives something like
 * `nft 'add rule ip filter INPUT tcp dport 22 counter accept'`: the text after the chain name is
 * the rule to put in the body. Common cases (see docs/firewall.md):
 *
 * | iptables | in the body |
 * |---|---|
 * | `-P INPUT DROP` / `-P FORWARD DROP` | `chain input { type filter hook input priority filter; policy drop; … }` (`hook forward` for FORWARD) |
 * | `-A INPUT -p tcp --dport 22 -j ACCEPT` | `tcp dport 22 accept` in `chain input` |
 * | `-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT` | `ct state established,related accept` |
 * | `-A INPUT -i lo -j ACCEPT` | `iifname "lo" accept` |
 * | `-A INPUT -s 198.51.100.0/24 -j DROP` | `ip saddr 198.51.100.0/24 drop` |
 * | `-t nat -A POSTROUTING -o eth0 -j MASQUERADE` | `chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "eth0" masquerade }` |
 * | `-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.0.2.10:8080` | `chain prerouting { type nat hook prerouting priority dstnat; policy accept; tcp dport 80 dnat ip to 192.0.2.10:8080 }` (`dnat to …` in family `ip`) |
 *
 * @example
 * ```ts
 * new netns.FirewallRules("gw-filter", {
 *     netns: ns.name,
 *     table: "filter",
 *     body: `
 *         chain forward {
 *             type filter hook forward priority filter; policy drop;
 *             ct state established,related accept
 *             iifname "veth-lan" accept
 *         }`,
 * });
 * ```
 */
export class FirewallRules extends pulumi.dynamic.Resource {
    /** The namespace. */
    declare readonly netns: pulumi.Output<string>;
    /** The table's family. */
    declare readonly family: pulumi.Output<string>;
    /** The table's name. */
    declare readonly table: pulumi.Output<string>;
    /** The table body as given (or as nft lists it, after a refresh found drift). */
    declare readonly body: pulumi.Output<string>;
    /** `sha256:…` of the table as nft listed it after the last apply; what refresh compares. */
    declare readonly fingerprint: pulumi.Output<string>;

    constructor(name: string, args: FirewallRulesArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("firewallRules"), name, { ...secretConnection(args), family: args.family, fingerprint: undefined },
            withSecretConnection(opts), "netns", "FirewallRules");
    }
}
