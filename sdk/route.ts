import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of a {@link Route}. */
export interface RouteArgs {
    /**
     * Where the route goes: a network with its host bits zero ("198.51.100.0/24",
     * "2001:db8:1::/48"), or "default" (IPv6 when `via` is IPv6; "::/0" also works). Changing it
     * replaces the route.
     */
    destination: pulumi.Input<string>;
    /** Gateway address, of the destination's family. Default: none (a directly connected route). Changes in place. */
    via?: pulumi.Input<string>;
    /** Outgoing interface. Default: none (the kernel picks it from `via`). Required for a link-local `via`. Changes in place. */
    device?: pulumi.Input<string>;
    /** Routing table number. Default: 254 (main). Changing it replaces the route. */
    table?: pulumi.Input<number>;
    /**
     * Metric (priority). Default: the kernel's, 0 for IPv4 and 1024 for IPv6. Changing it replaces the
     * route: the kernel keys routes by metric, so another metric is another route (added first, then
     * the old one removed).
     */
    metric?: pulumi.Input<number>;
    /** The namespace whose routing table this is (e.g. `namespace.name`). Changing it replaces the route. */
    netns: pulumi.Input<string>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A route in a namespace (`ip -n NS route add DEST via GW dev IF table T metric M`). Give `via`,
 * `device`, or both.
 *
 * Creating fails if a route with the same destination, table and metric exists (it is never
 * adopted). A new `via`/`device` is applied in place with `ip route replace`. Deleting a route that
 * is gone (with its device, table or namespace) succeeds. `pulumi refresh` reports a changed
 * gateway (and device, where set here) and a route deleted out of band.
 *
 * @example
 * ```ts
 * new netns.Route("left-default", { destination: "default", via: rightAddr.address, netns: left.name });
 * ```
 */
export class Route extends pulumi.dynamic.Resource {
    /** The normalized destination. */
    declare readonly destination: pulumi.Output<string>;
    /** The gateway, if any. */
    declare readonly via: pulumi.Output<string | undefined>;
    /** The outgoing interface, if set here. */
    declare readonly device: pulumi.Output<string | undefined>;
    /** The table number. */
    declare readonly table: pulumi.Output<number>;
    /** The metric, if set here. */
    declare readonly metric: pulumi.Output<number | undefined>;
    /** The namespace. */
    declare readonly netns: pulumi.Output<string>;

    constructor(name: string, args: RouteArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("route"), name,
            { ...secretConnection(args), via: args.via, device: args.device, table: args.table, metric: args.metric },
            withSecretConnection(opts), "netns", "Route");
    }
}
