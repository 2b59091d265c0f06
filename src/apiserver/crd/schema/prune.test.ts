import { describe, expect, test } from "bun:test";
import { dropNulls, pruneObject } from "./prune.ts";
import { newStructural, type Structural } from "./structural.ts";
import type { JSONSchemaProps } from "./types.ts";

function structural(s: JSONSchemaProps): Structural {
  const r = newStructural(s);
  if (!r.ok) throw new Error(r.error);
  return r.schema;
}

function prune(s: JSONSchemaProps, obj: unknown): { obj: unknown; pruned: string[] } {
  const pruned: string[] = [];
  pruneObject(obj, structural(s), pruned);
  return { obj, pruned };
}

describe("pruning", () => {
  test("undeclared fields go, declared ones stay, paths are reported sorted", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: { array: { type: "array", items: { type: "object", properties: { a: { type: "integer" }, c: { type: "integer" } } } }, specified: { type: "object", properties: { a: { type: "integer" }, c: { type: "integer" } } } },
    };
    expect(prune(s, { array: [{ a: 1 }, { b: 1 }, { a: 1, b: 2, c: 3 }], unspecified: { a: 1 }, specified: { a: 1, b: 2, c: 3 } })).toEqual({
      obj: { array: [{ a: 1 }, {}, { a: 1, c: 3 }], specified: { a: 1, c: 3 } },
      pruned: ["array[1].b", "array[2].b", "specified.b", "unspecified"],
    });
  });

  test("the root's apiVersion, kind and metadata are never pruned", () => {
    expect(prune({ type: "object", properties: {} }, { apiVersion: "a/v1", kind: "K", metadata: { name: "x", junk: 1 }, junk: 2 })).toEqual({
      obj: { apiVersion: "a/v1", kind: "K", metadata: { name: "x", junk: 1 } },
      pruned: ["junk"],
    });
  });

  test("x-kubernetes-preserve-unknown-fields keeps unknown fields but prunes inside declared ones", () => {
    const s: JSONSchemaProps = {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      properties: {
        alpha: { type: "string" },
        pruning: { type: "object", properties: { preserving: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, pruning: { type: "object" } } },
        preserving: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { pruning: { type: "object" }, preservingUnknownType: { "x-kubernetes-preserve-unknown-fields": true } },
        },
        // The extension is not inherited by the additionalProperties schema.
        apNotInheriting: { type: "object", "x-kubernetes-preserve-unknown-fields": true, additionalProperties: { type: "object", properties: { specified: { type: "object" } } } },
      },
    };
    const obj = {
      unspecified: "bar",
      alpha: "abc",
      unspecifiedObject: { unspecified: "bar" },
      pruning: { unspecified: "bar", unspecifiedObject: { u: 1 }, pruning: { unspecified: "bar" }, apiVersion: "unknown", preserving: { unspecified: "bar" } },
      preserving: { unspecified: "bar", pruning: { unspecified: "bar" }, preservingUnknownType: [{ foo: true }] },
      apNotInheriting: { foo: { specified: { unspecified: "bar" }, unspecified: "bar" } },
    };
    expect(prune(s, obj)).toEqual({
      obj: {
        unspecified: "bar",
        alpha: "abc",
        unspecifiedObject: { unspecified: "bar" },
        pruning: { pruning: {}, preserving: { unspecified: "bar" } },
        preserving: { unspecified: "bar", pruning: {}, preservingUnknownType: [{ foo: true }] },
        apNotInheriting: { foo: { specified: {} } },
      },
      pruned: [
        "apNotInheriting.foo.specified.unspecified",
        "apNotInheriting.foo.unspecified",
        "preserving.pruning.unspecified",
        "pruning.apiVersion",
        "pruning.pruning.unspecified",
        "pruning.unspecified",
        "pruning.unspecifiedObject",
      ],
    });
  });

  test("additionalProperties: a schema prunes values, true/false prunes everything inside them", () => {
    const s: JSONSchemaProps = { type: "object", properties: { withSchema: { type: "object", additionalProperties: { type: "object", properties: { a: { type: "integer" } } } }, withBool: { type: "object", additionalProperties: true } } };
    expect(prune(s, { withSchema: { k: { a: 1, b: 2 } }, withBool: { k: { a: 1 }, n: 1 } })).toEqual({
      obj: { withSchema: { k: { a: 1 } }, withBool: { k: {}, n: 1 } },
      pruned: ["withBool.k.a", "withSchema.k.b"],
    });
  });

  test("embedded resources keep their apiVersion, kind and metadata and are pruned inside", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: {
        template: { type: "object", "x-kubernetes-embedded-resource": true, properties: { spec: { type: "object", properties: { x: { type: "string" } } } } },
      },
    };
    expect(prune(s, { template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { x: "1", y: 2 }, status: {} } })).toEqual({
      obj: { template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { x: "1" } } },
      pruned: ["template.spec.y", "template.status"],
    });
  });

  test("'__proto__' and 'constructor' are ordinary keys", () => {
    const obj = JSON.parse('{"__proto__": {"x": 1}, "constructor": 1, "a": 1}');
    expect(prune({ type: "object", properties: { a: { type: "integer" } } }, obj)).toEqual({ obj: { a: 1 }, pruned: ["__proto__", "constructor"] });
  });
});

describe("dropping nulls", () => {
  test("nulls that are neither nullable nor defaulted are removed from maps, not from lists", () => {
    const s = structural({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string", nullable: true }, c: { type: "string", default: "x" }, l: { type: "array", items: { type: "string" } } },
    });
    const obj = { a: null, b: null, c: null, l: [null], z: null };
    dropNulls(obj, s);
    expect(obj as unknown).toEqual({ b: null, c: null, l: [null], z: null });
  });
});
