import { describe, expect, test } from "bun:test";
import { Correlation } from "./correlation.ts";
import { toFieldErrors } from "./openapi-errors.ts";
import { newStructural } from "./structural.ts";
import { messages } from "./test-support.ts";
import type { JSONSchemaProps } from "./types.ts";
import { compileValueValidator, dedupe, isFloat64AJSONInteger, validateValue } from "./value-validator.ts";

/** Validates `obj` as a custom object is validated (root path printed as <nil>), returning sorted messages. */
function check(schema: JSONSchemaProps, obj: unknown, old?: unknown): string[] {
  let corr: Correlation | undefined;
  if (old !== undefined) {
    const st = newStructural(schema);
    if (!st.ok) throw new Error(st.error);
    corr = new Correlation(obj, old, st.schema);
  }
  return messages(toFieldErrors(dedupe(validateValue(compileValueValidator(schema), obj, "", corr)), undefined)).sort();
}

const field = (s: JSONSchemaProps): JSONSchemaProps => ({ type: "object", properties: { field: s } });

describe("type", () => {
  const cases: Array<[string, JSONSchemaProps, unknown, string[]]> = [
    ["object gets a string", { type: "object" }, "foo", [`field: Invalid value: "string": field in body must be of type object: "string"`]],
    ["object gets an integer", { type: "object" }, 42, [`field: Invalid value: "integer": field in body must be of type object: "integer"`]],
    ["object gets a bool", { type: "object" }, true, [`field: Invalid value: "boolean": field in body must be of type object: "boolean"`]],
    ["object gets a float", { type: "object" }, 1.2, [`field: Invalid value: "number": field in body must be of type object: "number"`]],
    ["object gets an array", { type: "object" }, [], [`field: Invalid value: "array": field in body must be of type object: "array"`]],
    ["object gets null", { type: "object" }, null, [`field: Invalid value: "null": field in body must be of type object: "null"`]],
    ["nullable object gets null", { type: "object", nullable: true }, null, []],
    ["integer gets a float", { type: "integer" }, 1.5, [`field: Invalid value: "number": field in body must be of type integer: "number"`]],
    ["integer accepts an integral float", { type: "integer" }, 2.0, []],
    ["number accepts an integer", { type: "number" }, 2, []],
    ["string gets a number", { type: "string" }, 5, [`field: Invalid value: "integer": field in body must be of type string: "integer"`]],
    ["boolean gets a string", { type: "boolean" }, "true", [`field: Invalid value: "string": field in body must be of type boolean: "string"`]],
    ["int-or-string gets a bool", { "x-kubernetes-int-or-string": true }, true, [`field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"`]],
    ["int-or-string accepts both", { "x-kubernetes-int-or-string": true }, "25%", []],
    ["no type accepts anything", { "x-kubernetes-preserve-unknown-fields": true }, { a: [1] }, []],
    // A format on a non-numeric type: numbers and objects fail against the format name, arrays pass (kube-openapi's rule).
    ["date-time gets an integer", { type: "string", format: "date-time" }, 5, [`field: Invalid value: "int64": field in body must be of type date-time: "int64"`]],
    ["date-time gets a bool", { type: "string", format: "date-time" }, true, [`field: Invalid value: "": field in body must be of type date-time: ""`]],
    ["date-time gets an array", { type: "string", format: "date-time" }, ["x"], []],
    // int32 and friends are dropped by apiextensions: they check nothing.
    ["int32 format is not checked", { type: "integer", format: "int32" }, 2 ** 40, []],
  ];
  for (const [name, s, v, want] of cases) test(name, () => expect(check(field(s), { field: v })).toEqual(want));
});

describe("strings", () => {
  test("maxLength counts runes and reports Too long", () => {
    expect(check(field({ type: "string", maxLength: 2 }), { field: "abc" })).toEqual(["field: Too long: may not be more than 2 bytes"]);
    expect(check(field({ type: "string", maxLength: 2 }), { field: "日本" })).toEqual([]);
  });
  test("minLength", () => {
    expect(check(field({ type: "string", minLength: 3 }), { field: "ab" })).toEqual([`field: Invalid value: "ab": field in body should be at least 3 chars long`]);
  });
  test("pattern (Go syntax)", () => {
    const s = field({ type: "string", pattern: "^[a-z]+(\\.[a-z]+)*$" });
    expect(check(s, { field: "abc.def" })).toEqual([]);
    expect(check(s, { field: "abc..def" })).toEqual([`field: Invalid value: "abc..def": field in body should match '^[a-z]+(\\.[a-z]+)*$'`]);
  });
  test("an invalid pattern reports Go's parse error on each value", () => {
    expect(check(field({ type: "string", pattern: "+" }), { field: "foo" })).toEqual([
      "field: Invalid value: \"foo\": field in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'",
    ]);
  });
  test("only the first failing string check is reported", () => {
    expect(check(field({ type: "string", maxLength: 1, pattern: "^x$" }), { field: "abc" })).toEqual(["field: Too long: may not be more than 1 bytes"]);
  });
  test("format", () => {
    expect(check(field({ type: "string", format: "date-time" }), { field: "2024-01-02T03:04:05Z" })).toEqual([]);
    expect(check(field({ type: "string", format: "date-time" }), { field: "yesterday" })).toEqual([`field: Invalid value: "yesterday": field in body must be of type date-time: "yesterday"`]);
    expect(check(field({ type: "string", format: "uuid" }), { field: "nope" })).toEqual([`field: Invalid value: "nope": field in body must be of type uuid: "nope"`]);
  });
});

describe("numbers", () => {
  const cases: Array<[string, JSONSchemaProps, number, string[]]> = [
    ["maximum", { type: "integer", maximum: 10 }, 11, ["field: Invalid value: 11: field in body should be less than or equal to 10"]],
    ["maximum at the bound", { type: "integer", maximum: 10 }, 10, []],
    ["exclusiveMaximum", { type: "integer", maximum: 10, exclusiveMaximum: true }, 10, ["field: Invalid value: 10: field in body should be less than 10"]],
    ["minimum", { type: "integer", minimum: 1 }, 0, ["field: Invalid value: 0: field in body should be greater than or equal to 1"]],
    ["exclusiveMinimum", { type: "number", minimum: 0.5, exclusiveMinimum: true }, 0.5, ["field: Invalid value: 0.5: field in body should be greater than 0.5"]],
    // Integer data is compared with the bound truncated to int64, as kube-openapi does.
    ["integer data against a fractional minimum", { type: "integer", minimum: 0.5 }, 0, []],
    ["float bounds print as Go floats", { type: "number", maximum: 1000000 }, 1000000.5, ["field: Invalid value: 1.0000005e+06: field in body should be less than or equal to 1e+06"]],
    ["multipleOf", { type: "integer", multipleOf: 5 }, 12, ["field: Invalid value: 12: field in body should be a multiple of 5"]],
    ["multipleOf ok", { type: "integer", multipleOf: 5 }, 15, []],
    ["multipleOf with floats", { type: "number", multipleOf: 0.1 }, 0.3, []],
    ["multipleOf with floats fails", { type: "number", multipleOf: 0.25 }, 0.3, ["field: Invalid value: 0.3: field in body should be a multiple of 0.25"]],
  ];
  for (const [name, s, v, want] of cases) test(name, () => expect(check(field(s), { field: v })).toEqual(want));

  test("IsFloat64AJSONInteger tolerates a relative error of 1e-9", () => {
    expect(isFloat64AJSONInteger(3)).toBe(true);
    expect(isFloat64AJSONInteger(3.0000000001)).toBe(true);
    expect(isFloat64AJSONInteger(3.001)).toBe(false);
    expect(isFloat64AJSONInteger(2 ** 60)).toBe(false);
  });
});

describe("arrays and objects", () => {
  test("minItems and maxItems", () => {
    const s = field({ type: "array", items: { type: "string" }, minItems: 2, maxItems: 3 });
    expect(check(s, { field: ["a"] })).toEqual(["field: Invalid value: 1: field in body should have at least 2 items"]);
    expect(check(s, { field: ["a", "b", "c", "d"] })).toEqual(["field: Too many: 4: must have at most 3 items"]);
  });
  test("uniqueItems", () => {
    expect(check(field({ type: "array", items: { type: "integer" }, uniqueItems: true }), { field: [1, 2, 1] })).toEqual([
      `field: Invalid value: "": field in body shouldn't contain duplicates`,
    ]);
  });
  test("item errors carry their index", () => {
    expect(check(field({ type: "array", items: { type: "integer", minimum: 0 } }), { field: [1, -1, "x"] })).toEqual([
      "field[1]: Invalid value: -1: field[1] in body should be greater than or equal to 0",
      `field[2]: Invalid value: "string": field[2] in body must be of type integer: "string"`,
    ]);
  });
  test("minProperties and maxProperties", () => {
    const s = field({ type: "object", additionalProperties: { type: "string" }, minProperties: 1, maxProperties: 2 });
    expect(check(s, { field: {} })).toEqual(["field: Invalid value: 0: field in body should have at least 1 properties"]);
    expect(check(s, { field: { a: "1", b: "2", c: "3" } })).toEqual(["field: Too many: 3: must have at most 2 items"]);
  });
  test("required, nested", () => {
    const s: JSONSchemaProps = { type: "object", required: ["field"], properties: { field: { type: "object", required: ["nested"], properties: { nested: {} } } } };
    expect(check(s, { test: "a" })).toEqual(["field: Required value"]);
    expect(check(s, { field: {} })).toEqual(["field.nested: Required value"]);
  });
  test("additionalProperties schema names keys with dots", () => {
    expect(check(field({ type: "object", additionalProperties: { type: "integer" } }), { field: { "a.b": "x" } })).toEqual([
      `field.a.b: Invalid value: "string": field.a.b in body must be of type integer: "string"`,
    ]);
  });
  test("additionalProperties: false forbids keys", () => {
    expect(check(field({ type: "object", additionalProperties: false }), { field: { x: 1 } })).toEqual([`field: Invalid value: "x": field.x in body is a forbidden property`]);
  });
  test("every violation is reported", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: { a: { type: "integer", maximum: 1 }, b: { type: "string", enum: ["x"] }, c: { type: "array", maxItems: 0, items: { type: "string" } } },
      required: ["d"],
    };
    expect(check(s, { a: 2, b: "y", c: ["z"] })).toEqual([
      "a: Invalid value: 2: a in body should be less than or equal to 1",
      `b: Unsupported value: "y": supported values: "x"`,
      "c: Too many: 1: must have at most 0 items",
      "d: Required value",
    ]);
  });
});

describe("enum", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      field: {
        type: "object",
        required: ["nestedint", "nestedstring"],
        properties: { nestedint: { type: "integer", enum: [1, 2] }, nestedstring: { type: "string", enum: ["a", "b"] } },
      },
    },
  };
  test("missing fields", () => expect(check(s, { field: {} })).toEqual(["field.nestedint: Required value", "field.nestedstring: Required value"]));
  test("wrong types and values", () => {
    expect(check(s, { field: { nestedint: "x", nestedstring: true } })).toEqual([
      `field.nestedint: Invalid value: "string": field.nestedint in body must be of type integer: "string"`,
      `field.nestedint: Unsupported value: "x": supported values: "1", "2"`,
      `field.nestedstring: Invalid value: "boolean": field.nestedstring in body must be of type string: "boolean"`,
      `field.nestedstring: Unsupported value: true: supported values: "a", "b"`,
    ]);
  });
  test("an object value prints as Go's %#v", () => {
    expect(check(field({ type: "object", enum: [{ a: 1 }] }), { field: { b: "x" } })).toEqual([
      `field: Unsupported value: map[string]interface {}{"b":"x"}: supported values: "{\\"a\\":1}"`,
    ]);
  });
  test("null never matches an enum, even when nullable", () => {
    expect(check(field({ type: "string", nullable: true, enum: ["a"] }), { field: null })).toEqual([`field: Unsupported value: "null": supported values: "a"`]);
  });
});

describe("anyOf / allOf / oneOf / not", () => {
  test("int-or-string with its anyOf reports the first branch's failure", () => {
    const s = field({ nullable: true, "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] });
    expect(check(s, { field: null })).toEqual([]);
    expect(check(s, { field: 42 })).toEqual([]);
    expect(check(s, { field: true })).toEqual([
      `<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)`,
      `field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"`,
      `field: Invalid value: "boolean": field in body must be of type integer: "boolean"`,
    ]);
  });
  test("allOf wrapping anyOf", () => {
    const s = field({ nullable: true, "x-kubernetes-int-or-string": true, allOf: [{ anyOf: [{ type: "integer" }, { type: "string" }] }] });
    expect(check(s, { field: 1.2 })).toEqual([
      `<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated`,
      `<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)`,
      `field: Invalid value: "number": field in body must be of type integer,string: "number"`,
      `field: Invalid value: "number": field in body must be of type integer: "number"`,
    ]);
  });
  test("oneOf counts valid branches", () => {
    const s = field({ type: "integer", oneOf: [{ minimum: 0 }, { maximum: 10 }] });
    expect(check(s, { field: 5 })).toEqual([`<nil>: Invalid value: "": "field" must validate one and only one schema (oneOf). Found 2 valid alternatives`]);
    expect(check(s, { field: 20 })).toEqual([]);
  });
  test("not", () => {
    expect(check(field({ type: "string", not: { enum: ["x"] } }), { field: "x" })).toEqual([`<nil>: Invalid value: "": "field" must not validate the schema (not)`]);
    expect(check(field({ type: "string", not: { enum: ["x"] } }), { field: "y" })).toEqual([]);
  });
});

describe("ratcheting", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      a: { type: "string", maxLength: 2 },
      b: { type: "string", maxLength: 2 },
      list: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"], items: { type: "object", properties: { k: { type: "string" }, v: { type: "integer", maximum: 1 } } } },
    },
  };
  test("an unchanged invalid field is tolerated, a changed one is not", () => {
    expect(check(s, { a: "long", b: "ok" }, { a: "long", b: "ok" })).toEqual([]);
    expect(check(s, { a: "long", b: "longer" }, { a: "long", b: "ok" })).toEqual(["b: Too long: may not be more than 2 bytes"]);
    expect(check(s, { a: "longer" }, { a: "long" })).toEqual(["a: Too long: may not be more than 2 bytes"]);
  });
  test("map-list items correlate by key, wherever they moved", () => {
    const old = { list: [{ k: "x", v: 5 }, { k: "y", v: 1 }] };
    expect(check(s, { list: [{ k: "y", v: 1 }, { k: "x", v: 5 }] }, old)).toEqual([]);
    expect(check(s, { list: [{ k: "z", v: 5 }] }, old)).toEqual(["list[0].v: Invalid value: 5: list[0].v in body should be less than or equal to 1"]);
  });
  test("without an old object nothing ratchets", () => {
    expect(check(s, { a: "long" })).toEqual(["a: Too long: may not be more than 2 bytes"]);
  });
});
