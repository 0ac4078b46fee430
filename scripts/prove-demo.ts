/**
 * Shows that the demo tunnel works on this host: run by scripts/demo.sh after `pulumi up` with the
 * stack outputs as JSON. Proves that the IKE_SA is established and the CHILD_SA installed, that a
 * ping between the protected subnets succeeds, and that the SA's packet counters rose.
 * Exits non-zero if any proof fails.
 */
import { execFileSync } from "node:child_process";
import { ChildSaStatus, parseListSas } from "../provider/charon-plan";

interface Side { namespace: string; address: string; pid: number }
interface Proof { child: string; left: Side; right: Side }

function check(what: string, ok: boolean, detail = ""): boolean {
    console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
    return ok;
}

function childSa(ns: string, child: string): { ike?: string; sa?: ChildSaStatus } {
    const out = execFileSync("ip", ["netns", "exec", ns, "swanctl", "--list-sas", "--pretty"], { encoding: "utf8" });
    for (const ike of parseListSas(out)) {
        const sa = ike.children.find((c) => c.name === child && c.state === "INSTALLED");
        if (sa) return { ike: ike.state, sa };
    }
    return {};
}

function sleep(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pingOnce(from: Side, to: Side): boolean {
    try {
        execFileSync("ip", ["netns", "exec", from.namespace, "ping", "-c", "1", "-W", "1", "-I", from.address, to.address], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

export function proveDemo(proof: Proof): boolean {
    const { left, right, child } = proof;
    let status = childSa(left.namespace, child);
    for (let i = 0; i < 50 && !status.sa; i++) { sleep(200); status = childSa(left.namespace, child); }
    let ok = check(`IKE_SA in ${left.namespace} is ESTABLISHED`, status.ike === "ESTABLISHED", status.ike ?? "none");
    ok = check(`CHILD_SA "${child}" is INSTALLED`, status.sa !== undefined,
        status.sa ? `${status.sa.localTs.join(",")} === ${status.sa.remoteTs.join(",")}` : "none") && ok;
    if (!status.sa) return false;
    // Right after one gateway restarted, the other may still hold SAs the new daemon never knew:
    // dead peer detection replaces them within seconds. Wait for the path to work first.
    for (let i = 0; i < 30 && !pingOnce(left, right); i++) sleep(500);
    const before = childSa(left.namespace, child).sa ?? status.sa;
    let pinged = false;
    try {
        const out = execFileSync("ip", ["netns", "exec", left.namespace, "ping", "-c", "3", "-W", "2", "-I", left.address, right.address],
            { encoding: "utf8" });
        pinged = true;
        ok = check(`ping ${left.address} → ${right.address} through the tunnel`, true, out.match(/\d+ received/)?.[0] ?? "") && ok;
    } catch (err) {
        ok = check(`ping ${left.address} → ${right.address} through the tunnel`, false, String(err)) && ok;
    }
    const after = childSa(left.namespace, child).sa;
    const rose = after !== undefined && after.packetsOut > before.packetsOut && after.packetsIn > before.packetsIn;
    ok = check("the CHILD_SA's packet counters rose", pinged && rose,
        after ? `out ${before.packetsOut} → ${after.packetsOut}, in ${before.packetsIn} → ${after.packetsIn} packets` : "SA gone") && ok;
    return ok;
}

if (require.main === module) {
    const outputs = JSON.parse(process.argv[2] ?? "{}") as { proof: Proof };
    process.exitCode = proveDemo(outputs.proof) ? 0 : 1;
}
