/**
 * N host namespaces, each with eth0 = 192.0.2.(10+i)/24, plugged into bridge br0 in a switch
 * namespace by veth pairs. After `pulumi up` every host pings every other one.
 */
import * as pulumi from "@pulumi/pulumi";
import * as netns from "pulumi-netns";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "lab";
const count = config.getNumber("hosts") ?? 8;
if (!Number.isInteger(count) || count < 1 || count > 200) {
    throw new Error(`config hosts must be an integer from 1 to 200, got ${count}`);
}

const sw = new netns.Namespace("switch", { name: `${prefix}-sw` });

const hosts = Array.from({ length: count }, (_, i) => {
    const ns = new netns.Namespace(`host${i}`, { name: `${prefix}-h${i}` });
    const link = new netns.VethPair(`host${i}-link`, {
        a: { name: "eth0", netns: ns.name },
        b: { name: `port${i}`, netns: sw.name },
    });
    const address = new netns.Address(`host${i}-eth0`, {
        netns: ns.name, interface: link.a.name, cidr: `192.0.2.${10 + i}/24`,
    });
    return { ns, link, address };
});

new netns.Bridge("br0", {
    name: "br0",
    netns: sw.name,
    members: hosts.map((h) => h.link.b.name),
});

export const hostNamespaces = hosts.map((h) => h.ns.name);
export const hostAddresses = hosts.map((_, i) => `192.0.2.${10 + i}`);
