import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of a {@link Namespace}. */
export interface NamespaceArgs {
    /**
     * The network namespace name, as `ip netns` shows it: letters, digits, '.', '_' and '-', not
     * starting with '.' or '-', at most 255 bytes. Changing it replaces the namespace (the old one is
     * deleted first, since names are unique on a host).
     */
    name: pulumi.Input<string>;
    /** Bring the namespace's loopback interface up. Default: true. Changes in place. */
    loopbackUp?: pulumi.Input<boolean>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A named network namespace (`ip netns add NAME`) on the target host.
 *
 * Creating fails if a namespace of that name already exists: the resource never adopts (and so
 * never deletes) a namespace it did not create. Deleting a namespace that is already gone succeeds.
 *
 * @example
 * ```ts
 * const left = new netns.Namespace("left", { name: "gw-left" });
 * ```
 */
export class Namespace extends pulumi.dynamic.Resource {
    /** The namespace name. */
    declare readonly name: pulumi.Output<string>;
    /** Whether loopback is up. */
    declare readonly loopbackUp: pulumi.Output<boolean>;
    /** The bind mount that pins the namespace: `/run/netns/NAME`. */
    declare readonly path: pulumi.Output<string>;

    constructor(name: string, args: NamespaceArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("namespace"), name, { ...secretConnection(args), loopbackUp: args.loopbackUp, path: undefined },
            withSecretConnection(opts), "netns", "Namespace");
    }
}
