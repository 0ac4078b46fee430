/**
 * The root demo stack: the seed's scenario.
 *
 *   192.0.2.0/24 ── [<prefix>-left] ══ IPsec over wan0 (203.0.113.0/24) ══ [<prefix>-right] ── 198.51.100.0/24
 *
 * Each gateway namespace runs its own charon; the protected subnets are represented by an address
 * of each on the gateway's loopback. `npm run demo` runs `pulumi up` and then proves the tunnel.
 */
import * as pulumi from "@pulumi/pulumi";
import * as netns from "pulumi-netns";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "demo";
const dataPlane = (config.get("dataPlane") ?? "libipsec") as "kernel" | "libipsec";

const left = { namespace: `${prefix}-left`, gatewayAddress: "203.0.113.1/24", subnet: "192.0.2.0/24", subnetAddress: "192.0.2.1/32" };
const right = { namespace: `${prefix}-right`, gatewayAddress: "203.0.113.2/24", subnet: "198.51.100.0/24", subnetAddress: "198.51.100.1/32" };

const tunnel = new netns.IpsecTunnel("site", {
    left, right,
    psk: config.requireSecret("psk"),
    dataPlane,
    settings: config.getObject<Record<string, string | number | boolean>>("strongswanSettings"),
});

/** What scripts/prove-demo.ts checks after `pulumi up`. */
export const proof = {
    child: tunnel.childName,
    left: { namespace: tunnel.namespaces[0], address: "192.0.2.1", pid: tunnel.left.pid },
    right: { namespace: tunnel.namespaces[1], address: "198.51.100.1", pid: tunnel.right.pid },
};
