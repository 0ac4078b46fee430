/**
 * Route handlers: add, read, change the next hop of, and delete a route in a namespace.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { operationError, stderrMatches } from "./errors";
import { DEVICE_GONE, NETNS_GONE, compact, explained } from "./linkstate";
import {
    LiveRoute, ROUTE_GONE, ROUTE_TABLE_GONE, RouteInputs, RouteOutputs,
    checkRoute, diffRoute, effectiveMetric, findRoute, routeCommands as cmd, routeFromId, routeId,
} from "./route-plan";
import { CommandRunner, runnerFor } from "./runner";

const KIND = "route";

/** Why `ip route add/replace` failed, in the user's terms. */
function explainAdd(err: unknown, r: RouteInputs): unknown {
    if (stderrMatches(err, /File exists/)) {
        return explained(`a route to ${r.destination} with metric ${effectiveMetric(r)} already exists in table ${r.table}, ` +
            "and this resource does not adopt it; delete it, or choose another metric", err);
    }
    if (stderrMatches(err, /invalid gateway|Network is unreachable/)) {
        return explained(`gateway ${r.via} is not on a directly connected network in netns "${r.netns}"; give ` +
            "the interface an address in the gateway's subnet first (an Address resource), or set device", err);
    }
    if (stderrMatches(err, DEVICE_GONE)) {
        return explained(`there is no interface "${r.device}" in netns "${r.netns}"; create or attach it first`, err);
    }
    if (stderrMatches(err, NETNS_GONE)) {
        return explained(`network namespace "${r.netns}" does not exist; create it first (a Namespace resource)`, err);
    }
    return err;
}

/**
 * The live route with this resource's key, or undefined when it, its table or its namespace is
 * gone. Other failures are thrown as they are, for the caller to name its operation.
 */
async function probe(runner: CommandRunner, r: RouteInputs): Promise<LiveRoute | undefined> {
    try {
        const { stdout } = await runner.run(cmd.show(r), { netns: r.netns });
        return findRoute(stdout, effectiveMetric(r)!);
    } catch (err) {
        if (stderrMatches(err, NETNS_GONE) || stderrMatches(err, ROUTE_TABLE_GONE)) return undefined;
        throw err;
    }
}

export const routeProvider: dynamic.ResourceProvider<RouteInputs, RouteOutputs> = {
    async check(_olds, news) {
        return checkRoute(news as unknown as Record<string, unknown>);
    },

    async diff(_id, olds, news) {
        return diffRoute(olds, news);
    },

    async create(inputs) {
        try {
            // One call: it either adds the route or changes nothing.
            await runnerFor(inputs.connection).run(cmd.add(inputs), { netns: inputs.netns });
        } catch (err) {
            throw operationError("create", KIND, inputs.destination, explainAdd(err, inputs), inputs.netns);
        }
        return { id: routeId(inputs), outs: inputs };
    },

    async read(id, props) {
        const known = props?.destination ? props : routeFromId(id);
        if (!known) throw operationError("read", KIND, id, "the id is not of the form NS/TABLE/DESTINATION/METRIC");
        const live = await probe(runnerFor(known.connection), known).catch((err: unknown) => {
            throw operationError("read", KIND, known.destination, err, known.netns);
        });
        if (!live) return { id: "", props: {} as RouteOutputs };
        // via is always reported (no gateway is a different route); device only where the inputs
        // manage it (or there is no gateway to find it from), since the kernel fills it in.
        const current: RouteOutputs = compact({
            ...known,
            via: live.gateway,
            device: known.device === undefined && live.gateway !== undefined ? undefined : live.dev,
        });
        return { id, props: current, inputs: current };
    },

    async update(_id, _olds, news) {
        // Only via/device change in place (diff replaces on any key change): same key, new next hop.
        try {
            await runnerFor(news.connection).run(cmd.replace(news), { netns: news.netns });
        } catch (err) {
            throw operationError("update", KIND, news.destination, explainAdd(err, news), news.netns);
        }
        return { outs: news };
    },

    async delete(_id, props) {
        const runner = runnerFor(props.connection);
        // Look first: an IPv4 delete with metric 0 would take any metric's route to the destination.
        const live = await probe(runner, props).catch((err: unknown) => {
            throw operationError("delete", KIND, props.destination, err, props.netns);
        });
        if (!live) return; // already gone, with its device, table or namespace
        try {
            await runner.run(cmd.delete(props, live), { netns: props.netns });
        } catch (err) {
            if ([ROUTE_GONE, DEVICE_GONE, NETNS_GONE, ROUTE_TABLE_GONE].some((re) => stderrMatches(err, re))) return;
            throw operationError("delete", KIND, props.destination, err, props.netns);
        }
    },
};
