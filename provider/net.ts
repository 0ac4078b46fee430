/**
 * IP addresses and CIDRs, pure: strict parsing, and formatting the way `ip -json` prints them
 * (glibc inet_ntop: RFC 5952 compression, lower case, dotted IPv4 tail for mapped addresses), so
 * normalized inputs compare equal to what read finds on the host.
 */

export type Family = 4 | 6;

/** An address: 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
export interface IpAddress {
    readonly family: Family;
    readonly bytes: readonly number[];
}

/** An address with a prefix length; host bits are kept as written. */
export interface Cidr extends IpAddress {
    readonly prefix: number;
}

/** A parse result: the value, or why the text is not one (for a failure message). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

export function bitsOf(family: Family): number {
    return family === 4 ? 32 : 128;
}

/** Parses dotted-quad IPv4. Leading zeros are refused: inet_aton reads "010" as octal 8. */
export function parseIPv4(text: string): Parsed<IpAddress> {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return fail(`"${text}" has ${parts.length} dot-separated part${parts.length === 1 ? "" : "s"}; IPv4 has 4`);
    }
    const bytes: number[] = [];
    for (const part of parts) {
        if (!/^[0-9]+$/.test(part)) return fail(`"${part}" is not a decimal number from 0 to 255`);
        if (part.length > 1 && part.startsWith("0")) {
            return fail(`"${part}" has a leading zero, which some tools read as octal; write ${Number(part)}`);
        }
        const n = Number(part);
        if (n > 255) return fail(`${part} is more than 255`);
        bytes.push(n);
    }
    return { ok: true, value: { family: 4, bytes } };
}

/** Parses IPv6 text (RFC 4291 §2.2), including "::" and a dotted IPv4 tail; no zone index. */
export function parseIPv6(text: string): Parsed<IpAddress> {
    if (text.includes("%")) return fail("zone indexes like %eth0 are not allowed here; name the interface separately");
    if (!/^[0-9A-Fa-f:.]+$/.test(text)) return fail("may only contain hex digits, ':' and '.'");
    const gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) return fail("uses \"::\" more than once");
    const split = (s: string) => (s === "" ? [] : s.split(":"));
    const head = gap >= 0 ? split(text.slice(0, gap)) : text.split(":");
    const tail = gap >= 0 ? split(text.slice(gap + 2)) : [];
    const words = (groups: string[], last: boolean): number[] | string => {
        const out: number[] = [];
        for (let i = 0; i < groups.length; i++) {
            const g = groups[i];
            if (g.includes(".")) {
                // A dotted IPv4 tail is only allowed as the very last two words.
                if (!last || i !== groups.length - 1) return `"${g}": a dotted IPv4 part may only come last`;
                const v4 = parseIPv4(g);
                if (!v4.ok) return `its IPv4 tail ${v4.problem}`;
                const b = v4.value.bytes;
                out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
            } else if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) {
                return g === "" ? "has an empty group (a lone ':' at the start or end, or ':::')" : `group "${g}" is not 1 to 4 hex digits`;
            } else {
                out.push(parseInt(g, 16));
            }
        }
        return out;
    };
    const h = words(head, gap < 0);
    if (typeof h === "string") return fail(h);
    const t = words(tail, true);
    if (typeof t === "string") return fail(t);
    const count = h.length + t.length;
    if (gap < 0 && count !== 8) return fail(`has ${count} groups; IPv6 has 8 (or fewer with "::")`);
    if (gap >= 0 && count > 7) return fail(`has ${count} groups besides "::"; at most 7 fit`);
    const all = [...h, ...Array<number>(8 - count).fill(0), ...t];
    const bytes = all.flatMap((w) => [w >> 8, w & 0xff]);
    return { ok: true, value: { family: 6, bytes } };
}

/** Parses an IPv4 or IPv6 address (no prefix). */
export function parseIp(text: string): Parsed<IpAddress> {
    if (/\s/.test(text)) return fail("contains whitespace; remove it");
    if (text.includes("/")) return fail("has a prefix length; write the address alone");
    return text.includes(":") ? parseIPv6(text) : parseIPv4(text);
}

/** Parses `ADDRESS/PREFIX`. The prefix length is required and decimal without leading zeros. */
export function parseCidr(text: string): Parsed<Cidr> {
    if (/\s/.test(text)) return fail("contains whitespace; remove it");
    const slash = text.indexOf("/");
    if (slash < 0) return fail("has no prefix length (like /24 or /64)");
    const addrText = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const addr = addrText.includes(":") ? parseIPv6(addrText) : parseIPv4(addrText);
    if (!addr.ok) return addr;
    if (!/^(0|[1-9][0-9]*)$/.test(prefixText)) {
        return fail(`prefix length "${prefixText}" is not a decimal number without leading zeros`);
    }
    const prefix = Number(prefixText);
    const max = bitsOf(addr.value.family);
    if (prefix > max) return fail(`prefix length ${prefix} is more than ${max}`);
    return { ok: true, value: { ...addr.value, prefix } };
}

/** Formats an address as iproute2 prints it. */
export function formatIp(addr: IpAddress): string {
    if (addr.family === 4) return addr.bytes.join(".");
    const w = Array.from({ length: 8 }, (_, i) => (addr.bytes[2 * i] << 8) | addr.bytes[2 * i + 1]);
    // The longest run of zero words (at least 2; the first of equals) becomes "::".
    let best = { base: -1, len: 0 };
    for (let i = 0; i < 8;) {
        if (w[i] !== 0) { i++; continue; }
        let j = i;
        while (j < 8 && w[j] === 0) j++;
        if (j - i > best.len) best = { base: i, len: j - i };
        i = j;
    }
    if (best.len < 2) best = { base: -1, len: 0 };
    let out = "";
    for (let i = 0; i < 8; i++) {
        if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
            if (i === best.base) out += ":";
            continue;
        }
        if (i !== 0) out += ":";
        // glibc's rule for a dotted tail: IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d).
        if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && w[5] === 0xffff))) {
            return out + addr.bytes.slice(12).join(".");
        }
        out += w[i].toString(16);
    }
    if (best.base >= 0 && best.base + best.len === 8) out += ":";
    return out;
}

export function formatCidr(cidr: Cidr): string {
    return `${formatIp(cidr)}/${cidr.prefix}`;
}

/** The bits of the address below the prefix, as a mask test per byte. */
function hostBits(cidr: Cidr, test: (bits: number, mask: number) => boolean): boolean {
    return cidr.bytes.every((b, i) => {
        const netBits = Math.max(0, Math.min(8, cidr.prefix - 8 * i));
        const mask = 0xff >> netBits; // host part of this byte
        return test(b & mask, mask);
    });
}

/** True if every host bit is 0 (the network address). */
export function hostBitsZero(cidr: Cidr): boolean {
    return hostBits(cidr, (bits) => bits === 0);
}

/** True if every host bit is 1 (the IPv4 broadcast address). */
export function hostBitsOnes(cidr: Cidr): boolean {
    return hostBits(cidr, (bits, mask) => bits === mask);
}

/** The network of `cidr`: host bits cleared. */
export function networkOf(cidr: Cidr): Cidr {
    const bytes = cidr.bytes.map((b, i) => {
        const netBits = Math.max(0, Math.min(8, cidr.prefix - 8 * i));
        return b & (0xff << (8 - netBits)) & 0xff;
    });
    return { family: cidr.family, bytes, prefix: cidr.prefix };
}

export function sameAddress(a: IpAddress, b: IpAddress): boolean {
    return a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
}

export function isUnspecified(addr: IpAddress): boolean {
    return addr.bytes.every((b) => b === 0);
}

export function isMulticast(addr: IpAddress): boolean {
    return addr.family === 4 ? addr.bytes[0] >= 224 && addr.bytes[0] <= 239 : addr.bytes[0] === 0xff;
}

/** ::ffff:a.b.c.d, the IPv6 way of writing an IPv4 address; never configured on an interface. */
export function isIPv4Mapped(addr: IpAddress): boolean {
    return addr.family === 6 && addr.bytes.slice(0, 10).every((b) => b === 0) && addr.bytes[10] === 0xff && addr.bytes[11] === 0xff;
}

/** fe80::/10: needs an interface to mean anything. */
export function isIPv6LinkLocal(addr: IpAddress): boolean {
    return addr.family === 6 && addr.bytes[0] === 0xfe && (addr.bytes[1] & 0xc0) === 0x80;
}
