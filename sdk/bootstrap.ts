import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { shellCommandLine } from "../provider/quote";
import { BootstrapFeatures, installScript, packagesFor } from "./bootstrap-plan";
import type { ConnectionArgs } from "./connection";

/** Arguments of a {@link HostBootstrap}. */
export interface HostBootstrapArgs {
    /** The target host; default this machine (a `local.Command`). */
    connection?: pulumi.Input<ConnectionArgs>;
    /** What the host will be used for; decides the packages. Default: everything. */
    features?: BootstrapFeatures;
    /** Extra Debian packages to install. */
    extraPackages?: string[];
}

/**
 * Makes sure a Debian or Ubuntu target host has what pulumi-netns resources need (iproute2,
 * nftables, the strongSwan packages), using @pulumi/command. Resources can `dependsOn` it.
 *
 * On other distributions the command fails and names the packages: install their equivalents
 * (e.g. on Fedora/RHEL `dnf install iproute nftables strongswan`, on Alpine
 * `apk add iproute2 nftables strongswan`) and leave HostBootstrap out.
 *
 * Needs the `pulumi-resource-command` plugin of @pulumi/command 1.2.1 (see toolchain/README.md).
 */
export class HostBootstrap extends pulumi.ComponentResource {
    /** The packages it ensures. */
    readonly packages: string[];
    /** The command resource doing the work; depend on this component rather than on it. */
    readonly install: command.local.Command | command.remote.Command;

    constructor(name: string, args: HostBootstrapArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("netns:index:HostBootstrap", name, {}, opts);
        this.packages = [...packagesFor(args.features), ...(args.extraPackages ?? [])];
        const script = installScript(this.packages);
        // sudo for a non-root login, as the pulumi-netns resources do with connection.sudo.
        const create = args.connection === undefined ? script
            : pulumi.output(args.connection).apply((c) => (c.sudo ? shellCommandLine(["sudo", "-n", "sh", "-c", script]) : script));
        // Re-run when the package list changes; never uninstall on delete (other software may use them).
        const triggers = [this.packages.join(" ")];
        this.install = args.connection === undefined
            ? new command.local.Command(`${name}-install`, { create, triggers, interpreter: ["/bin/sh", "-c"] }, { parent: this })
            : new command.remote.Command(`${name}-install`, {
                create, triggers,
                connection: pulumi.output(args.connection).apply((c) => {
                    // @pulumi/command skips host-key checking without hostKey: never let that happen.
                    if (!c.hostKey) {
                        throw new Error(`HostBootstrap ${name}: connection.hostKey is required (@pulumi/command cannot verify ` +
                            "the host with knownHosts alone)");
                    }
                    return { host: c.host, port: c.port, user: c.user ?? "root",
                        privateKey: c.privateKey, agentSocketPath: c.agentSocket, hostKey: c.hostKey };
                }),
            }, { parent: this });
        this.registerOutputs({ packages: this.packages });
    }
}
