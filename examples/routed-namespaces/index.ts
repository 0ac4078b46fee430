/**
 * left ── veth ── router ── veth ── right
 * 192.0.2.0/24    (ip_forward)    198.51.100.0/24
 *
 * After `pulumi up`: `ip netns exec <prefix>-left ping 198.51.100.2` goes through the router.
 */
import * as pulumi from "@pulumi/pulumi";
import * as netns from "pulumi-netns";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "rt";
const leftAddress = config.get("leftAddress") ?? "192.0.2.2/24";
// Optional: build the chain on a host reached over SSH (a secret object, see examples/remote-host).
const connection = config.getSecretObject<netns.ConnectionArgs>("connection");

const left = new netns.Namespace("left", { connection, name: `${prefix}-left` });
const router = new netns.Namespace("router", { connection, name: `${prefix}-router` });
const right = new netns.Namespace("right", { connection, name: `${prefix}-right` });

const leftLink = new netns.VethPair("left-router", {
    connection,
    a: { name: "eth0", netns: left.name },
    b: { name: "to-left", netns: router.name },
});
const rightLink = new netns.VethPair("right-router", {
    connection,
    a: { name: "eth0", netns: right.name },
    b: { name: "to-right", netns: router.name },
});

const leftAddr = new netns.Address("left-eth0", { connection, netns: left.name, interface: leftLink.a.name, cidr: leftAddress });
new netns.Address("router-to-left", { connection, netns: router.name, interface: leftLink.b.name, cidr: "192.0.2.1/24" });
new netns.Address("router-to-right", { connection, netns: router.name, interface: rightLink.b.name, cidr: "198.51.100.1/24" });
const rightAddr = new netns.Address("right-eth0", { connection, netns: right.name, interface: rightLink.a.name, cidr: "198.51.100.2/24" });

new netns.Sysctl("router-forwarding", { connection, netns: router.name, key: "net.ipv4.ip_forward", value: "1" });

// Default routes need their gateway on a connected subnet: depend on the addresses.
new netns.Route("left-default", { connection, netns: left.name, destination: "default", via: "192.0.2.1", device: leftLink.a.name },
    { dependsOn: [leftAddr] });
new netns.Route("right-default", { connection, netns: right.name, destination: "default", via: "198.51.100.1", device: rightLink.a.name },
    { dependsOn: [rightAddr] });

export const namespaces = [left.name, router.name, right.name];
export const ping = { from: left.name, to: "198.51.100.2" };
