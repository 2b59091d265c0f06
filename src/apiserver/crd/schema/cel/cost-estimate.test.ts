/**
 * Static cost estimates against the figures upstream's own tests pin (apiextensions'
 * TestCostEstimation): the same rule on the same schema, without and with size limits.
 */
import { describe, expect, test } from "bun:test";
import { newStructural } from "../structural.ts";
import type { JSONSchemaProps } from "../types.ts";
import { declType, newSelfTypeName } from "./decl.ts";
import { compileExpression } from "./index.ts";

function cost(schema: JSONSchemaProps, rule: string): number {
  const st = newStructural(schema);
  if (!st.ok) throw new Error(st.error);
  const c = compileExpression(rule, new Map([["self", declType(st.schema, false, newSelfTypeName())!]]));
  if (!c.ok) throw new Error(c.issues);
  return c.cost;
}

const item = (t: string): JSONSchemaProps =>
  t === "int-or-string" ? { "x-kubernetes-int-or-string": true } : ["duration", "date", "date-time"].includes(t) ? { type: "string", format: t } : { type: t };
const array = (t: string) => (max?: number): JSONSchemaProps => ({ type: "array", items: item(t), ...(max === undefined ? {} : { maxItems: max }) });
const map = (t: string) => (max?: number): JSONSchemaProps => ({ type: "object", additionalProperties: item(t), ...(max === undefined ? {} : { maxProperties: max }) });
const string = (max?: number): JSONSchemaProps => ({ type: "string", ...(max === undefined ? {} : { maxLength: max }) });
const objects = (max?: number): JSONSchemaProps => ({
  type: "array",
  items: { type: "object", required: ["required"], properties: { required: { type: "string" }, optional: { type: "string" } } },
  ...(max === undefined ? {} : { maxItems: max }),
});
const arrays = (max?: number): JSONSchemaProps => ({ type: "array", items: { type: "array", items: { type: "number" } }, ...(max === undefined ? {} : { maxItems: max }) });
const stringMap = (max?: number): JSONSchemaProps => ({
  type: "object",
  additionalProperties: { type: "string", ...(max === undefined ? {} : { maxLength: max }) },
  ...(max === undefined ? {} : { maxProperties: max }),
});

describe("estimated rule cost", () => {
  const cases: Array<[string, (max?: number) => JSONSchemaProps, string, number, number, number]> = [
    ["number array with all", array("number"), "self.all(x, true)", 4718591, 10, 32],
    ["string array with all", array("string"), "self.all(x, true)", 3145727, 20, 62],
    ["boolean array with all", array("boolean"), "self.all(x, true)", 1887437, 5, 17],
    ["array of number arrays with all", arrays, "self.all(x, true)", 3145727, 100, 302],
    ["array of objects with all", objects, "self.all(x, true)", 555128, 50, 152],
    ["map of numbers with all", map("number"), "self.all(x, true)", 1348169, 10, 32],
    ["map of strings with all", map("string"), "self.all(x, true)", 1179647, 3, 11],
    ["map of booleans with all", map("boolean"), "self.all(x, true)", 943718, 100, 302],
    ["string with contains", string, "self.contains('test')", 314574, 10, 5],
    ["string with startsWith", string, "self.startsWith('test')", 2, 15, 2],
    ["concat string", string, `size(self + "hello") > size("hello")`, 314578, 4, 7],
    ["index of array with numbers", array("number"), "self[1] == 0.0", 2, 5000, 2],
    ["index of array with strings", array("string"), "self[1] == self[1]", 314577, 8, 314577],
    ["O(n^2) loop with numbers (limited)", array("number"), "self.all(x, self.all(y, true))", 0, 10, 352],
    ["O(n^3) loop with numbers (limited)", array("number"), "self.all(x, self.all(y, self.all(z, true)))", 0, 10, 3552],
    ["regex matches simple", string, `self.matches("x")`, 314574, 50, 22],
    ["regex matches empty string", string, `"".matches("(((((((((())))))))))[0-9]")`, 7, 10, 7],
    ["regex matches empty regex", string, `self.matches("")`, 1, 100, 1],
    ["map of strings with value length", stringMap, "self.all(x, x.contains(self[x]))", 2752507, 10, 72],
    ["set maxLength greater than estimated maxLength", array("number"), "self.all(x, x == 0.0)", 6291454, 3 * 1024 * 2048, 25165826],
    ["int-or-string array with all", array("int-or-string"), "self.all(x, true)", 4718591, 10, 32],
    ["index of array with int-or-strings", array("int-or-string"), "self[0] == 5", 3, 10, 3],
    ["index of array of objects", objects, "self[0] == null", 2, 422, 2],
    ["index of array of array of numbers", arrays, "self[0][0] == -1.0", 3, 51, 3],
    ["duration array with all", array("duration"), "self.all(x, true)", 2359295, 5, 17],
    ["index of duration array", array("duration"), "self[0].getHours() == 2", 4, 525, 4],
    ["date array with all", array("date"), "self.all(x, true)", 725936, 15, 47],
    ["date-time array with all", array("date-time"), "self.all(x, true)", 428963, 25, 77],
    ["set string maxLength to zero", string, `self == "x"`, 2, 0, 1],
  ];
  for (const [name, gen, rule, unbounded, limit, limited] of cases) {
    test(name, () => {
      if (unbounded) expect(cost(gen(), rule)).toBe(unbounded);
      expect(cost(gen(limit), rule)).toBe(limited);
    });
  }
  test("unbounded nested loops exceed the per-rule limit", () => {
    expect(cost(array("number")(), "self.all(x, self.all(y, true))")).toBeGreaterThan(10_000_000);
  });
});
