import * as pulumi from "@pulumi/pulumi";
import { ConnectionArgs, secretConnection, withSecretConnection } from "./connection";
import { providerShim } from "./shim";

/** Arguments of an {@link EtcOverlayFile}. */
export interface EtcOverlayFileArgs {
    /**
     * The network namespace whose /etc this overlays (it need not exist yet: the entry waits in
     * /etc/netns/NS). Changing it replaces the entry (the old one is deleted first).
     */
    netns: pulumi.Input<string>;
    /**
     * Path relative to /etc, e.g. "strongswan.conf", "swanctl/swanctl.conf" or "ipsec.d/run".
     * No absolute paths, "..", "." or empty segments; a leading "./" is dropped. Segments may hold
     * letters, digits and `. _ - + @ , = ~`. The first component must not be "netns".
     * Changing it replaces the entry (the old one is deleted first).
     *
     * Only the first component is mounted: with "swanctl/swanctl.conf" the whole directory
     * /etc/netns/NS/swanctl replaces /etc/swanctl inside the namespace, hiding the host's other
     * files there. Put everything the namespace needs from that directory into the overlay.
     */
    path: pulumi.Input<string>;
    /** "file" (default) or "directory". Changing it replaces the entry. */
    kind?: pulumi.Input<"file" | "directory">;
    /**
     * The file's text (kind "file" only). Default: empty. May be a secret: it travels to the host
     * on stdin only, and state stores only its sha256 (as a secret output). Changes in place.
     */
    content?: pulumi.Input<string>;
    /**
     * Permission bits as an octal string, e.g. "0600" for a file holding keys. Default "0644" for a
     * file, "0755" for a directory. Numbers are refused (644 would be decimal). Changes in place.
     */
    mode?: pulumi.Input<string>;
    /** Owning user, name or uid. Default "root". Changes in place. */
    owner?: pulumi.Input<string | number>;
    /** Owning group, name or gid. Default "root". Changes in place. */
    group?: pulumi.Input<string | number>;
    /**
     * Kind "directory" only: on delete, also remove whatever is inside (a daemon's pid files and
     * sockets in a run directory). Default false: a directory that is not empty stays, and is
     * removed by the last overlay inside it that goes. Changes in place.
     */
    removeContents?: pulumi.Input<boolean>;
    /** The target host; default this machine. See {@link ConnectionArgs}. */
    connection?: pulumi.Input<ConnectionArgs>;
}

/**
 * A file or directory that `ip netns exec NS` shows at /etc/<path>: it lives at
 * /etc/netns/NS/<path> on the host, and `ip netns exec` bind-mounts each top-level entry of
 * /etc/netns/NS over its counterpart in /etc. Use it for per-namespace configuration such as a
 * strongSwan instance's strongswan.conf and swanctl/.
 *
 * - The counterpart /etc/<first component> must exist for the mount to happen. If it is missing,
 *   an empty placeholder (file or directory) is created and listed in `createdPlaceholders`; it is
 *   removed again when no namespace's overlay uses it any more and it is still empty and untouched.
 *   Existing host files are never modified or removed.
 * - Files are written atomically (temporary file with the final mode and owner, then rename).
 *   Processes already running under `ip netns exec` keep seeing the old version of a *top-level*
 *   file (the mount pins its inode); files inside an overlaid directory change for them too.
 * - Creating fails if the file already exists: the resource never adopts (and so never deletes)
 *   a file it did not write. An existing directory is adopted (mode and owner set) but not removed.
 * - Deleting removes the entry, then the directories under /etc/netns that pulumi-netns created and
 *   that are now empty; already gone (also: namespace gone) is success.
 *
 * `content` is never stored in outputs: state keeps `contentSha256` (always secret: a hash of a
 * short secret could be guessed), and drift is detected by comparing hashes.
 *
 * @example
 * ```ts
 * new netns.EtcOverlayFile("left-secrets", {
 *     netns: "gw-left",
 *     path: "swanctl/conf.d/secrets.conf",
 *     content: pulumi.secret(`secrets { ike-left { secret = ${psk} } }\n`),
 *     mode: "0600",
 * });
 * ```
 */
export class EtcOverlayFile extends pulumi.dynamic.Resource {
    declare readonly netns: pulumi.Output<string>;
    /** The normalized path relative to /etc. */
    declare readonly path: pulumi.Output<string>;
    declare readonly kind: pulumi.Output<"file" | "directory">;
    /** Four octal digits, e.g. "0600"; after a refresh, the live value. */
    declare readonly mode: pulumi.Output<string>;
    declare readonly owner: pulumi.Output<string>;
    declare readonly group: pulumi.Output<string>;
    declare readonly removeContents: pulumi.Output<boolean>;
    /** sha256 (hex) of the content ("" for a directory); secret. */
    declare readonly contentSha256: pulumi.Output<string>;
    /** The entry on the host: /etc/netns/NS/<path>. */
    declare readonly overlayPath: pulumi.Output<string>;
    /** Where it appears inside the namespace: /etc/<path>. */
    declare readonly etcPath: pulumi.Output<string>;
    /** The host entry mounted over: /etc/<first component>. */
    declare readonly mountedEntry: pulumi.Output<string>;
    /** Whether `mountedEntry` exists, so the overlay takes effect (false after a refresh found it gone). */
    declare readonly mounted: pulumi.Output<boolean>;
    /** Directories this resource created (under /etc/netns, and the entry itself for a directory). */
    declare readonly createdDirs: pulumi.Output<string[]>;
    /** Placeholders this resource created in /etc. */
    declare readonly createdPlaceholders: pulumi.Output<string[]>;

    constructor(name: string, args: EtcOverlayFileArgs, opts?: pulumi.CustomResourceOptions) {
        const secretOpts = withSecretConnection(opts);
        super(providerShim("etcOverlayFile"), name, {
            ...secretConnection(args),
            kind: args.kind, mode: args.mode, owner: args.owner, group: args.group, removeContents: args.removeContents,
            contentSha256: undefined, overlayPath: undefined, etcPath: undefined, mountedEntry: undefined, mounted: undefined,
            createdDirs: undefined, createdPlaceholders: undefined,
        }, {
            ...secretOpts,
            additionalSecretOutputs: [...(secretOpts.additionalSecretOutputs ?? []), "contentSha256"],
        }, "netns", "EtcOverlayFile");
    }
}
