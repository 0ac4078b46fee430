/**
 * Hub and spokes: three gateways, one charon per namespace.
 *
 *   spoke1 (198.51.100.0/25) ══ wan 203.0.113.0/30 ══ hub (192.0.2.0/24) ══ wan 203.0.113.4/30 ══ spoke2 (198.51.100.128/25)
 *
 * Each spoke initiates one tunnel to the hub; the hub answers both. Protected subnets are
 * represented by one address of each on the gateway's loopback.
 */
import * as pulumi from "@pulumi/pulumi";
import * as netns from "pulumi-netns";

const config = new pulumi.Config();
const prefix = config.get("prefix") ?? "hs";
const dataPlane = (config.get("dataPlane") ?? "libipsec") as "kernel" | "libipsec";
const psk = config.requireSecret("psk");

const hub = { name: "hub", ns: new netns.Namespace("hub", { name: `${prefix}-hub` }), subnet: "192.0.2.0/24", address: "192.0.2.1", id: "hub.example" };
const spokes = [
    { name: "spoke1", subnet: "198.51.100.0/25", address: "198.51.100.1", hubWan: "203.0.113.1", wan: "203.0.113.2" },
    { name: "spoke2", subnet: "198.51.100.128/25", address: "198.51.100.129", hubWan: "203.0.113.5", wan: "203.0.113.6" },
].map((s) => ({ ...s, id: `${s.name}.example`, ns: new netns.Namespace(s.name, { name: `${prefix}-${s.name}` }) }));

const ready: pulumi.Resource[] = [
    new netns.Address("hub-subnet", { netns: hub.ns.name, interface: "lo", cidr: `${hub.address}/32` }),
];
for (const spoke of spokes) {
    const link = new netns.VethPair(`${spoke.name}-wan`, {
        a: { name: `to-${spoke.name}`, netns: hub.ns.name },
        b: { name: "wan0", netns: spoke.ns.name },
    });
    ready.push(
        new netns.Address(`hub-to-${spoke.name}`, { netns: hub.ns.name, interface: link.a.name, cidr: `${spoke.hubWan}/30` }),
        new netns.Address(`${spoke.name}-wan0`, { netns: spoke.ns.name, interface: link.b.name, cidr: `${spoke.wan}/30` }),
        new netns.Address(`${spoke.name}-subnet`, { netns: spoke.ns.name, interface: "lo", cidr: `${spoke.address}/32` }),
    );
}

// Dead peer detection within seconds: when the hub restarts, the spokes notice and reconnect.
const proposals = { proposals: ["aes256-sha256-modp2048"], dpdDelay: 2 };
const esp = { espProposals: ["aes256gcm16-modp2048"] };
const settings = { "charon.retransmit_timeout": 1, "charon.retransmit_base": 1.4, "charon.retransmit_tries": 3 };

const hubGateway = new netns.StrongSwan("hub", {
    netns: hub.ns.name,
    dataPlane,
    settings,
    connections: spokes.map((spoke) => ({
        name: spoke.name, version: 2 as const, ...proposals,
        localAddrs: [spoke.hubWan], remoteAddrs: [spoke.wan],
        local: { auth: "psk", id: hub.id }, remote: { auth: "psk", id: spoke.id },
        children: [{ name: `${spoke.name}-net`, localTs: [hub.subnet], remoteTs: [spoke.subnet], ...esp }],
    })),
    secrets: spokes.map((spoke) => ({ name: spoke.name, ids: [hub.id, spoke.id], secret: psk })),
}, { dependsOn: ready });

const spokeGateways = spokes.map((spoke) => new netns.StrongSwan(spoke.name, {
    netns: spoke.ns.name,
    dataPlane,
    settings,
    connections: [{
        name: "hub", version: 2, ...proposals,
        localAddrs: [spoke.wan], remoteAddrs: [spoke.hubWan],
        local: { auth: "psk", id: spoke.id }, remote: { auth: "psk", id: hub.id },
        children: [{ name: `${spoke.name}-net`, localTs: [spoke.subnet], remoteTs: [hub.subnet], ...esp, dpdAction: "restart" }],
    }],
    secrets: [{ name: "hub", ids: [spoke.id, hub.id], secret: psk }],
    initiate: [`${spoke.name}-net`],
}, { dependsOn: [...ready, hubGateway] }));

/** For tests and people: where to ping from and to, and the daemons' pids. */
export const proof = {
    hub: { namespace: hub.ns.name, address: hub.address, pid: hubGateway.pid },
    spokes: spokes.map((spoke, i) => ({
        namespace: spoke.ns.name, address: spoke.address, child: `${spoke.name}-net`, pid: spokeGateways[i].pid,
    })),
};
