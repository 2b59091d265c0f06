import { describe, expect, test } from "bun:test";
import { goJsonSyntaxError, MAX_NESTING_DEPTH } from "./json-syntax.ts";

describe("well-formed JSON passes", () => {
  const good = ["{}", "[]", " {\"a\" : [1, -2.5e+3, 0, 1E2, true, false, null, \"x\\u00e9\\n\"]} ", "0", "-0.1", '"\u00e9"', "null", "\t\r\n[ ]\n"];
  for (const text of good) {
    test(JSON.stringify(text), () => {
      expect(goJsonSyntaxError(text)).toBeUndefined();
      expect(() => JSON.parse(text)).not.toThrow();
    });
  }
});

describe("malformed JSON fails with Go's encoding/json wording", () => {
  const cases: Array<[string, string]> = [
    ["", "unexpected end of JSON input"],
    ["  ", "unexpected end of JSON input"],
    ["{", "unexpected end of JSON input"],
    ['{"a":', "unexpected end of JSON input"],
    ['"abc', "unexpected end of JSON input"],
    ["x", "invalid character 'x' looking for beginning of value"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ["{a:1}", "invalid character 'a' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ["[1 2]", "invalid character '2' after array element"],
    ["{} x", "invalid character 'x' after top-level value"],
    ["01", "invalid character '1' after top-level value"],
    ["tru", "invalid character ' ' in literal true (expecting 'e')"],
    ["trUe", "invalid character 'U' in literal true (expecting 'u')"],
    ["fals", "invalid character ' ' in literal false (expecting 'e')"],
    ["nul", "invalid character ' ' in literal null (expecting 'l')"],
    ["-", "invalid character ' ' in numeric literal"],
    ["-a", "invalid character 'a' in numeric literal"],
    ["1.", "invalid character ' ' after decimal point in numeric literal"],
    ["1.x", "invalid character 'x' after decimal point in numeric literal"],
    ["1e", "invalid character ' ' in exponent of numeric literal"],
    ["1e+", "invalid character ' ' in exponent of numeric literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12"', "invalid character '\"' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"a\u0001b"', "invalid character '\\x01' in string literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
    ["é", "invalid character 'Ã' looking for beginning of value"],
    // U+00A0 is the bytes C2 A0; Go names the first byte, U+00C2.
    ["[\u00a0]", "invalid character 'Â' looking for beginning of value"],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => expect(goJsonSyntaxError(text)).toBe(message));
  }
});

describe("nesting limit", () => {
  test(`${MAX_NESTING_DEPTH} levels are accepted`, () => {
    expect(goJsonSyntaxError("[".repeat(MAX_NESTING_DEPTH) + "]".repeat(MAX_NESTING_DEPTH))).toBeUndefined();
  });
  test("one more is rejected at the opening character", () => {
    const depth = MAX_NESTING_DEPTH + 1;
    expect(goJsonSyntaxError("[".repeat(depth) + "]".repeat(depth))).toBe("invalid character '[' exceeded max depth");
    expect(goJsonSyntaxError('{"a":'.repeat(depth) + "1" + "}".repeat(depth))).toBe("invalid character '{' exceeded max depth");
  });
  test("a million unclosed brackets fail fast without recursion", () => {
    expect(goJsonSyntaxError("[".repeat(1_000_000))).toBe("invalid character '[' exceeded max depth");
  });
});
