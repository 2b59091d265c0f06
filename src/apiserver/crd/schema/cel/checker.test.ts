import { describe, expect, test } from "bun:test";
import type { JSONSchemaProps } from "../types.ts";
import { evaluate } from "./test-eval.ts";

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    replicas: { type: "integer" },
    name: { type: "string" },
    ratio: { type: "number" },
    tags: { type: "array", items: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
    objs: { type: "array", items: { type: "object", properties: { k: { type: "string" } } } },
    "dash-name": { type: "string" },
    namespace: { type: "string" },
    size: { type: "string", "x-kubernetes-int-or-string": true },
    created: { type: "string", format: "date-time" },
  },
};

const compileError = (src: string) => {
  const r = evaluate(src, schema, {});
  return "compileError" in r ? r.compileError.split("\n")[0] : undefined;
};

describe("type checking", () => {
  const errors: Array<[string, string]> = [
    ["self.nope == 1", "ERROR: <input>:1:5: undefined field 'nope'"],
    ["has(self.nope)", "ERROR: <input>:1:9: undefined field 'nope'"],
    ["nope == 1", "ERROR: <input>:1:1: undeclared reference to 'nope' (in container '')"],
    ["frobnicate(1)", "ERROR: <input>:1:11: undeclared reference to 'frobnicate' (in container '')"],
    ["self.replicas + 'a' == 1", "ERROR: <input>:1:15: found no matching overload for '_+_' applied to '(int, string)'"],
    ["self.name.startsWith(1)", "ERROR: <input>:1:21: found no matching overload for 'startsWith' applied to 'string.(int)'"],
    ["self.replicas == 1.0", "ERROR: <input>:1:15: found no matching overload for '_==_' applied to '(int, double)'"],
    ["self.name == null", "ERROR: <input>:1:11: found no matching overload for '_==_' applied to '(string, null)'"],
    ["self.objs[0] == {'k': 'a'}", "ERROR: <input>:1:14: found no matching overload for '_==_' applied to '(selfType"],
    ["self.replicas.foo == 1", "ERROR: <input>:1:14: type 'int' does not support field selection"],
    ["self.replicas.all(x, true)", "ERROR: <input>:1:5: expression of type 'int' cannot be range of a comprehension (must be list, map, or dynamic)"],
    ["[1, 'a'].size() == 2", "ERROR: <input>:1:5: expected type 'int' but found 'string'"],
    ["self.tags.all(t, t)", "ERROR: <input>:1:14: found no matching overload for '_&&_' applied to '(bool, string)'"],
    ["self.dash-name == 'x'", "ERROR: <input>:1:5: undefined field 'dash'"],
    ["self.namespace == 'x'", "ERROR: <input>:1:5: undefined field 'namespace'"],
    ["duration('1d') > duration('1h')", "ERROR: <input>:1:10: invalid duration argument"],
    ["timestamp('2020-13-01T00:00:00Z') < self.created", "ERROR: <input>:1:11: invalid timestamp"],
  ];
  for (const [src, want] of errors) test(src, () => expect(compileError(src)).toStartWith(want));

  test("escaped property names, int-or-string as dyn, formats as types", () => {
    expect(compileError("self.dash__dash__name == 'x' && self.__namespace__ == 'y'")).toBeUndefined();
    expect(compileError("self.size == 1 || self.size == '50%'")).toBeUndefined();
    expect(compileError("self.created < timestamp('2020-01-01T00:00:00Z')")).toBeUndefined();
    expect(compileError("self.labels.app == 'x' && self.labels['a.b'] == 'y'")).toBeUndefined();
  });

  test("mixed numeric ordering is allowed, mixed equality is not", () => {
    expect(compileError("self.replicas < 1.5 && self.ratio > 1 && 1u < 2")).toBeUndefined();
  });
});
