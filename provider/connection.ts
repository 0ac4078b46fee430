/**
 * The `connection` input every resource takes: how to reach a remote target host over SSH,
 * shaped like @pulumi/command's `remote.ConnectionArgs`. Absent means this machine. Pure.
 */
import { Failures, isUnknown, printable } from "./inputs";

export interface ConnectionInputs {
    /** Host name or address of the target. Changing it replaces the resource (another host). */
    readonly host: string;
    /** SSH port. Default 22. */
    readonly port?: number;
    /** Login user. Default "root". */
    readonly user?: string;
    /** OpenSSH or PEM private key (a secret). Without it, `agentSocket` or ssh's defaults are used. */
    readonly privateKey?: string;
    /** Path of an ssh-agent socket on the machine running Pulumi. */
    readonly agentSocket?: string;
    /** The server's public host key, e.g. "ssh-ed25519 AAAA…". */
    readonly hostKey?: string;
    /** known_hosts content to verify the server against. */
    readonly knownHosts?: string;
    /** Run commands through `sudo -n` (for a non-root user with passwordless sudo). */
    readonly sudo?: boolean;
    /** Seconds to wait for the TCP connection and handshake. Default 10. */
    readonly connectTimeoutSeconds?: number;
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

/** Validates `value` as a connection; returns it normalized, or undefined for "local". */
export function checkConnection(value: unknown, failures: Failures): ConnectionInputs | undefined {
    if (value === undefined || value === null || isUnknown(value)) {
        return value === null ? undefined : (value as ConnectionInputs | undefined);
    }
    if (typeof value !== "object") {
        failures.add("connection", "connection must be an object like { host, user, privateKey, hostKey }, or left out for this machine");
        return undefined;
    }
    const c = value as Record<string, unknown>;
    const known = new Set(["host", "port", "user", "privateKey", "agentSocket", "hostKey", "knownHosts", "sudo", "connectTimeoutSeconds"]);
    for (const key of Object.keys(c)) {
        if (!known.has(key)) failures.add(`connection.${key}`, `connection has no field "${key}"; known fields: ${[...known].join(", ")}`);
    }
    const given = (v: unknown) => v !== undefined && !isUnknown(v);
    if (c.host === undefined) {
        failures.add("connection.host", "connection.host is required: the name or address of the target host");
    } else if (given(c.host) && (typeof c.host !== "string" || !HOST.test(c.host))) {
        failures.add("connection.host", `connection.host "${printable(String(c.host))}" is not a host name or IP address`);
    }
    if (given(c.port) && (typeof c.port !== "number" || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535)) {
        failures.add("connection.port", `connection.port must be an integer from 1 to 65535, got ${JSON.stringify(c.port)}`);
    }
    if (given(c.user) && (typeof c.user !== "string" || !USER.test(c.user))) {
        failures.add("connection.user", `connection.user "${printable(String(c.user))}" is not a valid login name`);
    }
    if (given(c.privateKey) && (typeof c.privateKey !== "string" || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(c.privateKey))) {
        failures.add("connection.privateKey", "connection.privateKey must be the text of a private key (\"-----BEGIN OPENSSH PRIVATE KEY-----…\"), not a path; read the file with fs.readFileSync and wrap it in pulumi.secret");
    }
    if (given(c.hostKey) && (typeof c.hostKey !== "string" || !/^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$/.test(c.hostKey.trim()))) {
        failures.add("connection.hostKey", "connection.hostKey must be a public key line like \"ssh-ed25519 AAAAC3Nza…\" (see /etc/ssh/ssh_host_ed25519_key.pub on the target)");
    }
    if (c.hostKey === undefined && c.knownHosts === undefined) {
        failures.add("connection.hostKey", "connection.hostKey or connection.knownHosts is required: host keys are always verified (use the line of /etc/ssh/ssh_host_ed25519_key.pub on the target, or `ssh-keyscan` output you checked)");
    }
    if (given(c.knownHosts) && typeof c.knownHosts !== "string") {
        failures.add("connection.knownHosts", "connection.knownHosts must be known_hosts file content");
    }
    for (const flag of ["sudo"] as const) {
        if (given(c[flag]) && typeof c[flag] !== "boolean") failures.add(`connection.${flag}`, `connection.${flag} must be true or false`);
    }
    if (given(c.connectTimeoutSeconds) && (typeof c.connectTimeoutSeconds !== "number" || !(c.connectTimeoutSeconds > 0))) {
        failures.add("connection.connectTimeoutSeconds", "connection.connectTimeoutSeconds must be a positive number of seconds");
    }
    if (given(c.agentSocket) && (typeof c.agentSocket !== "string" || !c.agentSocket.startsWith("/"))) {
        failures.add("connection.agentSocket", "connection.agentSocket must be an absolute path to an ssh-agent socket");
    }
    return c as unknown as ConnectionInputs;
}

/**
 * How a connection change affects a resource: another host replaces it; another way to reach the
 * same host (user, key, port, sudo…) is an in-place update that only stores the new connection.
 */
export function connectionChange(olds: ConnectionInputs | undefined, news: ConnectionInputs | undefined): "none" | "update" | "replace" {
    if (isUnknown(news) || isUnknown(news?.host)) return "replace";
    if (olds?.host !== news?.host) return "replace"; // the host is the resource's identity (undefined: this machine)
    return canonical(olds) === canonical(news) ? "none" : "update";
}

function canonical(c: ConnectionInputs | undefined): string {
    if (c === undefined) return "";
    return JSON.stringify(Object.entries(c).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
}
