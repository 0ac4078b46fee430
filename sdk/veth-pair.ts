import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** One end of a {@link VethPair}. */
export interface VethEndArgs {
    /**
     * The interface name: 1–15 bytes, no '/', ':' or whitespace. Changing it replaces the pair (the
     * old pair is deleted first when a new end would take an old end's name in the same namespace).
     */
    name: pulumi.Input<string>;
    /** The namespace this end lives in (e.g. `namespace.name`). Default: the host namespace. Changing it replaces the pair. */
    netns?: pulumi.Input<string>;
    /** MTU (68–65535). Default: none, the kernel's 1500. Changes in place; removing it later leaves the current MTU. */
    mtu?: pulumi.Input<number>;
    /**
     * MAC address like "02:00:00:00:00:01" (unicast; 02 marks it locally administered). Default: none,
     * the kernel picks a random one. Changes in place; removing it later leaves the current MAC.
     */
    mac?: pulumi.Input<string>;
    /** Bring this end up. Default: true. Changes in place. */
    up?: pulumi.Input<boolean>;
}

/** An end as stored: what was asked, with mtu and mac only where set. */
export interface VethEnd {
    name: string;
    netns?: string;
    mtu?: number;
    mac?: string;
    up: boolean;
}

/** Arguments of a {@link VethPair}. */
export interface VethPairArgs {
    /** The first end. Deleting the pair deletes this end; the kernel removes its peer with it. */
    a: pulumi.Input<VethEndArgs>;
    /** The second end. */
    b: pulumi.Input<VethEndArgs>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A veth pair: two Ethernet interfaces joined back to back, each end in its own namespace (or the
 * host's), e.g. to link two namespaces.
 *
 * Both ends are created by one `ip link add … type veth peer …` call directly in their namespaces,
 * then brought up; if that fails, the pair is deleted again. Creating fails if either name is taken
 * (nothing is adopted). Deleting removes end `a` and the kernel removes `b`; a pair already gone
 * (also with its namespace) counts as deleted. `pulumi refresh` reports ends that went down, and
 * MTU or MAC changed out of band (where set here).
 *
 * @example
 * ```ts
 * const link = new netns.VethPair("left-right", {
 *     a: { name: "to-right", netns: left.name, mtu: 1400 },
 *     b: { name: "to-left", netns: right.name, mtu: 1400 },
 * });
 * ```
 */
export class VethPair extends pulumi.dynamic.Resource {
    /** The first end. */
    declare readonly a: pulumi.Output<VethEnd>;
    /** The second end. */
    declare readonly b: pulumi.Output<VethEnd>;

    constructor(name: string, args: VethPairArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("vethPair"), name, { ...secretConnection(args), a: args.a, b: args.b },
            withSecretConnection(opts), "netns", "VethPair");
    }
}
