import { describe, expect, test } from "bun:test";
import { fieldErrorMessage, GoFormattedValue } from "../../api/errors.ts";
import { badValue, goFloat, goSharpV } from "./go-format.ts";
import { goQuote } from "../../validation/go-quote.ts";

describe("Go value printing", () => {
  test("%v of float64 switches to exponents at 1e+06 and below 1e-04", () => {
    expect([1e6, 123456, 1.5e-5, 0.0001, 1e21, 1.5, -2.25e7].map(goFloat)).toEqual(["1e+06", "123456", "1.5e-05", "0.0001", "1e+21", "1.5", "-2.25e+07"]);
  });
  test("%#v of decoded JSON", () => {
    expect(goSharpV({ b: 1, a: ["x", 1.5, null, true] })).toBe('map[string]interface {}{"a":[]interface {}{"x", 1.5, interface {}(nil), true}, "b":1}');
  });
  test("%q escapes as Go does", () => {
    expect(goQuote('a"b\\c\n\x01é')).toBe('"a\\"b\\\\c\\n\\x01é"');
  });
  test("bad values print as field.Error prints them", () => {
    const msg = (v: unknown) => fieldErrorMessage({ type: "FieldValueInvalid", field: "f", value: badValue(v), detail: "d" });
    expect(msg(null)).toBe('f: Invalid value: "null": d');
    expect(msg(3)).toBe("f: Invalid value: 3: d");
    expect(msg(2.5e6)).toBe("f: Invalid value: 2500000: d"); // integral JSON numbers are int64 to Go
    expect(msg(2500000.5)).toBe("f: Invalid value: 2.5000005e+06: d");
    expect(msg({ k: "v" })).toBe('f: Invalid value: map[string]interface {}{"k":"v"}: d');
    expect(badValue([1])).toBeInstanceOf(GoFormattedValue);
  });
});
