import * as pulumi from "@pulumi/pulumi";

/**
 * How to reach a remote target host over SSH; leave it out to manage this machine.
 * Shaped like @pulumi/command's `remote.ConnectionArgs`. Host keys are always verified: give
 * `hostKey` or `knownHosts`. Changing `host` replaces the resource (it is another machine);
 * changing anything else only changes how the same host is reached.
 */
export interface ConnectionArgs {
    /** Host name or address. */
    host: pulumi.Input<string>;
    /** SSH port. Default 22. */
    port?: pulumi.Input<number>;
    /** Login user. Default "root". */
    user?: pulumi.Input<string>;
    /** Private key text (OpenSSH or PEM). Pass it as a secret: `pulumi.secret(fs.readFileSync(…, "utf8"))`. */
    privateKey?: pulumi.Input<string>;
    /** Path of an ssh-agent socket to authenticate with, instead of `privateKey`. */
    agentSocket?: pulumi.Input<string>;
    /** The server's public host key, e.g. the content of /etc/ssh/ssh_host_ed25519_key.pub. */
    hostKey?: pulumi.Input<string>;
    /** known_hosts content to verify the server against. */
    knownHosts?: pulumi.Input<string>;
    /** Run commands through `sudo -n` (non-root user with passwordless sudo). Default false. */
    sudo?: pulumi.Input<boolean>;
    /** Seconds to wait for the connection. Default 10. */
    connectTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Resource options every pulumi-netns resource uses: the `connection` output may hold a private
 * key, so it is always stored encrypted in state.
 */
export function withSecretConnection<T extends pulumi.CustomResourceOptions>(opts: T | undefined): T {
    return {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "connection"],
    } as T;
}

/**
 * `args` with its `connection` (which may hold a private key) wrapped as a secret, so that the
 * inputs stored in state are encrypted even when the program passed a plain string.
 */
export function secretConnection<T extends { connection?: pulumi.Input<ConnectionArgs> }>(args: T): T {
    return args.connection === undefined ? args : { ...args, connection: pulumi.secret(args.connection) };
}
