/**
 * The pure part of {@link HostBootstrap}: which Debian packages each feature needs and the script
 * that installs the missing ones. No Pulumi, no host access.
 */
import { shellCommandLine } from "../provider/quote";

/** What the target host will be used for. */
export interface BootstrapFeatures {
    /** Namespaces, veth, addresses, routes, bridges, sysctls: iproute2 and procps. Always on. */
    topology?: boolean;
    /** FirewallRules: nftables. Default true. */
    firewall?: boolean;
    /** StrongSwan instances: charon, swanctl and the libipsec plugin. Default true. */
    strongswan?: boolean;
}

export function packagesFor(features: BootstrapFeatures = {}): string[] {
    const packages = ["iproute2", "procps", "util-linux"];
    if (features.firewall ?? true) packages.push("nftables");
    if (features.strongswan ?? true) {
        packages.push("strongswan-swanctl", "strongswan-charon", "libcharon-extra-plugins", "libstrongswan-standard-plugins");
    }
    return packages;
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * A POSIX sh script for @pulumi/command that installs the missing packages with apt-get and fails
 * with a clear message on hosts without apt (install the equivalent packages yourself there).
 */
export function installScript(packages: readonly string[]): string {
    for (const p of packages) {
        if (!PACKAGE.test(p)) throw new Error(`HostBootstrap: "${p}" is not a Debian package name`);
    }
    const list = shellCommandLine([...packages]);
    return [
        "set -eu",
        'if ! command -v apt-get >/dev/null 2>&1; then',
        `  echo "HostBootstrap: this host has no apt-get; install the equivalents of: ${packages.join(" ")}" >&2; exit 1`,
        "fi",
        "missing=''",
        `for p in ${list}; do`,
        "  dpkg-query -W -f='${Status}' \"$p\" 2>/dev/null | grep -q 'install ok installed' || missing=\"$missing $p\"",
        "done",
        'if [ -n "$missing" ]; then',
        "  export DEBIAN_FRONTEND=noninteractive",
        "  apt-get update -qq",
        "  apt-get install -y -qq --no-install-recommends $missing",
        "fi",
        "",
    ].join("\n");
}
