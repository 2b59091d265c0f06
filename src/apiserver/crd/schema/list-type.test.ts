import { describe, expect, test } from "bun:test";
import { validateListTypes } from "./list-type.ts";
import { newStructural } from "./structural.ts";
import { messages } from "./test-support.ts";
import type { JSONSchemaProps } from "./types.ts";

function check(s: JSONSchemaProps, obj: unknown): string[] {
  const r = newStructural(s);
  if (!r.ok) throw new Error(r.error);
  return messages(validateListTypes(obj, r.schema));
}

const setOf = (items: JSONSchemaProps): JSONSchemaProps => ({ type: "object", properties: { l: { type: "array", "x-kubernetes-list-type": "set", items } } });
const mapOf = (keys: string[]): JSONSchemaProps => ({
  type: "object",
  properties: { l: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys, items: { type: "object", properties: { name: { type: "string" }, port: { type: "integer" } } } } },
});

describe("x-kubernetes-list-type", () => {
  test("sets report each repeated value once, at its first repeat", () => {
    expect(check(setOf({ type: "string" }), { l: ["a", "b", "a", "a", "b"] })).toEqual(['l[2]: Duplicate value: "a"', 'l[4]: Duplicate value: "b"']);
    expect(check(setOf({ type: "integer" }), { l: [1, 2, 3] })).toEqual([]);
  });
  test("sets of atomic objects compare by content, whatever the key order", () => {
    expect(check(setOf({ type: "object", "x-kubernetes-map-type": "atomic" }), { l: [{ a: 1, b: 2 }, { b: 2, a: 1 }] })).toEqual([
      'l[1]: Duplicate value: map[string]interface {}{"a":1, "b":2}',
    ]);
  });
  test("maps are unique by their key fields", () => {
    expect(check(mapOf(["name"]), { l: [{ name: "a", port: 1 }, { name: "a", port: 2 }] })).toEqual(['l[1]: Duplicate value: map[string]interface {}{"name":"a"}']);
    expect(check(mapOf(["name", "port"]), { l: [{ name: "a", port: 1 }, { name: "a", port: 2 }, { port: 1, name: "a" }] })).toEqual([
      'l[2]: Duplicate value: map[string]interface {}{"name":"a", "port":1}',
    ]);
  });
  test("items of a map list must be objects", () => {
    expect(check(mapOf(["name"]), { l: [{ name: "a" }, "x"] })).toEqual(['l[1]: Invalid value: "x": must be an object for an array of list-type map']);
  });
  test("nested lists are found through maps and lists", () => {
    const s: JSONSchemaProps = { type: "object", properties: { m: { type: "object", additionalProperties: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } } } } };
    expect(check(s, { m: { k: ["x", "x"] } })).toEqual(['m[k][1]: Duplicate value: "x"']);
  });
});
