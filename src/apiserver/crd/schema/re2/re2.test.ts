import { describe, expect, test } from "bun:test";
import { compileGoRegexp } from "./index.ts";

describe("Go regexp syntax errors", () => {
  const cases: Array<[string, string]> = [
    ["(abc", "error parsing regexp: missing closing ): `(abc`"],
    ["abc)", "error parsing regexp: unexpected ): `abc)`"],
    ["a**", "error parsing regexp: invalid nested repetition operator: `**`"],
    ["*a", "error parsing regexp: missing argument to repetition operator: `*`"],
    ["+", "error parsing regexp: missing argument to repetition operator: `+`"],
    ["[a", "error parsing regexp: missing closing ]: `[a`"],
    ["[z-a]", "error parsing regexp: invalid character class range: `z-a`"],
    ["\\8", "error parsing regexp: invalid escape sequence: `\\8`"],
    ["\\1", "error parsing regexp: invalid escape sequence: `\\1`"],
    ["(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
    ["(?i-)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"],
    ["a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"],
    ["a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"],
    ["(a{100}){100}", "error parsing regexp: invalid repeat count: `{100}`"],
    ["[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"],
    ["\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"],
    ["\\", "error parsing regexp: trailing backslash at end of expression: ``"],
  ];
  for (const [pattern, message] of cases) test(pattern, () => expect(() => compileGoRegexp(pattern)).toThrow(message));

  test("valid Go syntax JavaScript would treat differently", () => {
    for (const p of ["(?P<n>a)", "(?<n>a)", "[]a]", "a{,3}", "{", "\\Qa.b\\E", "(?)", "\\08", "\\_", "x{2}?", "((a{10}){10}){10}", "[a-b-c]"]) expect(() => compileGoRegexp(p)).not.toThrow();
  });
});

describe("matching", () => {
  const cases: Array<[string, string, boolean]> = [
    ["(?i)^k$", "\u212a", true], // Kelvin sign folds to k
    ["^\\w+$", "héllo", false], // \w is ASCII
    ["^\\s$", "\u00a0", false], // \s is ASCII
    ["^.$", "\r", true], // . excludes only \n
    ["^.$", "\n", false],
    ["(?s)^.$", "\n", true],
    ["[^a]", "\n", true],
    ["(?m)^b$", "a\nb", true],
    ["^a$", "a\n", false], // $ is the end of text only
    ["\\Aa\\z", "a", true],
    ["[[:upper:]]", "a", false],
    ["\\pL", "é", true],
    ["\\p{Greek}+", "αβ", true],
    ["\\bfoo\\b", "a foo b", true],
    ["\\bfoo\\b", "afoob", false],
    ["^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "my-svc.ns.svc", true],
    ["^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "-bad", false],
    ["[\\d-z]+", "1-z", true],
    ["😀", "a😀b", true],
  ];
  for (const [p, s, want] of cases) test(`${p} on ${JSON.stringify(s)}`, () => expect(compileGoRegexp(p).test(s)).toBe(want));

  test("find and findAll are leftmost-first, skipping empty matches next to a match", () => {
    expect(compileGoRegexp("(a|ab)(c|bcd)(d*)").find("abcd")).toBe("abcd");
    expect(compileGoRegexp("[0-9]+").find("ab123cd45")).toBe("123");
    expect(compileGoRegexp("x").find("abc")).toBeUndefined();
    expect(compileGoRegexp("a*").findAll("baaacaa", -1)).toEqual(["", "aaa", "aa"]);
    expect(compileGoRegexp("a|b").findAll("abcab", 2)).toEqual(["a", "b"]);
    expect(compileGoRegexp("").findAll("abc", -1)).toEqual(["", "", "", ""]);
  });

  test("hostile patterns run in linear time", () => {
    const start = performance.now();
    expect(compileGoRegexp("^(a+)+$").test(`${"a".repeat(100_000)}b`)).toBe(false);
    expect(compileGoRegexp("(.*a){20}").test("a".repeat(5_000))).toBe(true);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});
