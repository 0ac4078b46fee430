import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of an {@link Address}. */
export interface AddressArgs {
    /**
     * The address with its prefix length, host bits included: "192.0.2.1/24", "2001:db8::1/64".
     * Normalized as `ip` prints it (IPv6 compressed, lower case). A subnet's network address (and the
     * IPv4 broadcast address) is refused, except for /31, /32, /127 and /128. Changing it replaces
     * the address (the old one is removed first when both would collide on the same interface).
     */
    cidr: pulumi.Input<string>;
    /** The interface that carries it, e.g. a VethPair end. Changing it replaces the address. */
    interface: pulumi.Input<string>;
    /** The namespace of the interface (e.g. `namespace.name`). Changing it replaces the address. */
    netns: pulumi.Input<string>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * An IPv4 or IPv6 address on an interface in a namespace (`ip -n NS address add CIDR dev IF`).
 *
 * Creating fails if the interface has the address already (it is never adopted). Deleting an
 * address that is gone, or whose interface or namespace is gone, succeeds.
 *
 * Creating an IPv4 address sets `net.ipv4.conf.IF.promote_secondaries=1` on its interface (and
 * leaves it so), so deleting one address never removes another: by the kernel's default, deleting
 * an interface's primary address in a subnet also deletes the other (secondary) addresses of that
 * subnet. A `Sysctl` resource for the same setting should therefore also set it to 1.
 *
 * @example
 * ```ts
 * const addr = new netns.Address("left-addr", { cidr: "192.0.2.1/24", interface: "to-right", netns: left.name });
 * ```
 */
export class Address extends pulumi.dynamic.Resource {
    /** The normalized CIDR. */
    declare readonly cidr: pulumi.Output<string>;
    /** The interface name. */
    declare readonly interface: pulumi.Output<string>;
    /** The namespace. */
    declare readonly netns: pulumi.Output<string>;
    /** The address alone, e.g. "192.0.2.1": the gateway for routes in other namespaces. */
    declare readonly address: pulumi.Output<string>;
    /** The prefix length, e.g. 24. */
    declare readonly prefixLength: pulumi.Output<number>;

    constructor(name: string, args: AddressArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("address"), name, { ...secretConnection(args), address: undefined, prefixLength: undefined },
            withSecretConnection(opts), "netns", "Address");
    }
}
