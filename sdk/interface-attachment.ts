import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of an {@link InterfaceAttachment}. */
export interface InterfaceAttachmentArgs {
    /**
     * An existing interface in the host namespace, e.g. a NIC ("eth1"). Not "lo": loopback never
     * moves. Changing it replaces the attachment (the new interface is attached, then the old one returned).
     */
    interface: pulumi.Input<string>;
    /**
     * The namespace to move it into (e.g. `namespace.name`). Changing it replaces the attachment:
     * the interface returns to the host namespace first, then moves into the new one.
     */
    netns: pulumi.Input<string>;
    /** Bring it up inside the namespace. Default: true. Changes in place. */
    up?: pulumi.Input<boolean>;
    /** MTU inside the namespace (68–65535). Default: none, the interface keeps its MTU. Changes in place. */
    mtu?: pulumi.Input<number>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * Moves an existing interface from the host namespace into a namespace (`ip link set IF netns NS`),
 * and back on delete, restoring the MTU and up state it had before. The interface is never deleted.
 *
 * If the namespace was deleted out of band, the kernel has already returned a physical interface to
 * the host namespace (down) or destroyed a virtual one; deleting then succeeds without touching it.
 *
 * @example
 * ```ts
 * const wan = new netns.InterfaceAttachment("wan", { interface: "eth1", netns: gateway.name });
 * ```
 */
export class InterfaceAttachment extends pulumi.dynamic.Resource {
    /** The interface name. */
    declare readonly interface: pulumi.Output<string>;
    /** The namespace it lives in now. */
    declare readonly netns: pulumi.Output<string>;
    /** Whether it is up. */
    declare readonly up: pulumi.Output<boolean>;
    /** The MTU, if set here. */
    declare readonly mtu: pulumi.Output<number | undefined>;
    /** Whether it was up in the host namespace before; delete restores it. */
    declare readonly originalUp: pulumi.Output<boolean | undefined>;
    /** Its MTU in the host namespace before; delete restores it. */
    declare readonly originalMtu: pulumi.Output<number | undefined>;

    constructor(name: string, args: InterfaceAttachmentArgs, opts?: pulumi.CustomResourceOptions) {
        super(providerShim("interfaceAttachment"), name,
            { ...secretConnection(args), up: args.up, mtu: args.mtu, originalUp: undefined, originalMtu: undefined },
            withSecretConnection(opts), "netns", "InterfaceAttachment");
    }
}
