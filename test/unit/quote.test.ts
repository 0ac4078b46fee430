import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { shellCommandLine, shellQuote } from "../../provider/quote";
import { HOSTILE } from "../helpers/hostile";

describe("shellQuote", () => {
    it("leaves safe words alone", () => {
        assert.equal(shellQuote("ip"), "ip");
        assert.equal(shellQuote("192.0.2.1/24"), "192.0.2.1/24");
    });
    it("single-quotes everything else", () => {
        assert.equal(shellQuote("a b"), "'a b'");
        assert.equal(shellQuote("it's"), "'it'\\''s'");
        assert.equal(shellQuote(""), "''");
    });
    it("rejects NUL, which no command line can carry", () => {
        assert.throws(() => shellQuote("a\0b"), /NUL/);
    });
    it("round-trips hostile strings through a real sh", () => {
        const line = shellCommandLine(["printf", "%s\\0", ...HOSTILE]);
        const out = execFileSync("sh", ["-c", line], { encoding: "utf8" });
        assert.deepEqual(out.split("\0").slice(0, -1), HOSTILE);
    });
    it("keeps a hostile argv from running anything", () => {
        const line = shellCommandLine(["true", "$(echo pwned >&2)", "`echo pwned >&2`", "; echo pwned >&2"]);
        const result = execFileSync("sh", ["-c", `${line} 2>&1`], { encoding: "utf8" });
        assert.equal(result, "");
    });
});
