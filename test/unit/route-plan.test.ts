import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../provider/inputs";
import {
    RouteInputs, checkRoute, diffRoute, effectiveMetric, findRoute, routeCommands as cmd, routeFamily, routeFromId, routeId,
} from "../../provider/route-plan";

const route: RouteInputs = { destination: "198.51.100.0/24", via: "192.0.2.2", table: 254, netns: "left" };

describe("checkRoute", () => {
    const ok = (news: Record<string, unknown>) => {
        const { inputs, failures } = checkRoute({ netns: "left", ...news });
        assert.deepEqual(failures, []);
        return inputs!;
    };
    it("fills table = 254 (main) and leaves metric to the kernel", () => {
        assert.deepEqual(ok({ destination: "198.51.100.0/24", via: "192.0.2.2" }), route);
    });
    it("normalizes destinations and gateways", () => {
        assert.equal(ok({ destination: "0.0.0.0/0", device: "eth0" }).destination, "default");
        assert.equal(ok({ destination: "default", via: "2001:DB8::1" }).destination, "::/0");
        assert.equal(ok({ destination: "default", via: "2001:DB8::1" }).via, "2001:db8::1");
        assert.equal(ok({ destination: "2001:DB8:1::/48", via: "2001:db8::1" }).destination, "2001:db8:1::/48");
        assert.equal(ok({ destination: "default", device: "eth0" }).destination, "default");
    });
    it("refuses host bits in a destination and suggests the network", () => {
        const { failures } = checkRoute({ destination: "192.0.2.1/24", via: "198.51.100.1", netns: "n" });
        assert.equal(failures![0].property, "destination");
        assert.match(failures![0].reason, /^Route destination "192.0.2.1\/24" has host bits set; .*write 192.0.2.0\/24 \(or 192.0.2.1\/32 for that one host\)/);
    });
    const bad: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ destination: "192.0.2.0/33", via: "198.51.100.1" }, "destination", /33 is more than 32.*or "default"/],
        [{ destination: "198.51.100.0/24" }, "via", /needs via .* device .* or both/],
        [{ destination: "198.51.100.0/24", via: "192.0.2.256" }, "via", /not an IP address \(256 is more than 255\)/],
        [{ destination: "198.51.100.0/24", via: "192.0.2.1/24" }, "via", /has a prefix length/],
        [{ destination: "198.51.100.0/24", via: "2001:db8::1" }, "via", /is IPv6 but destination "198.51.100.0\/24" is IPv4/],
        [{ destination: "198.51.100.0/24", via: "224.0.0.1" }, "via", /cannot be a gateway/],
        [{ destination: "default", via: "fe80::1" }, "device", /link-local.*set device/],
        [{ destination: "default", device: "eth0", table: 0 }, "table", /from 1 to 4294967295, got 0 \(254 is main/],
        [{ destination: "default", device: "eth0", table: "main" }, "table", /integer/],
        [{ destination: "default", device: "eth0", metric: -1 }, "metric", /from 0 to 4294967295/],
        [{ destination: "default", device: "eth 0" }, "device", /whitespace/],
        [{ destination: "default", device: "eth0", netns: "" }, "netns", /non-empty/],
    ];
    for (const [news, property, reason] of bad) {
        it(`rejects ${JSON.stringify(news)} on ${property}`, () => {
            const { failures } = checkRoute({ netns: "n", ...news });
            assert.equal(failures?.[0]?.property, property, JSON.stringify(failures));
            assert.match(failures![0].reason, reason);
        });
    }
    it("accepts unknown values during preview", () => {
        const { failures, inputs } = checkRoute({ destination: "default", via: UNKNOWN, device: UNKNOWN, table: UNKNOWN, metric: UNKNOWN, netns: UNKNOWN });
        assert.deepEqual(failures, []);
        assert.equal(inputs!.destination, "default", "the family is decided once via is known");
    });
});

describe("routeFamily / effectiveMetric", () => {
    it("takes the kernel's default metric per family", () => {
        assert.equal(effectiveMetric(route), 0);
        assert.equal(effectiveMetric({ ...route, destination: "::/0", via: "2001:db8::1" }), 1024);
        assert.equal(effectiveMetric({ ...route, metric: 7 }), 7);
        assert.equal(routeFamily({ destination: "default", via: UNKNOWN }), undefined);
        assert.equal(effectiveMetric({ destination: "default", via: UNKNOWN }), undefined);
    });
});

describe("diffRoute", () => {
    it("reports no change for equal inputs, also with the default metric written out", () => {
        assert.deepEqual(diffRoute(route, route), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.equal(diffRoute(route, { ...route, metric: 0 }).changes, false);
    });
    it("changes the next hop in place", () => {
        assert.deepEqual(diffRoute(route, { ...route, via: "192.0.2.3" }), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(diffRoute(route, { ...route, device: "to-r" }), { changes: true, replaces: [], deleteBeforeReplace: false });
    });
    it("replaces on a new metric (another kernel key), adding the new route first", () => {
        assert.deepEqual(diffRoute(route, { ...route, metric: 100 }), { changes: true, replaces: ["metric"], deleteBeforeReplace: false });
    });
    it("replaces on destination, table or namespace", () => {
        assert.deepEqual(diffRoute(route, { ...route, destination: "203.0.113.0/24", table: 100, netns: "x" }).replaces,
            ["destination", "table", "netns"]);
    });
    it("copes with unknowns in preview", () => {
        const def: RouteInputs = { destination: "default", via: "192.0.2.2", table: 254, netns: "left" };
        assert.deepEqual(diffRoute(def, { ...def, via: UNKNOWN }), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(diffRoute({ ...def, metric: 5 }, { ...def, via: UNKNOWN }).replaces, ["metric"]);
        assert.deepEqual(diffRoute(def, { ...def, metric: UNKNOWN as unknown as number }).replaces, ["metric"]);
        assert.deepEqual(diffRoute(def, { ...def, destination: UNKNOWN }).replaces, ["destination"]);
    });
});

describe("route argv and parsing", () => {
    it("always names the family, key and next hop", () => {
        assert.deepEqual(cmd.add(route),
            ["ip", "-4", "route", "add", "198.51.100.0/24", "table", "254", "metric", "0", "via", "192.0.2.2"]);
        const v6: RouteInputs = { destination: "::/0", device: "to-r", table: 100, metric: 5, netns: "left" };
        assert.deepEqual(cmd.replace(v6), ["ip", "-6", "route", "replace", "::/0", "table", "100", "metric", "5", "dev", "to-r"]);
        assert.deepEqual(cmd.show(v6), ["ip", "-json", "-6", "route", "show", "table", "100", "exact", "::/0"]);
    });
    it("deletes with the live next hop, since IPv4 metric 0 matches any metric", () => {
        assert.deepEqual(cmd.delete(route, { dst: "198.51.100.0/24", gateway: "192.0.2.2", dev: "to-r" }),
            ["ip", "-4", "route", "delete", "198.51.100.0/24", "table", "254", "metric", "0", "via", "192.0.2.2", "dev", "to-r"]);
    });
    it("finds the route with this metric (IPv4 omits metric 0)", () => {
        const json = JSON.stringify([
            { dst: "198.51.100.0/24", gateway: "192.0.2.2", dev: "a", flags: [] },
            { dst: "198.51.100.0/24", gateway: "192.0.2.3", dev: "a", metric: 100, flags: [] },
            { type: "unreachable", dst: "198.51.100.0/24", metric: 5, flags: [] },
        ]);
        assert.equal(findRoute(json, 0)?.gateway, "192.0.2.2");
        assert.equal(findRoute(json, 100)?.gateway, "192.0.2.3");
        assert.equal(findRoute(json, 5), undefined, "not a unicast route");
        assert.equal(findRoute("", 0), undefined);
    });
    it("names routes by their kernel key, and reads such ids back", () => {
        assert.equal(routeId(route), "left/254/198.51.100.0/24/0");
        assert.deepEqual(routeFromId("left/254/198.51.100.0/24/0"), { netns: "left", table: 254, destination: "198.51.100.0/24", metric: 0 });
        assert.deepEqual(routeFromId("left/100/default/5"), { netns: "left", table: 100, destination: "default", metric: 5 });
        assert.deepEqual(routeFromId("left/254/::/0/1024"), { netns: "left", table: 254, destination: "::/0", metric: 1024 });
        assert.equal(routeFromId("left/main/default/0"), undefined);
        assert.equal(routeFromId("left/254/default"), undefined);
    });
});
