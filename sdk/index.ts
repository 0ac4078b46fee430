/**
 * pulumi-netns: Linux network namespaces, veth topologies and strongSwan gateways as Pulumi
 * resources. Every resource runs `ip` (and friends) on the target host during `pulumi up`;
 * `pulumi preview` only validates and diffs, and never touches the host.
 */
export { BootstrapFeatures } from "./bootstrap-plan";
export { HostBootstrap, HostBootstrapArgs } from "./bootstrap";
export { ConnectionArgs } from "./connection";
export { Namespace, NamespaceArgs } from "./namespace";
export { VethPair, VethPairArgs, VethEndArgs, VethEnd } from "./veth-pair";
export { InterfaceAttachment, InterfaceAttachmentArgs } from "./interface-attachment";
export { Address, AddressArgs } from "./address";
export { Route, RouteArgs } from "./route";
export { EtcOverlayFile, EtcOverlayFileArgs } from "./etc-overlay";
export { Bridge, BridgeArgs } from "./bridge";
export { Sysctl, SysctlArgs } from "./sysctl";
export { FirewallRules, FirewallRulesArgs } from "./firewall-rules";
export { StrongSwan, StrongSwanArgs, StrongSwanConnectionArgs, StrongSwanChildArgs, StrongSwanAuthArgs, StrongSwanPskArgs } from "./strongswan";
export { IpsecTunnel, IpsecTunnelArgs, IpsecGatewayArgs } from "./ipsec-tunnel";
