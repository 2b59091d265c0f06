import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { applyPatch, PATCH_TYPES } from "./index.ts";
import { thrownApiError as failure } from "../api/testing.ts";

function mergePatch(doc: Record<string, unknown>, patch: unknown): unknown {
  return applyPatch(PATCH_TYPES.merge, doc as KubeObject, typeof patch === "string" ? patch : JSON.stringify(patch), undefined);
}

describe("RFC 7386 semantics", () => {
  const cases: Array<[string, Record<string, unknown>, unknown, unknown]> = [
    ["replace a member", { a: "b" }, { a: "c" }, { a: "c" }],
    ["add a member", { a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    ["null removes a member", { a: "b", b: "c" }, { a: null }, { b: "c" }],
    ["null for a missing member is a no-op", { a: 1 }, { z: null }, { a: 1 }],
    ["objects merge recursively", { a: { b: "c", d: "e" } }, { a: { b: "x", d: null } }, { a: { b: "x" } }],
    ["arrays replace", { a: [1, 2] }, { a: [3] }, { a: [3] }],
    ["an object replaces a scalar", { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ["a scalar replaces an object", { a: { b: 1 } }, { a: 2 }, { a: 2 }],
    ["an empty patch changes nothing", { a: 1 }, {}, { a: 1 }],
    ["nulls inside a new object are dropped", {}, { a: { b: null, c: { d: null, e: 1 } } }, { a: { c: { e: 1 } } }],
    ["nulls inside objects of a new array are dropped, null elements stay", {}, { a: [{ b: null, c: 1 }, null] }, { a: [{ c: 1 }, null] }],
    ["a member that was null takes the patch value with nulls dropped", { a: null }, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ["an array replacing an object is taken as it is", { a: { x: 1 } }, { a: [{ b: null }] }, { a: [{ b: null }] }],
    ["\"__proto__\" and \"constructor\" are plain members", {}, JSON.parse('{"__proto__":{"x":1},"constructor":2}'), JSON.parse('{"__proto__":{"x":1},"constructor":2}')],
  ];
  for (const [name, doc, patch, want] of cases) {
    test(name, () => {
      const out = mergePatch(doc, patch);
      expect(out).toEqual(want);
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    });
  }
});

describe("as kubectl sends them", () => {
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { app: "web", tier: "front" }, annotations: { note: "x" } }, data: { k: "v" } };

  test("kubectl label env=prod", () => {
    expect(mergePatch(cm, { metadata: { labels: { env: "prod" } } })).toEqual({ ...cm, metadata: { ...cm.metadata, labels: { app: "web", tier: "front", env: "prod" } } });
  });

  test("kubectl label tier-", () => {
    expect((mergePatch(cm, { metadata: { labels: { tier: null } } }) as typeof cm).metadata.labels).toEqual({ app: "web" } as typeof cm.metadata.labels);
  });

  test("kubectl annotate --overwrite and removal in one patch", () => {
    const out = mergePatch(cm, { metadata: { annotations: { note: null, owner: "me" } } }) as typeof cm;
    expect(out.metadata.annotations).toEqual({ owner: "me" } as unknown as typeof cm.metadata.annotations);
  });

  test("kubectl scale (merge patch of spec.replicas)", () => {
    expect(mergePatch({ spec: { replicas: 1, selector: {} } }, { spec: { replicas: 5 } })).toEqual({ spec: { replicas: 5, selector: {} } });
  });

  test("kubectl patch --type=merge replaces lists wholesale (no merge keys)", () => {
    const pod = { spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] } };
    expect(mergePatch(pod, { spec: { containers: [{ name: "a", image: "z" }] } })).toEqual({ spec: { containers: [{ name: "a", image: "z" }] } });
  });
});

describe("malformed bodies", () => {
  const cases: Array<[string, number, string]> = [
    ["{", 400, "error decoding patch: unexpected end of JSON input"],
    ["{\"a\":}", 400, "error decoding patch: invalid character '}' looking for beginning of value"],
    ["[1]", 400, "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"],
    ['"x"', 400, "error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}"],
    ["3", 400, "error decoding patch: json: cannot unmarshal number into Go value of type map[string]interface {}"],
    ["null", 400, "Invalid JSON Patch"],
  ];
  for (const [body, code, message] of cases) {
    test(body, () => {
      const err = failure(() => mergePatch({ a: 1 }, body));
      expect([err.code, err.reason, err.message]).toEqual([code, "BadRequest", message]);
    });
  }
});
