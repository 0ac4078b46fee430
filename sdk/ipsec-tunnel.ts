import * as pulumi from "@pulumi/pulumi";
import { Address } from "./address";
import type { ConnectionArgs } from "./connection";
import { Namespace } from "./namespace";
import { StrongSwan } from "./strongswan";
import { VethPair } from "./veth-pair";

/** One gateway of an {@link IpsecTunnel}. */
export interface IpsecGatewayArgs {
    /** The namespace the gateway runs in. The tunnel creates it unless `createNamespaces` is false. */
    namespace: string;
    /** The gateway's outside address with prefix, on the link between the gateways, e.g. "203.0.113.1/24". */
    gatewayAddress: string;
    /** The protected subnet behind this gateway, e.g. "192.0.2.0/24". */
    subnet: string;
    /**
     * An address of `subnet` put on the namespace's loopback so the gateway itself is inside the
     * subnet (charon needs a local address in its traffic selector to install routes), e.g.
     * "192.0.2.1/32". Default: none (bring your own, e.g. a bridge with hosts behind it).
     */
    subnetAddress?: string;
    /** IKE identity. Default: the gateway address. */
    id?: string;
}

/** Arguments of an {@link IpsecTunnel}. */
export interface IpsecTunnelArgs {
    /** The initiating gateway. */
    left: IpsecGatewayArgs;
    /** The responding gateway. */
    right: IpsecGatewayArgs;
    /** The pre-shared key; pass a secret (`config.requireSecret("psk")`). Changing it reloads both sides in place. */
    psk: pulumi.Input<string>;
    /** Create both namespaces. Default true; false to use namespaces you manage. */
    createNamespaces?: boolean;
    /**
     * Join the gateways with a veth pair (`wan0` in each namespace) carrying `gatewayAddress`es.
     * Default true; false when you route between them yourself.
     */
    createLink?: boolean;
    /** `kernel` (XFRM, default) or `libipsec` (userspace ESP, for kernels without ESP). */
    dataPlane?: "kernel" | "libipsec";
    /** IKE proposals. Default ["aes256-sha256-modp2048"]. */
    ikeProposals?: string[];
    /** ESP proposals. Default ["aes256gcm16-modp2048"]. */
    espProposals?: string[];
    /**
     * Extra strongswan.conf settings for both daemons (changing them restarts charon). The tunnel
     * sets short IKE retransmits (`charon.retransmit_*`) so dead peer detection takes seconds;
     * settings given here win.
     */
    settings?: Record<string, string | number | boolean>;
    /** The target host; default this machine. */
    connection?: pulumi.Input<ConnectionArgs>;
}

const LINK = "wan0";
/**
 * Dead peer detection: when one gateway's charon restarts (it lost its SAs), the other notices
 * within a few seconds and the initiator re-establishes the tunnel. Defaults retransmit for minutes.
 */
const DPD_DELAY_S = 2;
const FAST_RETRANSMITS = { "charon.retransmit_timeout": 1, "charon.retransmit_base": 1.4, "charon.retransmit_tries": 3 };
const CONN = "site";
const CHILD = "net";

/** The address part of "203.0.113.1/24". */
function hostOf(cidr: string): string {
    return cidr.split("/")[0];
}

/**
 * A site-to-site IPsec tunnel between two gateways in two namespaces: the namespaces, a veth between
 * them with the gateway addresses, one {@link StrongSwan} instance in each, configured to match
 * (PSK authentication, one child between the protected subnets), and the child initiated from the
 * left side.
 *
 * @example
 * ```ts
 * const tunnel = new netns.IpsecTunnel("site", {
 *     left: { namespace: "gw-left", gatewayAddress: "203.0.113.1/24", subnet: "192.0.2.0/24", subnetAddress: "192.0.2.1/32" },
 *     right: { namespace: "gw-right", gatewayAddress: "203.0.113.2/24", subnet: "198.51.100.0/24", subnetAddress: "198.51.100.1/32" },
 *     psk: config.requireSecret("psk"),
 *     dataPlane: "libipsec",
 * });
 * ```
 */
export class IpsecTunnel extends pulumi.ComponentResource {
    /** The left (initiating) charon. */
    readonly left: StrongSwan;
    /** The right (responding) charon. */
    readonly right: StrongSwan;
    /** The namespace names, left then right. */
    readonly namespaces: pulumi.Output<string>[];
    /** The child SA's name, for `swanctl --initiate --child` or `--list-sas`. */
    readonly childName = CHILD;

    constructor(name: string, args: IpsecTunnelArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns:index:IpsecTunnel", name, {}, opts);
        const parent = { parent: this };
        const { connection } = args;
        const sides = { left: args.left, right: args.right };

        const namespaces = Object.fromEntries(Object.entries(sides).map(([side, gw]) => [side,
            args.createNamespaces === false
                ? pulumi.output(gw.namespace)
                : new Namespace(`${name}-${side}`, { name: gw.namespace, connection }, parent).name,
        ])) as { left: pulumi.Output<string>; right: pulumi.Output<string> };
        this.namespaces = [namespaces.left, namespaces.right];

        const ready: pulumi.Resource[] = [];
        if (args.createLink !== false) {
            const link = new VethPair(`${name}-link`, {
                a: { name: LINK, netns: namespaces.left },
                b: { name: LINK, netns: namespaces.right },
                connection,
            }, parent);
            for (const [side, end] of [["left", link.a], ["right", link.b]] as const) {
                ready.push(new Address(`${name}-${side}-gateway`, {
                    netns: namespaces[side], interface: end.name, cidr: sides[side].gatewayAddress, connection,
                }, parent));
            }
        }
        for (const side of ["left", "right"] as const) {
            const subnetAddress = sides[side].subnetAddress;
            if (subnetAddress !== undefined) {
                ready.push(new Address(`${name}-${side}-subnet`, {
                    netns: namespaces[side], interface: "lo", cidr: subnetAddress, connection,
                }, parent));
            }
        }

        const idOf = (gw: IpsecGatewayArgs) => gw.id ?? hostOf(gw.gatewayAddress);
        const gateway = (side: "left" | "right", after: pulumi.Resource[]) => {
            const [local, remote] = side === "left" ? [args.left, args.right] : [args.right, args.left];
            return new StrongSwan(`${name}-${side}`, {
                netns: namespaces[side],
                dataPlane: args.dataPlane,
                settings: { ...FAST_RETRANSMITS, ...args.settings },
                connections: [{
                    name: CONN,
                    version: 2,
                    localAddrs: [hostOf(local.gatewayAddress)],
                    remoteAddrs: [hostOf(remote.gatewayAddress)],
                    proposals: args.ikeProposals ?? ["aes256-sha256-modp2048"],
                    dpdDelay: DPD_DELAY_S,
                    local: { auth: "psk", id: idOf(local) },
                    remote: { auth: "psk", id: idOf(remote) },
                    children: [{
                        name: CHILD,
                        localTs: [local.subnet],
                        remoteTs: [remote.subnet],
                        espProposals: args.espProposals ?? ["aes256gcm16-modp2048"],
                        startAction: "none",
                        // The initiator brings the child back after a dead peer; the responder just cleans up.
                        dpdAction: side === "left" ? "restart" : "clear",
                    }],
                }],
                secrets: [{ name: CONN, ids: [idOf(local), idOf(remote)], secret: args.psk }],
                // The left side brings the tunnel up; the right side answers.
                initiate: side === "left" ? [CHILD] : [],
                connection,
            }, { ...parent, dependsOn: [...ready, ...after] });
        };
        this.right = gateway("right", []);
        // The initiator starts once the responder is listening.
        this.left = gateway("left", [this.right]);
        this.registerOutputs({ namespaces: this.namespaces });
    }
}
