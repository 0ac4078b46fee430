import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN, isUnknown, netnsNameProblem, sameStrings } from "../../provider/inputs";

describe("netnsNameProblem", () => {
    for (const good of ["a", "gw-left", "ns_1", "A.b-c", "x".repeat(255)]) {
        it(`accepts ${JSON.stringify(good.slice(0, 20))}`, () => assert.equal(netnsNameProblem(good), undefined));
    }
    const bad: Array<[unknown, RegExp]> = [
        ["", /non-empty/],
        [undefined, /non-empty/],
        [42, /non-empty string/],
        [".", /path trick/],
        ["..", /path trick/],
        ["../etc", /may only contain/],
        ["a/b", /may only contain/],
        ["-n", /must not start/],
        [".hidden", /must not start/],
        ["has space", /may only contain/],
        ["tab\there", /tab\\there/],
        ["nul\0", /may only contain/],
        ["x".repeat(256), /at most 255/],
        ["ünïcode", /may only contain/],
        ["$(reboot)", /may only contain/],
        ["1", /all digits/],
    ];
    for (const [value, reason] of bad) {
        it(`rejects ${JSON.stringify(value)}`, () => assert.match(netnsNameProblem(value) ?? "", reason));
    }
});

describe("isUnknown", () => {
    it("recognizes the preview sentinel only", () => {
        assert.equal(isUnknown(UNKNOWN), true);
        assert.equal(isUnknown("gw"), false);
        assert.equal(isUnknown(undefined), false);
    });
});

describe("sameStrings", () => {
    it("compares as lists in any order, absent as empty", () => {
        assert.equal(sameStrings(["b", "a"], ["a", "b"]), true);
        assert.equal(sameStrings(undefined, []), true);
        assert.equal(sameStrings(["a"], undefined), false);
        assert.equal(sameStrings(["a", "a"], ["a"]), false);
        assert.equal(sameStrings(["a"], ["b"]), false);
    });
    it("never calls an unknown list, or one with an unknown, the same", () => {
        assert.equal(sameStrings(["a"], UNKNOWN as unknown as string[]), false);
        assert.equal(sameStrings([UNKNOWN], [UNKNOWN]), false);
    });
});
