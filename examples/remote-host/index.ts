/**
 * The demo's site-to-site tunnel on a remote host. Set the connection as a secret object:
 *
 *   pulumi config set --secret --path 'connection.host' 192.0.2.10
 *   pulumi config set --secret --path 'connection.hostKey' "$(cat host_ed25519_key.pub)"
 *   pulumi config set --secret --path 'connection.privateKey' < ~/.ssh/id_ed25519
 *   pulumi config set --secret psk < psk.txt
 *
 * The same program without `connection` manages this machine.
 */
import * as pulumi from "@pulumi/pulumi";
import * as netns from "pulumi-netns";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "rh";
const connection = config.requireSecretObject<netns.ConnectionArgs>("connection");

// Optional: make sure iproute2 and strongSwan are installed (Debian/Ubuntu targets).
const bootstrap = config.getBoolean("bootstrap") ? [new netns.HostBootstrap("packages", { connection })] : [];

const tunnel = new netns.IpsecTunnel("site", {
    left: { namespace: `${prefix}-left`, gatewayAddress: "203.0.113.1/24", subnet: "192.0.2.0/24", subnetAddress: "192.0.2.1/32" },
    right: { namespace: `${prefix}-right`, gatewayAddress: "203.0.113.2/24", subnet: "198.51.100.0/24", subnetAddress: "198.51.100.1/32" },
    psk: config.requireSecret("psk"),
    dataPlane: (config.get("dataPlane") ?? "libipsec") as "kernel" | "libipsec",
    connection,
}, { dependsOn: bootstrap });

export const proof = {
    child: tunnel.childName,
    left: { namespace: tunnel.namespaces[0], address: "192.0.2.1", pid: tunnel.left.pid },
    right: { namespace: tunnel.namespaces[1], address: "198.51.100.1", pid: tunnel.right.pid },
};
