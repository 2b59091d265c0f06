import { describe, expect, test } from "bun:test";
import { evaluate, value } from "./test-eval.ts";

describe("literals", () => {
  test("numbers", () => {
    expect(value("0x1F == 31")).toBe(true);
    expect(value("-9223372036854775808 < 0")).toBe(true);
    expect(value("1u + 2u")).toBe("3u");
    expect(value(".5 + 1e1")).toBe(10.5);
    expect(evaluate("9223372036854775808")).toEqual({ compileError: "ERROR: <input>:1:1: invalid int literal\n | 9223372036854775808\n | ^" });
  });
  test("strings and escapes", () => {
    expect(value(`"a\\tb" == 'a\tb'`)).toBe(true);
    expect(value(`'\\x41\\u00e9\\U0001F600\\101'`)).toBe("Aé😀A");
    expect(value(`r'\\d+'`)).toBe("\\d+");
    expect(value(`'''multi\nline'''`)).toBe("multi\nline");
    expect(value(`b'\\xff' == b'\\377'`)).toBe(true);
  });
  test("bool and null", () => {
    expect(value("true && !false")).toBe(true);
    expect(value("null == null")).toBe(true);
  });
  test("comments and whitespace", () => expect(value("1 + // one\n 2 == 3")).toBe(true));
});

describe("precedence", () => {
  test("arithmetic binds tighter than comparison, && tighter than ||, ?: loosest", () => {
    expect(value("1 + 2 * 3 == 7 && 10 - 4 / 2 == 8")).toBe(true);
    expect(value("true || false && false")).toBe(true);
    expect(value("1 < 2 ? 'a' : 'b'")).toBe("a");
    expect(value("false ? 1 : true ? 2 : 3")).toBe(2n);
    expect(value("!!true")).toBe(true);
    expect(value("-(-3) == 3")).toBe(true);
  });
});

describe("syntax errors", () => {
  test("are reported with their position", () => {
    expect(evaluate("1 +")).toEqual({
      compileError:
        "ERROR: <input>:1:4: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | 1 +\n | ...^",
    });
    expect(evaluate("1 # 2")).toMatchObject({ compileError: expect.stringContaining("Syntax error: token recognition error at: '#'") });
    expect(evaluate("self.true == 1")).toMatchObject({ compileError: expect.stringContaining("Syntax error: mismatched input 'true' expecting IDENTIFIER") });
    expect(evaluate("(1 + 2")).toMatchObject({ compileError: expect.stringContaining("Syntax error: mismatched input '<EOF>' expecting ')'") });
  });
  test("reserved words and macro misuse", () => {
    expect(evaluate("while")).toMatchObject({ compileError: expect.stringContaining("reserved identifier: while") });
    expect(evaluate("has(self)")).toMatchObject({ compileError: expect.stringContaining("invalid argument to has() macro") });
    expect(evaluate("[1].all(1, true)")).toMatchObject({ compileError: expect.stringContaining("argument must be a simple name") });
  });
  test("positions count code points and mark wide characters", () => {
    expect(evaluate("'é' + 1")).toEqual({ compileError: "ERROR: <input>:1:5: found no matching overload for '_+_' applied to '(string, int)'\n | 'é' + 1\n | .．..^" });
  });
  test("deep nesting is refused, not a stack overflow", () => {
    expect(evaluate(`${"(".repeat(400)}1${")".repeat(400)}`)).toMatchObject({ compileError: expect.stringContaining("expression recursion limit exceeded") });
  });
});
