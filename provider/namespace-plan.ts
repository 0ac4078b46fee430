/**
 * Namespace: the pure part. Checked inputs in; diff decisions and argv lists out.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { ConnectionInputs } from "./connection";
import { Failures, booleanProblem, isUnknown, netnsNameProblem } from "./inputs";

/** Inputs after check: defaults filled in. */
export interface NamespaceInputs {
    /** The `ip netns` name. Changing it replaces the namespace. */
    readonly name: string;
    /** Bring the loopback interface up after creating the namespace. */
    readonly loopbackUp: boolean;
    /** The target host; absent = this machine. Validated and diffed for every kind in connection-handlers.ts. */
    readonly connection?: ConnectionInputs;
}

/** What a Namespace stores in state. */
export interface NamespaceOutputs extends NamespaceInputs {
    /** The bind mount that pins the namespace, `/run/netns/NAME`. */
    readonly path: string;
}

export function checkNamespace(news: Record<string, unknown>): dynamic.CheckResult<NamespaceInputs> {
    const failures = new Failures();
    const name = news.name;
    const loopbackUp = news.loopbackUp ?? true;
    if (!isUnknown(name)) {
        const problem = netnsNameProblem(name);
        if (problem) failures.add("name", `Namespace name ${problem}`);
    }
    if (!isUnknown(loopbackUp)) {
        const problem = booleanProblem(loopbackUp);
        if (problem) failures.add("loopbackUp", `loopbackUp ${problem}`);
    }
    return { inputs: { name, loopbackUp } as NamespaceInputs, failures: failures.list };
}

export function diffNamespace(olds: NamespaceOutputs, news: NamespaceInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    // An unknown name may turn out equal, but it cannot be updated in place either way.
    if (isUnknown(news.name) || olds.name !== news.name) replaces.push("name");
    const changed = replaces.length > 0 || olds.loopbackUp !== news.loopbackUp;
    return {
        changes: changed,
        replaces,
        // Kernel names are unique: the old namespace must go before one of the same name can exist.
        deleteBeforeReplace: replaces.length > 0,
    };
}

export function namespaceOutputs(inputs: NamespaceInputs): NamespaceOutputs {
    return { name: inputs.name, loopbackUp: inputs.loopbackUp, path: `/run/netns/${inputs.name}` };
}

export const namespaceCommands = {
    add: (name: string) => ["ip", "netns", "add", name],
    delete: (name: string) => ["ip", "netns", "delete", name],
    /** Loopback state; fails with "Cannot open network namespace" when the namespace is gone. */
    showLoopback: () => ["ip", "-json", "link", "show", "dev", "lo"],
    setLoopback: (up: boolean) => ["ip", "link", "set", "dev", "lo", up ? "up" : "down"],
} as const;

/** Reads `up` from `ip -json link show dev lo` output (IFF_UP, not the operstate). */
export function loopbackIsUp(json: string): boolean {
    const links = JSON.parse(json) as Array<{ flags?: string[] }>;
    return links[0]?.flags?.includes("UP") ?? false;
}
