/**
 * Route: the pure part. Checked inputs in; diff decisions and argv lists out.
 *
 * The kernel keys a route by (table, destination, metric) (and TOS, which we never set). That key
 * is this resource's identity; the next hop (`via`, `device`) changes in place with
 * `ip route replace`, which swaps the next hop of the route with the same key.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { Failures, ifnameProblem, isUnknown, netnsNameProblem } from "./inputs";
import { compact } from "./linkstate";
import {
    Family, formatCidr, formatIp, hostBitsZero, isIPv6LinkLocal, isMulticast, isUnspecified, networkOf, parseCidr, parseIp,
} from "./net";
import type { ConnectionInputs } from "./runner";

/** Inputs after check: destination and via normalized, table filled in. */
export interface RouteInputs {
    /**
     * A network with zero host bits (198.51.100.0/24, 2001:db8:1::/48), "default" for the IPv4
     * default route or "::/0" for the IPv6 one. Identity.
     */
    readonly destination: string;
    /** Gateway address, same family as the destination. Changes in place. */
    readonly via?: string;
    /** Outgoing interface. Changes in place. */
    readonly device?: string;
    /** Routing table number; default 254 (main). Identity. */
    readonly table: number;
    /** Route metric (priority); absent is the kernel's default, 0 for IPv4 and 1024 for IPv6. Identity. */
    readonly metric?: number;
    /** The namespace whose routing table this is. Identity. */
    readonly netns: string;
    readonly connection?: ConnectionInputs;
}

/** What a Route stores in state (schema 1: the inputs). */
export type RouteOutputs = RouteInputs;

export const MAIN_TABLE = 254;
const UINT32_MAX = 4294967295;

function uint32Problem(value: unknown, min: number): string | undefined {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > UINT32_MAX) {
        return `must be an integer from ${min} to ${UINT32_MAX}, got ${JSON.stringify(value)}`;
    }
    return undefined;
}

/** The family of a checked route, or undefined while it is not known (preview). */
export function routeFamily(r: Pick<RouteInputs, "destination" | "via">): Family | undefined {
    if (isUnknown(r.destination)) return undefined;
    // check turns an IPv6 "default" into ::/0, so "default" is IPv4 once `via` is known.
    if (r.destination === "default") return isUnknown(r.via) ? undefined : 4;
    const parsed = parseCidr(r.destination);
    return parsed.ok ? parsed.value.family : undefined;
}

/** The metric the kernel keys the route by, or undefined while the family is unknown. */
export function effectiveMetric(r: Pick<RouteInputs, "destination" | "via" | "metric">): number | undefined {
    if (r.metric !== undefined) return r.metric;
    const family = routeFamily(r);
    return family === undefined ? undefined : family === 4 ? 0 : 1024;
}

export function checkRoute(news: Record<string, unknown>): dynamic.CheckResult<RouteInputs> {
    const failures = new Failures();
    let destination = news.destination;
    let via = news.via ?? undefined;
    const device = news.device ?? undefined;
    const table = news.table ?? MAIN_TABLE;
    const metric = news.metric ?? undefined;
    const netns = news.netns;

    // Destination first: it decides the family that `via` must match.
    let family: Family | undefined;
    if (!isUnknown(destination)) {
        if (destination === "default") {
            family = undefined; // from `via`, else IPv4
        } else if (typeof destination !== "string") {
            failures.add("destination", `Route destination must be a string like "198.51.100.0/24" or "default", got ${JSON.stringify(destination)}`);
        } else {
            const parsed = parseCidr(destination);
            if (!parsed.ok) {
                failures.add("destination", `Route destination "${destination}" is not a valid IPv4 or IPv6 CIDR ` +
                    `(${parsed.problem}); write a network like 198.51.100.0/24 or 2001:db8:1::/48, or "default"`);
            } else if (!hostBitsZero(parsed.value)) {
                const single = formatIp(parsed.value) + (parsed.value.family === 4 ? "/32" : "/128");
                failures.add("destination", `Route destination "${destination}" has host bits set; a route goes to a ` +
                    `network: write ${formatCidr(networkOf(parsed.value))} (or ${single} for that one host)`);
            } else {
                family = parsed.value.family;
                destination = parsed.value.prefix === 0 && family === 4 ? "default" : formatCidr(parsed.value);
            }
        }
    }

    if (via !== undefined && !isUnknown(via)) {
        const parsed = typeof via === "string" ? parseIp(via) : undefined;
        if (!parsed || !parsed.ok) {
            failures.add("via", `Route via ${JSON.stringify(via)} is not an IP address` +
                `${parsed && !parsed.ok ? ` (${parsed.problem})` : ""}; write the gateway like 192.0.2.1 or 2001:db8::1`);
        } else if (isUnspecified(parsed.value) || isMulticast(parsed.value)) {
            failures.add("via", `Route via "${via}" cannot be a gateway (unspecified or multicast); write a neighbour's unicast address`);
        } else if (family !== undefined && parsed.value.family !== family) {
            failures.add("via", `Route via "${via}" is IPv${parsed.value.family} but destination "${String(news.destination)}" ` +
                `is IPv${family}; use a gateway of the destination's family`);
        } else {
            via = formatIp(parsed.value);
            if (destination === "default" && parsed.value.family === 6) destination = "::/0";
            if (isIPv6LinkLocal(parsed.value) && device === undefined) {
                failures.add("device", `Route via "${via}" is link-local, which only means something on one link; ` +
                    "set device to the interface it is reached through");
            }
        }
    }
    if (device !== undefined && !isUnknown(device)) {
        const problem = ifnameProblem(device);
        if (problem) failures.add("device", `Route device ${problem}`);
    }
    if (via === undefined && device === undefined) {
        failures.add("via", "Route needs via (a gateway address), device (an interface name), or both");
    }
    if (!isUnknown(table)) {
        const problem = uint32Problem(table, 1);
        if (problem) failures.add("table", `Route table ${problem} (254 is main, the default)`);
    }
    if (metric !== undefined && !isUnknown(metric)) {
        const problem = uint32Problem(metric, 0);
        if (problem) failures.add("metric", `Route metric ${problem}`);
    }
    if (!isUnknown(netns)) {
        const problem = netnsNameProblem(netns);
        if (problem) failures.add("netns", `Route netns ${problem}`);
    }
    const inputs = compact({ destination, via, device, table, metric, netns, connection: news.connection ?? undefined });
    return { inputs: inputs as RouteInputs, failures: failures.list };
}

/**
 * Metric is identity, not an in-place update: `ip route replace` with another metric does not
 * change the route, it adds a second one beside it (the metric is part of the kernel's key).
 * So a metric change replaces the resource: the new route is added, then the old one deleted by
 * its exact key, and traffic never lacks a route. Keys differ, so no deleteBeforeReplace.
 */
export function diffRoute(olds: RouteOutputs, news: RouteInputs): dynamic.DiffResult {
    const replaces: string[] = [];
    const differs = (key: keyof RouteInputs) => isUnknown(news[key]) || news[key] !== olds[key];
    if (differs("destination")) replaces.push("destination");
    if (differs("table")) replaces.push("table");
    if (differs("netns")) replaces.push("netns");
    const newMetric = effectiveMetric(news);
    // While the family is unknown (preview), an absent metric equals an absent one.
    const metricChanged = isUnknown(news.metric) ||
        (newMetric === undefined ? olds.metric !== undefined : newMetric !== effectiveMetric(olds));
    if (metricChanged) replaces.push("metric");
    // (`connection` is diffed for every kind in connection-handlers.ts.)
    const inPlace = differs("via") || differs("device");
    return { changes: replaces.length > 0 || inPlace, replaces, deleteBeforeReplace: false };
}

export function routeId(r: RouteInputs): string {
    return `${r.netns}/${r.table}/${r.destination}/${effectiveMetric(r) ?? ""}`;
}

/** The route named by an id from {@link routeId} (for import): its key, without a next hop yet. */
export function routeFromId(id: string): RouteInputs | undefined {
    const bits = id.split("/");
    // NS / TABLE / DEST / METRIC, where DEST is "default" or ADDRESS/PREFIX.
    if (bits.length !== 4 && bits.length !== 5) return undefined;
    const [netns, table, ...rest] = bits;
    const metric = rest.pop()!;
    const destination = rest.join("/");
    if (!netns || !/^[1-9][0-9]*$/.test(table) || !/^(0|[1-9][0-9]*)$/.test(metric)) return undefined;
    if (destination !== "default" && !parseCidr(destination).ok) return undefined;
    return { netns, table: Number(table), destination, metric: Number(metric) };
}

/** One entry of `ip -json route show`. */
export interface LiveRoute {
    readonly dst: string;
    readonly gateway?: string;
    readonly dev?: string;
    readonly metric?: number;
    readonly type?: string;
}

/** The unicast route with `metric` among `ip -json route show … exact DEST` entries (IPv4 omits metric 0). */
export function findRoute(json: string, metric: number): LiveRoute | undefined {
    const routes = (json.trim() ? JSON.parse(json) : []) as LiveRoute[];
    return routes.find((r) => (r.type === undefined || r.type === "unicast") && (r.metric ?? 0) === metric);
}

/** Key arguments: destination, table, metric. */
function key(r: RouteInputs): string[] {
    return [r.destination, "table", String(r.table), "metric", String(effectiveMetric(r))];
}

function nexthop(via: string | undefined, device: string | undefined): string[] {
    return [...(via === undefined ? [] : ["via", via]), ...(device === undefined ? [] : ["dev", device])];
}

const familyFlag = (r: RouteInputs) => (routeFamily(r) === 6 ? "-6" : "-4");

export const routeCommands = {
    /** Run with `netns`. */
    add: (r: RouteInputs) => ["ip", familyFlag(r), "route", "add", ...key(r), ...nexthop(r.via, r.device)],
    /** Same key, new next hop. Run with `netns`. */
    replace: (r: RouteInputs) => ["ip", familyFlag(r), "route", "replace", ...key(r), ...nexthop(r.via, r.device)],
    /** Every route to exactly this destination in the table. Run with `netns`. */
    show: (r: RouteInputs) => ["ip", "-json", familyFlag(r), "route", "show", "table", String(r.table), "exact", r.destination],
    /**
     * With the live next hop found by {@link findRoute}: for IPv4 "metric 0" means "any metric" to
     * the kernel, so only the full match makes sure the route deleted is this one.
     */
    delete: (r: RouteInputs, live: LiveRoute) =>
        ["ip", familyFlag(r), "route", "delete", ...key(r), ...nexthop(live.gateway, live.dev)],
} as const;

/** Stderr when a table has no routes at all (`show`/`delete` in an unused table). */
export const ROUTE_TABLE_GONE = /FIB table does not exist/;
/** Stderr of `ip route delete` when no route matches (ESRCH). */
export const ROUTE_GONE = /No such process/;
