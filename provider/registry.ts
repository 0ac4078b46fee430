/**
 * Entry point of the provider code: the serialized shims in sdk/ load this module by package name
 * in the dynamic-provider process and look up the handlers of their resource kind here.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { withConnection } from "./connection-handlers";

const loaders: Record<string, () => dynamic.ResourceProvider> = {
    namespace: () => require("./namespace").namespaceProvider,
    vethPair: () => require("./veth-pair").vethPairProvider,
    interfaceAttachment: () => require("./interface-attachment").interfaceAttachmentProvider,
    address: () => require("./address").addressProvider,
    route: () => require("./route").routeProvider,
    etcOverlayFile: () => require("./etc-overlay").etcOverlayFileProvider,
    bridge: () => require("./bridge").bridgeProvider,
    sysctl: () => require("./sysctl").sysctlProvider,
    firewallRules: () => require("./firewall-rules").firewallRulesProvider,
    strongSwan: () => require("./strongswan").strongSwanProvider,
};

export function handlersFor(kind: string): dynamic.ResourceProvider {
    const load = loaders[kind];
    if (!load) {
        throw new Error(`pulumi-netns: unknown resource kind "${kind}"; the program and the installed package versions differ`);
    }
    return withConnection(load());
}
