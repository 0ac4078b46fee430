import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Settings written as `key = value` lines; keys are letters, digits, '_' and '-'. */
export type StrongSwanSettings = Record<string, string | number | boolean>;

/** One side's authentication round of a connection (`local { … }` / `remote { … }` in swanctl.conf). */
export interface StrongSwanAuthArgs {
    /** `auth`: the method, e.g. "psk" or "pubkey". Default "psk". */
    auth?: pulumi.Input<string>;
    /** `id`: the IKE identity, e.g. "gw-a.example" or "192.0.2.1". Any text; quoted as needed. */
    id?: pulumi.Input<string>;
    /** More settings of this round, e.g. `{ certs: "gw.pem" }`. */
    extra?: pulumi.Input<StrongSwanSettings>;
}

/** A CHILD_SA configuration (`children.<name> { … }`). */
export interface StrongSwanChildArgs {
    /** Section name, unique across all connections; what {@link StrongSwanArgs.initiate} lists. */
    name: pulumi.Input<string>;
    /** `local_ts`: local traffic selectors, e.g. ["192.0.2.0/24"]. Default: the local address. */
    localTs?: pulumi.Input<pulumi.Input<string>[]>;
    /** `remote_ts`: remote traffic selectors, e.g. ["198.51.100.0/24"]. Default: the remote address. */
    remoteTs?: pulumi.Input<pulumi.Input<string>[]>;
    /** `esp_proposals`, e.g. ["aes256gcm16-modp2048"]. Default: strongSwan's defaults. */
    espProposals?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * `start_action`. Default "none": list the child in {@link StrongSwanArgs.initiate} to have
     * the provider bring it up. With dataPlane "libipsec", "trap" is refused (traffic never triggers it).
     */
    startAction?: pulumi.Input<"none" | "trap" | "start" | "trap|start">;
    /** `dpd_action`: "clear" (strongSwan's default), "trap" or "restart". */
    dpdAction?: pulumi.Input<"clear" | "trap" | "restart">;
    /** `close_action`: default "none". */
    closeAction?: pulumi.Input<"none" | "clear" | "trap" | "start">;
    /** `mode`: default "tunnel". */
    mode?: pulumi.Input<"tunnel" | "transport" | "pass" | "drop">;
    /** More settings of this child, e.g. `{ rekey_time: "1h" }`. */
    extra?: pulumi.Input<StrongSwanSettings>;
}

/** An IKE connection (`connections.<name> { … }` in swanctl.conf). */
export interface StrongSwanConnectionArgs {
    /** Section name, e.g. "gw". */
    name: pulumi.Input<string>;
    /** IKE version: 2 (default), 1, or 0 for either. */
    version?: pulumi.Input<0 | 1 | 2>;
    /** `local_addrs`, e.g. ["203.0.113.1"]. Default: any. */
    localAddrs?: pulumi.Input<pulumi.Input<string>[]>;
    /** `remote_addrs`, e.g. ["203.0.113.2"]. Default: any (then this side can only respond). */
    remoteAddrs?: pulumi.Input<pulumi.Input<string>[]>;
    /** IKE `proposals`, e.g. ["aes256-sha256-modp2048"]. Default: strongSwan's defaults. */
    proposals?: pulumi.Input<pulumi.Input<string>[]>;
    /** `dpd_delay` in seconds; absent or 0 disables dead peer detection. */
    dpdDelay?: pulumi.Input<number>;
    /** This side's authentication. */
    local: pulumi.Input<StrongSwanAuthArgs>;
    /** What the peer must authenticate with. */
    remote: pulumi.Input<StrongSwanAuthArgs>;
    /** The CHILD_SAs (at least one). */
    children: pulumi.Input<pulumi.Input<StrongSwanChildArgs>[]>;
    /** More settings of this connection, e.g. `{ rekey_time: "4h", mobike: "no" }`. */
    extra?: pulumi.Input<StrongSwanSettings>;
}

/** A pre-shared key (`secrets.ike-<name> { … }`). */
export interface StrongSwanPskArgs {
    /** Section suffix, unique among the secrets. */
    name: pulumi.Input<string>;
    /** The identities this key is for, e.g. both gateways' ids. Default: any. */
    ids?: pulumi.Input<pulumi.Input<string>[]>;
    /** The key: any text without NUL. It reaches the host only on stdin, written hex-encoded to a 0600 file. */
    secret: pulumi.Input<string>;
}

/** Arguments of a {@link StrongSwan}. */
export interface StrongSwanArgs {
    /**
     * The network namespace charon runs in (e.g. `namespace.name`); it must exist. Changing it
     * replaces the resource (the old charon is stopped first).
     */
    netns: pulumi.Input<string>;
    /**
     * How ESP is processed. "kernel" (default): the kernel's XFRM, which needs ESP support
     * (CONFIG_INET_ESP). "libipsec": strongSwan's userspace ESP over a TUN device, always
     * UDP-encapsulated; works without kernel ESP. Changing it restarts charon.
     */
    dataPlane?: pulumi.Input<"kernel" | "libipsec">;
    /** The IKE connections (swanctl.conf). Changes reload in place (same charon), see {@link StrongSwan}. */
    connections: pulumi.Input<pulumi.Input<StrongSwanConnectionArgs>[]>;
    /**
     * Pre-shared keys. Always stored as a secret: the SDK wraps them with `pulumi.secret`, state
     * keeps only a (secret) hash of the rendered swanctl.conf, and the keys never appear in argv,
     * outputs or error messages. Changes reload in place and re-establish the `initiate` children.
     */
    secrets?: pulumi.Input<pulumi.Input<StrongSwanPskArgs>[]>;
    /**
     * Child names the provider brings up with `swanctl --initiate` after every start or reload
     * (typically on one side only; the other responds). Each must be a child of some connection.
     * Default: none. Changes in place.
     */
    initiate?: pulumi.Input<pulumi.Input<string>[]>;
    /** charon's log level (-1..4) in /etc/netns/NS/ipsec.d/run/charon.log. Default 1. Changing it restarts charon. */
    logLevel?: pulumi.Input<number>;
    /** Plugins charon loads besides the minimal set, e.g. ["updown"]. Changing them restarts charon. */
    extraPlugins?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Free-form strongswan.conf settings for experts, by dotted path, e.g.
     * `{ "charon.retransmit_tries": 3 }`. The vici socket paths are managed and refused here.
     * Changing them restarts charon (strongswan.conf is only read at start).
     */
    settings?: pulumi.Input<StrongSwanSettings>;
    /**
     * Which charon: "distro" (default; Debian/Ubuntu's, whose pid file is compiled to /var/run:
     * it gets a private /run) or "piddir" (built with `--with-piddir=/etc/ipsec.d/run`, which
     * then needs {@link charonPath}). Changing it restarts charon.
     */
    build?: pulumi.Input<"distro" | "piddir">;
    /** The charon binary. Default /usr/lib/ipsec/charon with build "distro"; required for "piddir". Changing it restarts charon. */
    charonPath?: pulumi.Input<string>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A strongSwan IKE daemon (charon) inside a network namespace, configured with swanctl.
 *
 * The configuration goes to /etc/netns/NS/strongswan.conf and /etc/netns/NS/swanctl/swanctl.conf
 * (mode 0600: it holds the keys), which `ip netns exec` mounts over /etc in the namespace;
 * charon's pid file, vici socket and log are in /etc/netns/NS/ipsec.d/run/. Creating fails if a
 * charon already runs for the namespace or those files exist (never adopted); a failed create
 * leaves no charon and no files. Deleting stops charon (TERM, then KILL) and removes the files;
 * deleting again, or after the namespace is gone, succeeds.
 *
 * Updates: a strongswan.conf change (settings, plugins, log level, data plane, build) restarts
 * charon; a swanctl.conf change (connections, secrets) reloads it in place with
 * `swanctl --load-all` and re-establishes the `initiate` children, retrying for up to 30 s while
 * the peer is being updated too. `pulumi refresh` (or `up --refresh`) reports a dead charon as
 * `running: false`, connections that are not loaded, and `initiate` children that are down; the
 * next `pulumi up` then restarts, reloads or re-initiates as needed.
 *
 * @example
 * ```ts
 * const psk = config.requireSecret("psk");
 * new netns.StrongSwan("left-gw", {
 *     netns: left.name,
 *     dataPlane: "libipsec",
 *     connections: [{
 *         name: "gw", localAddrs: ["203.0.113.1"], remoteAddrs: ["203.0.113.2"],
 *         local: { id: "left.example" }, remote: { id: "right.example" },
 *         children: [{ name: "net", localTs: ["192.0.2.0/24"], remoteTs: ["198.51.100.0/24"] }],
 *     }],
 *     secrets: [{ name: "gw", ids: ["left.example", "right.example"], secret: psk }],
 *     initiate: ["net"],
 * });
 * ```
 */
export class StrongSwan extends pulumi.dynamic.Resource {
    /** The namespace charon runs in. */
    declare readonly netns: pulumi.Output<string>;
    declare readonly dataPlane: pulumi.Output<"kernel" | "libipsec">;
    declare readonly build: pulumi.Output<"distro" | "piddir">;
    declare readonly charonPath: pulumi.Output<string>;
    declare readonly initiate: pulumi.Output<string[]>;
    /** Whether charon was alive and answering on vici when last seen (create, update or refresh). */
    declare readonly running: pulumi.Output<boolean>;
    /** charon's pid; 0 when not running. */
    declare readonly pid: pulumi.Output<number>;
    /** The vici socket's path on the host, e.g. for `swanctl --uri unix://…` from outside the namespace. */
    declare readonly viciSocket: pulumi.Output<string>;
    /** The vici socket as swanctl inside the namespace sees it: `unix:///etc/ipsec.d/run/charon.vici`. */
    declare readonly viciUri: pulumi.Output<string>;
    /** Names of the connections charon has loaded. */
    declare readonly loadedConnections: pulumi.Output<string[]>;
    /** The `initiate` children that had an INSTALLED CHILD_SA. */
    declare readonly establishedChildren: pulumi.Output<string[]>;
    /** sha256 of the rendered strongswan.conf. */
    declare readonly strongswanConfSha256: pulumi.Output<string>;
    /** sha256 of the rendered swanctl.conf; secret, since it covers the keys. */
    declare readonly swanctlConfSha256: pulumi.Output<string>;

    constructor(name: string, args: StrongSwanArgs, opts?: pulumi.CustomResourceOptions) {
        const secretOpts = withSecretConnection(opts);
        super(providerShim("strongSwan"), name, {
            ...secretConnection(args),
            secrets: args.secrets === undefined ? undefined : pulumi.secret(args.secrets),
            dataPlane: args.dataPlane, build: args.build, charonPath: args.charonPath, initiate: args.initiate,
            schemaVersion: undefined, running: undefined, pid: undefined, viciSocket: undefined, viciUri: undefined,
            loadedConnections: undefined, establishedChildren: undefined, strongswanConfSha256: undefined,
            swanctlConfSha256: undefined, createdDirs: undefined, createdPlaceholders: undefined,
        }, {
            ...secretOpts,
            additionalSecretOutputs: [...(secretOpts.additionalSecretOutputs ?? []), "secrets", "swanctlConfSha256"],
        }, "netns", "StrongSwan");
    }
}
