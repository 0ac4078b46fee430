import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of a {@link Sysctl}. */
export interface SysctlArgs {
    /** The namespace whose setting this is (e.g. `namespace.name`). Changing it replaces the resource. */
    netns: pulumi.Input<string>;
    /**
     * A per-namespace `net.*` key, dotted as `sysctl -a` prints it (`net.ipv4.ip_forward`,
     * `net.ipv6.conf.all.forwarding`, `net.ipv4.conf.veth0.rp_filter`) or as a path
     * (`net/ipv4/ip_forward`). An interface name with a dot is written with '/' in the dotted
     * form, as sysctl(8) does: `net.ipv4.conf.eth0/100.rp_filter`. Stored in dotted form.
     * Changing it replaces the resource.
     */
    key: pulumi.Input<string>;
    /**
     * The value to write; numbers become strings, whitespace runs (as in
     * `"32768 60999"`) one space. Changes in place.
     */
    value: pulumi.Input<string | number>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * One `net.*` sysctl setting inside a network namespace.
 *
 * Create records the value it finds (`previousValue`) and writes the new one to
 * /proc/sys/net/… from inside the namespace; delete writes `previousValue` back (a namespace or
 * interface that is gone counts as done). `pulumi refresh` reports the live value. Only `net.*`
 * keys are accepted: they are the ones a network namespace has its own copy of, so the host's
 * settings are never touched. Write-only keys (`net.ipv4.route.flush`) cannot be managed: there
 * is no value to restore.
 *
 * @example
 * ```ts
 * new netns.Sysctl("forward", { netns: ns.name, key: "net.ipv4.ip_forward", value: 1 });
 * ```
 */
export class Sysctl extends pulumi.dynamic.Resource {
    /** The namespace. */
    declare readonly netns: pulumi.Output<string>;
    /** The key in dotted form. */
    declare readonly key: pulumi.Output<string>;
    /** The value (as a string). */
    declare readonly value: pulumi.Output<string>;
    /** The value found before this resource first wrote; restored on delete. */
    declare readonly previousValue: pulumi.Output<string>;

    constructor(name: string, args: SysctlArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("sysctl"), name, { ...secretConnection(args), previousValue: undefined },
            withSecretConnection(opts), "netns", "Sysctl");
    }
}
