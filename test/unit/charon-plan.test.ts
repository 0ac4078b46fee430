import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    DISTRO_CHARON, VICI_DOWN_EXIT_CODES, charonCommands, charonLiveness, charonPaths, isCharonExe,
    parseListConns, parseListSas, parsePidFile, parseViciPretty, startScript,
} from "../../provider/charon-plan";

// Output captured from Debian's strongSwan 5.9.8 (two namespaces, libipsec, PSK; identities chosen
// to be hostile to parsers: quotes, braces, '#', commas, a backslash).
const LIST_SAS_ESTABLISHED = `list-sa event {
  gw {
    uniqueid = 1
    version = 2
    state = ESTABLISHED
    local-host = 203.0.113.1
    local-port = 4500
    local-id = gw "A" {one} #1
    remote-host = 203.0.113.2
    remote-port = 4500
    remote-id = CN=gw b, O=Example\\ Org
    initiator = yes
    initiator-spi = bc28a4f7afc4d2df
    responder-spi = 07f08a2e3f475524
    nat-remote = yes
    nat-any = yes
    encr-alg = AES_CBC
    encr-keysize = 256
    integ-alg = HMAC_SHA2_256_128
    prf-alg = PRF_HMAC_SHA2_256
    dh-group = MODP_2048
    established = 0
    rekey-time = 13097
    child-sas {
      net-1 {
        name = net
        uniqueid = 1
        reqid = 1
        state = INSTALLED
        mode = TUNNEL
        protocol = ESP
        encap = yes
        spi-in = fc1554e0
        spi-out = 44b5a144
        encr-alg = AES_GCM_16
        encr-keysize = 256
        bytes-in = 168
        packets-in = 2
        use-in = 0
        bytes-out = 168
        packets-out = 2
        use-out = 0
        rekey-time = 3394
        life-time = 3960
        install-time = 0
        local-ts = [
          192.0.2.0/24
        ]
        remote-ts = [
          198.51.100.0/24
        ]
      }
    }
  }
}
list-sas reply {
}
`;
const LIST_CONNS = `list-conn event {
  gw {
    local_addrs = [
      203.0.113.1
    ]
    remote_addrs = [
      203.0.113.2
    ]
    version = IKEv2
    reauth_time = 0
    rekey_time = 14400
    unique = UNIQUE_NO
    dpd_delay = 5
    local-1 {
      id = gw "A" {one} #1
      class = pre-shared key
      groups = [
      ]
      cert_policy = [
      ]
      certs = [
      ]
      cacerts = [
      ]
    }
    remote-1 {
      id = CN=gw b, O=Example\\ Org
      class = pre-shared key
      groups = [
      ]
      cert_policy = [
      ]
      certs = [
      ]
      cacerts = [
      ]
    }
    children {
      net {
        mode = TUNNEL
        rekey_time = 3600
        rekey_bytes = 0
        rekey_packets = 0
        dpd_action = start
        close_action = none
        local-ts = [
          192.0.2.0/24
        ]
        remote-ts = [
          198.51.100.0/24
        ]
      }
    }
  }
}
list-conns reply {
}
`;
const LIST_SAS_NO_CHILDREN = `list-sa event {
  gw {
    uniqueid = 1
    version = 2
    state = ESTABLISHED
    local-host = 203.0.113.1
    local-port = 4500
    local-id = gw "A" {one} #1
    remote-host = 203.0.113.2
    remote-port = 4500
    remote-id = CN=gw b, O=Example\\ Org
    initiator = yes
    initiator-spi = a559d92f53b8ec50
    responder-spi = 71f366f23ab21eac
    encr-alg = AES_CBC
    encr-keysize = 256
    integ-alg = HMAC_SHA2_256_128
    prf-alg = PRF_HMAC_SHA2_256
    dh-group = MODP_2048
    established = 0
    rekey-time = 14105
    child-sas {
    }
  }
}
list-sas reply {
}
`;
const LIST_SAS_CONNECTING = `list-sa event {
  gw {
    uniqueid = 1
    version = 2
    state = CONNECTING
    local-host = 203.0.113.1
    local-port = 500
    local-id = %any
    remote-host = 203.0.113.9
    remote-port = 500
    remote-id = %any
    initiator = yes
    initiator-spi = 62a30f75bd20e031
    responder-spi = 0000000000000000
    tasks-active = [
      IKE_VENDOR
      IKE_INIT
      IKE_NATD
      IKE_CERT_PRE
      IKE_AUTH
      IKE_CERT_POST
      IKE_CONFIG
      IKE_AUTH_LIFETIME
      IKE_MOBIKE
      IKE_ESTABLISH
      CHILD_CREATE
    ]
    child-sas {
    }
  }
}
list-sas reply {
}
`;

/** What `swanctl` prints before the dump with a stock strongswan.conf (no `swanctl.load`). */
const PLUGIN_WARNINGS = `plugin 'test-vectors': failed to load - test_vectors_plugin_create not found and no plugin file available
plugin 'curl': failed to load - curl_plugin_create not found and no plugin file available
`;

describe("charonPaths", () => {
    it("puts everything of a gateway under /etc/netns/NS", () => {
        assert.deepEqual(charonPaths("gw-a"), {
            pidFile: "/etc/netns/gw-a/ipsec.d/run/charon.pid",
            viciSocket: "/etc/netns/gw-a/ipsec.d/run/charon.vici",
            logFile: "/etc/netns/gw-a/ipsec.d/run/charon.log",
        });
    });
    for (const bad of ["", ".", "..", "../etc", "a/b", "nul\0"]) {
        it(`refuses ${JSON.stringify(bad)}, which is not one path component`, () => {
            assert.throws(() => charonPaths(bad), /not a namespace name/);
        });
    }
});

describe("charonCommands", () => {
    const paths = charonPaths("gw");
    it("starts the distro build detached, with the run dir over /run", () => {
        assert.deepEqual(charonCommands.start({ kind: "distro" }), [
            "setsid", "-f", "sh", "-c",
            "exec </dev/null >>/etc/ipsec.d/run/charon.log 2>&1 || exit 1\nmount --bind /etc/ipsec.d/run /run || exit 1\nexec \"$1\"",
            "charon-start", DISTRO_CHARON,
        ]);
    });
    it("starts a --with-piddir build without a mount, and passes the binary as an argument, not in the script", () => {
        const argv = charonCommands.start({ kind: "piddir", charon: "/opt/strongswan/libexec/ipsec/charon" });
        assert.equal(argv[4], startScript({ kind: "piddir", charon: "x" }));
        assert.doesNotMatch(argv[4], /mount/);
        assert.equal(argv[argv.length - 1], "/opt/strongswan/libexec/ipsec/charon");
        assert.equal(startScript({ kind: "distro", charon: "/weird $(path)" }).includes("weird"), false);
    });
    it("builds the host-side commands", () => {
        assert.deepEqual(charonCommands.readPidFile(paths), ["cat", "/etc/netns/gw/ipsec.d/run/charon.pid"]);
        assert.deepEqual(charonCommands.identify(4242), ["ip", "netns", "identify", "4242"]);
        assert.deepEqual(charonCommands.exe(4242), ["readlink", "/proc/4242/exe"]);
        assert.deepEqual(charonCommands.signal(4242), ["kill", "-TERM", "4242"]);
        assert.deepEqual(charonCommands.signal(4242, "KILL"), ["kill", "-KILL", "4242"]);
    });
    it("builds the swanctl commands run inside the namespace", () => {
        assert.deepEqual(charonCommands.stats(), ["swanctl", "--stats", "--pretty"]);
        assert.deepEqual(charonCommands.loadAll(), ["swanctl", "--load-all", "--noprompt"]);
        assert.deepEqual(charonCommands.initiate("net"), ["swanctl", "--initiate", "--child", "net", "--timeout", "10"]);
        assert.deepEqual(charonCommands.terminateIke("gw", 3), ["swanctl", "--terminate", "--ike", "gw", "--timeout", "3"]);
        assert.deepEqual(charonCommands.listSas(), ["swanctl", "--list-sas", "--pretty"]);
        assert.deepEqual(charonCommands.listConns(), ["swanctl", "--list-conns", "--pretty"]);
        assert.deepEqual([...VICI_DOWN_EXIT_CODES], [111, 2]);
    });
});

describe("parsePidFile", () => {
    it("reads charon's pid file", () => {
        assert.equal(parsePidFile("8871\n"), 8871);
        assert.equal(parsePidFile(" 42 "), 42);
    });
    for (const bad of ["", "\n", "abc", "12 34", "-5", "1", "0", "99999999999999999999", "12\n13"]) {
        it(`finds no pid in ${JSON.stringify(bad)}`, () => assert.equal(parsePidFile(bad), undefined));
    }
});

describe("charonLiveness / isCharonExe", () => {
    const distro = { kind: "distro" } as const;
    it("absent without a pid file", () => {
        assert.deepEqual(charonLiveness("gw", distro, {}), { state: "absent" });
    });
    it("running when the pid is charon in this namespace", () => {
        assert.deepEqual(charonLiveness("gw", distro, { pidFile: "8871\n", identify: "gw\n", exe: "/usr/lib/ipsec/charon\n" }),
            { state: "running", pid: 8871 });
        assert.deepEqual(charonLiveness("gw", distro, { pidFile: "8871", identify: "alias\ngw\n", exe: "/usr/lib/ipsec/charon" }),
            { state: "running", pid: 8871 }, "a namespace with two names");
    });
    it("running after a package upgrade replaced the binary", () => {
        assert.equal(isCharonExe("/usr/lib/ipsec/charon (deleted)\n", distro), true);
    });
    it("stale when the pid is gone, a zombie, elsewhere or something else", () => {
        assert.deepEqual(charonLiveness("gw", distro, { pidFile: "8871", identify: "", exe: "" }), { state: "stale", pid: 8871 });
        assert.deepEqual(charonLiveness("gw", distro, { pidFile: "8871", identify: "gw2", exe: "/usr/lib/ipsec/charon" }),
            { state: "stale", pid: 8871 });
        assert.deepEqual(charonLiveness("gw", distro, { pidFile: "8871", identify: "gw", exe: "/usr/bin/sleep" }),
            { state: "stale", pid: 8871 });
        assert.deepEqual(charonLiveness("gw", distro, { pidFile: "garbage" }), { state: "stale" });
    });
    it("knows which binary a --with-piddir build runs", () => {
        const piddir = { kind: "piddir", charon: "/opt/sw/charon" } as const;
        assert.equal(isCharonExe("/opt/sw/charon", piddir), true);
        assert.equal(isCharonExe(DISTRO_CHARON, piddir), false);
        assert.equal(isCharonExe(undefined, piddir), false);
    });
});

describe("parseViciPretty", () => {
    it("parses sections, values and lists, skipping lines outside messages", () => {
        const msgs = parseViciPretty(PLUGIN_WARNINGS + LIST_SAS_CONNECTING);
        assert.deepEqual(msgs.map((m) => m.label), ["list-sa event", "list-sas reply"]);
        const gw = msgs[0].body.gw as Record<string, unknown>;
        assert.equal(gw.state, "CONNECTING");
        assert.deepEqual((gw["tasks-active"] as string[]).slice(0, 2), ["IKE_VENDOR", "IKE_INIT"]);
        assert.deepEqual(gw["child-sas"], {});
        assert.deepEqual(msgs[1].body, {});
    });
    it("keeps values verbatim, blanks, quotes, braces and all", () => {
        const gw = parseViciPretty(LIST_SAS_ESTABLISHED)[0].body.gw as Record<string, unknown>;
        assert.equal(gw["local-id"], "gw \"A\" {one} #1");
        assert.equal(gw["remote-id"], "CN=gw b, O=Example\\ Org");
    });
    it("parses empty lists", () => {
        const gw = parseViciPretty(LIST_CONNS)[0].body.gw as Record<string, Record<string, unknown>>;
        assert.deepEqual(gw["local-1"].groups, []);
        assert.equal(gw["local-1"].class, "pre-shared key");
    });
    it("treats keys such as __proto__ as data", () => {
        const [msg] = parseViciPretty("x reply {\n  __proto__ {\n    polluted = yes\n  }\n  constructor = 1\n}\n");
        assert.deepEqual(Object.keys(msg.body), ["__proto__", "constructor"]);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
    it("keeps hex-dumped binary values as text", () => {
        const [msg] = parseViciPretty("x reply {\n  data = 0x00:01:02\n}\n");
        assert.equal(msg.body.data, "0x00:01:02");
    });
    it("refuses truncated output", () => {
        assert.throws(() => parseViciPretty("list-sa event {\n  gw {\n    state = CONNECTING\n"), /truncated/);
        assert.throws(() => parseViciPretty("x reply {\n  l = [\n    a\n"), /truncated/);
    });
    it("returns nothing for no output", () => {
        assert.deepEqual(parseViciPretty(""), []);
        assert.deepEqual(parseViciPretty(PLUGIN_WARNINGS), []);
    });
});

describe("parseListSas", () => {
    it("reads an established IKE_SA with its installed CHILD_SA and counters", () => {
        assert.deepEqual(parseListSas(LIST_SAS_ESTABLISHED), [{
            name: "gw", uniqueId: 1, state: "ESTABLISHED", version: 2,
            localHost: "203.0.113.1", localId: "gw \"A\" {one} #1",
            remoteHost: "203.0.113.2", remoteId: "CN=gw b, O=Example\\ Org",
            initiator: true,
            children: [{
                name: "net", uniqueId: 1, state: "INSTALLED", mode: "TUNNEL", protocol: "ESP", encap: true,
                spiIn: "fc1554e0", spiOut: "44b5a144", bytesIn: 168, packetsIn: 2, bytesOut: 168, packetsOut: 2,
                localTs: ["192.0.2.0/24"], remoteTs: ["198.51.100.0/24"],
            }],
        }]);
    });
    it("reads a half-open IKE_SA", () => {
        const [sa] = parseListSas(LIST_SAS_CONNECTING);
        assert.equal(sa.state, "CONNECTING");
        assert.equal(sa.remoteId, "%any");
        assert.deepEqual(sa.children, []);
    });
    it("reads an IKE_SA whose CHILD_SA failed (kernel data plane without kernel ESP)", () => {
        const [sa] = parseListSas(LIST_SAS_NO_CHILDREN);
        assert.equal(sa.state, "ESTABLISHED");
        assert.deepEqual(sa.children, []);
    });
    it("returns no SAs for an idle daemon", () => {
        assert.deepEqual(parseListSas(PLUGIN_WARNINGS + "list-sas reply {\n}\n"), []);
    });
});

describe("parseListConns", () => {
    it("reads addresses, identities and children", () => {
        assert.deepEqual(parseListConns(LIST_CONNS), [{
            name: "gw",
            localAddrs: ["203.0.113.1"],
            remoteAddrs: ["203.0.113.2"],
            version: "IKEv2",
            localIds: ["gw \"A\" {one} #1"],
            remoteIds: ["CN=gw b, O=Example\\ Org"],
            // dpd_action = restart in swanctl.conf is reported as "start" by 5.9.8.
            children: [{ name: "net", mode: "TUNNEL", localTs: ["192.0.2.0/24"], remoteTs: ["198.51.100.0/24"], dpdAction: "start" }],
        }]);
    });
});
