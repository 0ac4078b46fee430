/**
 * Prerequisites of the kernel and engine tiers. In CI (CI=true) a missing prerequisite fails the
 * run; on a developer machine the tier is skipped with the reason printed.
 */
import { execFileSync } from "node:child_process";

export const inCI = process.env.CI === "true" || process.env.CI === "1";

function which(cmd: string): boolean {
    try {
        execFileSync("sh", ["-c", 'command -v "$1"', "sh", cmd], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

/** Why the kernel tier cannot run here, or undefined. */
export function kernelTierProblem(): string | undefined {
    if (process.getuid?.() !== 0) return "kernel tests need root (network namespaces)";
    if (!which("ip")) return "kernel tests need `ip` (Debian package iproute2)";
    return undefined;
}

/** Why remote-host tests (a local sshd) cannot run here, or undefined. */
export function sshTierProblem(): string | undefined {
    const kernel = kernelTierProblem();
    if (kernel) return kernel;
    for (const [bin, pkg] of [["/usr/sbin/sshd", "openssh-server"], ["ssh", "openssh-client"], ["ssh-keygen", "openssh-client"]]) {
        if (!which(bin)) return `remote-host tests need \`${bin}\` (Debian package ${pkg})`;
    }
    return undefined;
}

/** Why strongSwan kernel tests (real charons in namespaces) cannot run here, or undefined. */
export function strongswanTierProblem(): string | undefined {
    const kernel = kernelTierProblem();
    if (kernel) return kernel;
    for (const [bin, pkg] of [["/usr/lib/ipsec/charon", "strongswan-charon"], ["swanctl", "strongswan-swanctl"]]) {
        if (!which(bin)) return `strongSwan tests need \`${bin}\` (Debian package ${pkg})`;
    }
    return undefined;
}

/** Why the engine tier cannot run here, or undefined. */
export function engineTierProblem(): string | undefined {
    const kernel = kernelTierProblem();
    if (kernel) return kernel;
    for (const bin of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
        if (!which(bin)) return `engine tests need \`${bin}\` on PATH: run \`npm run toolchain\` and source toolchain/env.sh`;
    }
    return undefined;
}

/**
 * Options for `describe` of a tier: `{ skip: reason }` outside CI when a prerequisite is missing.
 * In CI it throws instead, so the run fails.
 */
export function tierOptions(problem: string | undefined): { skip?: string } {
    if (!problem) return {};
    if (inCI) throw new Error(`missing prerequisite in CI: ${problem}`);
    return { skip: problem };
}
