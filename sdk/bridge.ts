import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of a {@link Bridge}. */
export interface BridgeArgs {
    /**
     * The bridge's interface name: 1–15 bytes, no '/', ':', whitespace, '#' or quotes. Changing it
     * replaces the bridge (the old one is deleted first: names are unique in a namespace).
     */
    name: pulumi.Input<string>;
    /** The namespace the bridge is created in (e.g. `namespace.name`). Changing it replaces the bridge. */
    netns: pulumi.Input<string>;
    /**
     * Interfaces already in `netns` to attach as ports, e.g. one end of each veth pair. Order does
     * not matter. Default: none. Changes in place (`ip link set PORT master BRIDGE` / `nomaster`);
     * a port that belongs to another bridge is moved to this one. Ports keep their own up/down state.
     */
    members?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The bridge MTU (68–65535). Default: none, the kernel follows the smallest port MTU. Changes
     * in place; removing it later leaves the current MTU as it is.
     */
    mtu?: pulumi.Input<number>;
    /** Bring the bridge up. Default: true. Changes in place. */
    up?: pulumi.Input<boolean>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A Linux bridge in a network namespace, with its ports.
 *
 * Create and update each run as one `ip -n NS -batch -` process. Creating fails if an interface of
 * that name exists already (it is never adopted); a failed create removes the bridge again.
 * Deleting removes only the bridge: its ports are released and stay. `pulumi refresh` reports
 * ports, MTU (when set here) and up/down changed out of band, and a bridge deleted out of band.
 *
 * @example
 * ```ts
 * const br = new netns.Bridge("lan", { name: "br-lan", netns: ns.name, members: ["veth-a", "veth-b"] });
 * ```
 */
export class Bridge extends pulumi.dynamic.Resource {
    /** The bridge's interface name. */
    declare readonly name: pulumi.Output<string>;
    /** The namespace it lives in. */
    declare readonly netns: pulumi.Output<string>;
    /** The attached ports, sorted. */
    declare readonly members: pulumi.Output<string[]>;
    /** The MTU, if set here. */
    declare readonly mtu: pulumi.Output<number | undefined>;
    /** Whether the bridge is up. */
    declare readonly up: pulumi.Output<boolean>;

    constructor(name: string, args: BridgeArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("bridge"), name,
            { ...secretConnection(args), members: args.members, mtu: args.mtu, up: args.up },
            withSecretConnection(opts), "netns", "Bridge");
    }
}
