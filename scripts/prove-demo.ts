/**
 * Shows that the demo stack works on this host: run by scripts/demo.sh after `pulumi up` with the
 * stack outputs as JSON. Exits non-zero if any proof fails.
 */
import { execFileSync } from "node:child_process";

interface DemoOutputs {
    namespaces: string[];
}

function check(what: string, ok: boolean, detail = ""): boolean {
    console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `\n     ${detail.replace(/\n/g, "\n     ")}` : ""}`);
    return ok;
}

function main(): void {
    const outputs = JSON.parse(process.argv[2] ?? "{}") as DemoOutputs;
    const live = execFileSync("ip", ["-json", "netns", "list"], { encoding: "utf8" }).trim();
    const present = live ? (JSON.parse(live) as Array<{ name: string }>).map((n) => n.name) : [];
    let ok = true;
    for (const ns of outputs.namespaces ?? []) {
        ok = check(`namespace ${ns} exists`, present.includes(ns)) && ok;
    }
    process.exitCode = ok ? 0 : 1;
}

main();
