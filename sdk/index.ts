/**
 * pulumi-netns: Linux network namespaces, veth topologies and strongSwan gateways as Pulumi
 * resources. Every resource runs `ip` (and friends) on the target host during `pulumi up`;
 * `pulumi preview` only validates and diffs, and never touches the host.
 */
export { ConnectionArgs } from "./connection";
export { Namespace, NamespaceArgs } from "./namespace";
