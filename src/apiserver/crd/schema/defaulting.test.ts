import { describe, expect, test } from "bun:test";
import { applyDefaults, pruneDefaults } from "./defaulting.ts";
import { newStructural, type Structural } from "./structural.ts";
import type { JSONSchemaProps } from "./types.ts";

function structural(s: JSONSchemaProps): Structural {
  const r = newStructural(s);
  if (!r.ok) throw new Error(r.error);
  pruneDefaults(r.schema);
  return r.schema;
}

function defaulted(s: JSONSchemaProps, obj: unknown): unknown {
  applyDefaults(obj, structural(s));
  return obj;
}

describe("defaulting", () => {
  test("missing fields take their default; present ones keep their value", () => {
    const s: JSONSchemaProps = { type: "object", properties: { a: { type: "integer", default: 1 }, b: { type: "string", default: "x" } } };
    expect(defaulted(s, { b: "y" })).toEqual({ a: 1, b: "y" });
  });

  test("a null in a non-nullable field is defaulted; a nullable field keeps its null", () => {
    const s: JSONSchemaProps = { type: "object", properties: { a: { type: "integer", default: 1 }, b: { type: "integer", nullable: true, default: 2 } } };
    expect(defaulted(s, { a: null, b: null })).toEqual({ a: 1, b: null });
  });

  test("defaults apply inside objects that exist, and inside defaulted objects", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: {
        spec: { type: "object", properties: { replicas: { type: "integer", default: 1 }, strategy: { type: "object", default: {}, properties: { type: { type: "string", default: "Rolling" } } } } },
        missing: { type: "object", properties: { x: { type: "integer", default: 5 } } },
      },
    };
    expect(defaulted(s, { spec: {} })).toEqual({ spec: { replicas: 1, strategy: { type: "Rolling" } } });
  });

  test("defaults apply to every item of an array, and null items take the items' default", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: {
        ports: { type: "array", items: { type: "object", properties: { port: { type: "integer" }, protocol: { type: "string", default: "TCP" } } } },
        names: { type: "array", items: { type: "string", default: "unnamed" } },
      },
    };
    expect(defaulted(s, { ports: [{ port: 80 }, { port: 53, protocol: "UDP" }], names: ["a", null] })).toEqual({
      ports: [{ port: 80, protocol: "TCP" }, { port: 53, protocol: "UDP" }],
      names: ["a", "unnamed"],
    });
  });

  test("additionalProperties values are defaulted too", () => {
    const s: JSONSchemaProps = { type: "object", properties: { m: { type: "object", additionalProperties: { type: "object", properties: { w: { type: "integer", default: 1 } } } } } };
    expect(defaulted(s, { m: { a: {}, b: { w: 3 } } })).toEqual({ m: { a: { w: 1 }, b: { w: 3 } } });
  });

  test("each object gets its own copy of a default", () => {
    const s = structural({ type: "object", properties: { l: { type: "array", items: { type: "object", properties: { tags: { type: "array", items: { type: "string" }, default: ["a"] } } } } } });
    const obj = { l: [{}, {}] } as { l: Array<{ tags: string[] }> };
    applyDefaults(obj, s);
    obj.l[0]!.tags.push("b");
    expect(obj.l[1]!.tags).toEqual(["a"]);
  });

  test("defaults are pruned against their own schema when compiled", () => {
    const s: JSONSchemaProps = { type: "object", properties: { o: { type: "object", properties: { a: { type: "integer" } }, default: { a: 1, b: 2 } } } };
    expect(defaulted(s, {})).toEqual({ o: { a: 1 } });
  });
});
