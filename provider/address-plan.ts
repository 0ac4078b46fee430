/**
 * Address: the pure part. Checked inputs in; diff decisions and argv lists out.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { Failures, ifnameProblem, isUnknown, netnsNameProblem } from "./inputs";
import { compact } from "./linkstate";
import {
    Cidr, IpAddress, formatCidr, formatIp, hostBitsOnes, hostBitsZero, isIPv4Mapped, isMulticast, isUnspecified,
    networkOf, parseCidr, parseIp, sameAddress,
} from "./net";
import type { ConnectionInputs } from "./runner";

/** Inputs after check: the CIDR normalized as `ip` prints it. */
export interface AddressInputs {
    /** `ADDRESS/PREFIX` with the host bits, e.g. 192.0.2.1/24. Identity: changing it replaces. */
    readonly cidr: string;
    /** The interface that carries it. Identity. */
    readonly interface: string;
    /** The namespace of the interface. Identity. */
    readonly netns: string;
    readonly connection?: ConnectionInputs;
}

/** What an Address stores in state. */
export interface AddressOutputs extends AddressInputs {
    /** The address alone, e.g. 192.0.2.1 (a gateway for routes elsewhere). */
    readonly address: string;
    /** The prefix length, e.g. 24. */
    readonly prefixLength: number;
}

const EXAMPLE = "write it like 192.0.2.1/24 or 2001:db8::1/64";

/** Why `cidr` cannot be an interface address, or undefined. */
function interfaceAddressProblem(text: string, cidr: Cidr): string | undefined {
    const bits = cidr.family === 4 ? 32 : 128;
    const host = (last: number) => {
        const bytes = [...cidr.bytes];
        bytes[bytes.length - 1] = last;
        return formatCidr({ ...cidr, bytes });
    };
    const net = formatCidr(networkOf(cidr));
    if (isUnspecified(cidr)) return `Address cidr "${text}" is the unspecified address; ${EXAMPLE}`;
    if (isMulticast(cidr)) {
        return `Address cidr "${text}" is a multicast address, which interfaces join rather than own; ${EXAMPLE}`;
    }
    if (isIPv4Mapped(cidr)) {
        const v4: IpAddress = { family: 4, bytes: cidr.bytes.slice(12) };
        return `Address cidr "${text}" is an IPv4-mapped IPv6 address; write the IPv4 address itself, like ` +
            `${formatIp(v4)}/${Math.max(0, cidr.prefix - 96)}`;
    }
    // /31 and /32 (/127 and /128) have no network or broadcast address (RFC 3021, RFC 6164).
    if (cidr.prefix < bits - 1 && hostBitsZero(cidr)) {
        return `Address cidr "${text}" is the network address of ${net}, not an address of a host on it; ` +
            `an interface address keeps its host bits, like ${host(cidr.bytes[cidr.bytes.length - 1] | 1)}`;
    }
    if (cidr.family === 4 && cidr.prefix < bits - 1 && hostBitsOnes(cidr)) {
        return `Address cidr "${text}" is the broadcast address of ${net}; use a host address in it, like ` +
            `${host(cidr.bytes[3] - 1)}`;
    }
    return undefined;
}

export function checkAddress(news: Record<string, unknown>): dynamic.CheckResult<AddressInputs> {
    const failures = new Failures();
    let cidr = news.cidr;
    const iface = news.interface;
    const netns = news.netns;
    if (!isUnknown(cidr)) {
        if (typeof cidr !== "string") {
            failures.add("cidr", `Address cidr must be a string, got ${JSON.stringify(cidr)}; ${EXAMPLE}`);
        } else {
            const parsed = parseCidr(cidr);
            if (!parsed.ok) {
                failures.add("cidr", `Address cidr "${cidr}" is not a valid IPv4 or IPv6 CIDR (${parsed.problem}); ${EXAMPLE}`);
            } else {
                const problem = interfaceAddressProblem(cidr, parsed.value);
                if (problem) failures.add("cidr", problem);
                else cidr = formatCidr(parsed.value);
            }
        }
    }
    if (!isUnknown(iface)) {
        const problem = ifnameProblem(iface);
        if (problem) failures.add("interface", `Address interface ${problem}`);
    }
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `Address netns ${problem}`);
    }
    const inputs = compact({ cidr, interface: iface, netns, connection: news.connection ?? undefined });
    return { inputs: inputs as AddressInputs, failures: failures.list };
}

/** A checked, known cidr. */
function cidrOf(text: string): Cidr {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`not a checked CIDR: ${text}`);
    return parsed.value;
}

export function diffAddress(olds: AddressOutputs, news: AddressInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    const same = (key: "cidr" | "interface" | "netns") => !isUnknown(news[key]) && news[key] === olds[key];
    for (const key of ["cidr", "interface", "netns"] as const) if (!same(key)) replaces.push(key);
    // (`connection` is diffed for every kind in connection-handlers.ts.)
    // Only the cidr changes on the same link (or might): the old one must go first when the
    // address is the same (IPv6 refuses it twice whatever the prefix). Otherwise the new one is
    // added first, so routes through the subnet survive: create sets promote_secondaries, so
    // deleting the old IPv4 primary promotes the new address instead of deleting it too.
    const sameLink = (same("interface") || isUnknown(news.interface)) && (same("netns") || isUnknown(news.netns));
    let conflict = isUnknown(news.cidr);
    if (!conflict && !same("cidr")) {
        conflict = sameAddress(cidrOf(olds.cidr), cidrOf(news.cidr));
    }
    return {
        changes: replaces.length > 0,
        replaces,
        deleteBeforeReplace: replaces.length > 0 && sameLink && conflict,
    };
}

/** 4 or 6, for a checked cidr. */
export function cidrFamily(text: string): 4 | 6 {
    return cidrOf(text).family;
}

export function addressOutputs(inputs: AddressInputs): AddressOutputs {
    const cidr = cidrOf(inputs.cidr);
    return { ...inputs, address: formatIp(cidr), prefixLength: cidr.prefix };
}

export function addressId(inputs: AddressInputs): string {
    return `${inputs.netns}/${inputs.interface}/${inputs.cidr}`;
}

/** The address named by an id from {@link addressId} (for import). */
export function addressFromId(id: string): AddressInputs | undefined {
    const bits = id.split("/");
    // NS / IFACE / ADDRESS / PREFIX: neither name may contain '/'.
    if (bits.length !== 4 || bits.some((b) => b === "")) return undefined;
    return { netns: bits[0], interface: bits[1], cidr: `${bits[2]}/${bits[3]}` };
}

export const addressCommands = {
    /** Run with `netns`. */
    add: (inputs: AddressInputs) => ["ip", "address", "add", inputs.cidr, "dev", inputs.interface],
    /** Run with `netns`. */
    delete: (inputs: AddressInputs) => ["ip", "address", "delete", inputs.cidr, "dev", inputs.interface],
    /** Run with `netns`. */
    show: (inputs: AddressInputs) => ["ip", "-json", "address", "show", "dev", inputs.interface],
} as const;

/** Stderr of `ip address delete` when the address is not there (older kernels: EADDRNOTAVAIL). */
export const ADDRESS_GONE = /[Aa]ddress not found|Cannot assign requested address/;
/** Stderr of `ip address add` when it is there already. */
export const ADDRESS_TAKEN = /already assigned|File exists/;

/** Whether `ip -json address show dev IF` output lists `cidr` (same address and prefix). */
export function addressPresent(json: string, cidrText: string): boolean {
    const want = cidrOf(cidrText);
    const links = JSON.parse(json) as Array<{ addr_info?: Array<{ local?: string; prefixlen?: number }> }>;
    return (links[0]?.addr_info ?? []).some((info) => {
        if (info.local === undefined || info.prefixlen !== want.prefix) return false;
        const live = parseIp(info.local);
        return live.ok && sameAddress(live.value, want);
    });
}
