import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { applyPatch, MAX_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS, PATCH_TYPES } from "./index.ts";
import { thrownApiError as failure } from "../api/testing.ts";

const POD = { group: "", kind: "Pod" };

function jsonPatch(doc: Record<string, unknown>, ops: unknown): KubeObject {
  return applyPatch(PATCH_TYPES.json, doc as KubeObject, typeof ops === "string" ? ops : JSON.stringify(ops), POD);
}

describe("operations", () => {
  const cases: Array<{ name: string; doc: Record<string, unknown>; ops: unknown[]; want: unknown }> = [
    { name: "add a member", doc: { a: 1 }, ops: [{ op: "add", path: "/b", value: 2 }], want: { a: 1, b: 2 } },
    { name: "add replaces an existing member", doc: { a: 1 }, ops: [{ op: "add", path: "/a", value: [1] }], want: { a: [1] } },
    { name: "add inserts into an array", doc: { l: [1, 3] }, ops: [{ op: "add", path: "/l/1", value: 2 }], want: { l: [1, 2, 3] } },
    { name: "add at the array's length appends", doc: { l: [1] }, ops: [{ op: "add", path: "/l/1", value: 2 }], want: { l: [1, 2] } },
    { name: "add at - appends", doc: { l: [1] }, ops: [{ op: "add", path: "/l/-", value: 2 }], want: { l: [1, 2] } },
    { name: "add with a negative index counts from the end", doc: { l: [1, 2] }, ops: [{ op: "add", path: "/l/-1", value: 9 }], want: { l: [1, 2, 9] } },
    { name: "add without a value adds null", doc: {}, ops: [{ op: "add", path: "/a" }], want: { a: null } },
    { name: "remove a member", doc: { a: 1, b: 2 }, ops: [{ op: "remove", path: "/a" }], want: { b: 2 } },
    { name: "remove an array element", doc: { l: [1, 2, 3] }, ops: [{ op: "remove", path: "/l/1" }], want: { l: [1, 3] } },
    { name: "remove the last element by -1", doc: { l: [1, 2, 3] }, ops: [{ op: "remove", path: "/l/-1" }], want: { l: [1, 2] } },
    { name: "replace a member", doc: { a: 1 }, ops: [{ op: "replace", path: "/a", value: "x" }], want: { a: "x" } },
    { name: "replace of a missing member adds it", doc: {}, ops: [{ op: "replace", path: "/a", value: 1 }], want: { a: 1 } },
    { name: "replace an array element", doc: { l: [1, 2] }, ops: [{ op: "replace", path: "/l/0", value: 0 }], want: { l: [0, 2] } },
    { name: "replace the whole document", doc: { a: 1 }, ops: [{ op: "replace", path: "", value: { b: 2 } }], want: { b: 2 } },
    { name: "move a member", doc: { a: { x: 1 }, b: {} }, ops: [{ op: "move", from: "/a/x", path: "/b/y" }], want: { a: {}, b: { y: 1 } } },
    { name: "move within an array", doc: { l: [1, 2, 3] }, ops: [{ op: "move", from: "/l/0", path: "/l/-" }], want: { l: [2, 3, 1] } },
    { name: "copy a member", doc: { a: { x: [1] } }, ops: [{ op: "copy", from: "/a", path: "/b" }], want: { a: { x: [1] }, b: { x: [1] } } },
    { name: "copy from a missing member copies null", doc: { a: 1 }, ops: [{ op: "copy", from: "/nope", path: "/b" }], want: { a: 1, b: null } },
    { name: "test then replace", doc: { a: "v1" }, ops: [{ op: "test", path: "/a", value: "v1" }, { op: "replace", path: "/a", value: "v2" }], want: { a: "v2" } },
    { name: "test compares objects regardless of key order", doc: { a: { x: 1, y: [1, { z: 2 }] } }, ops: [{ op: "test", path: "/a", value: { y: [1, { z: 2 }], x: 1 } }], want: { a: { x: 1, y: [1, { z: 2 }] } } },
    { name: "test of a missing member against null passes", doc: {}, ops: [{ op: "test", path: "/a", value: null }], want: {} },
    { name: "test of the whole document", doc: { a: 1 }, ops: [{ op: "test", path: "", value: { a: 1 } }], want: { a: 1 } },
    { name: "~1 and ~0 escape / and ~", doc: { "a/b": 1, "c~d": 2 }, ops: [{ op: "remove", path: "/a~1b" }, { op: "replace", path: "/c~0d", value: 3 }], want: { "c~d": 3 } },
    { name: "~01 is ~1 literally, not /", doc: {}, ops: [{ op: "add", path: "/~01", value: 1 }], want: { "~1": 1 } },
    { name: "label keys with slashes", doc: { metadata: { labels: { "app.kubernetes.io/name": "x" } } }, ops: [{ op: "remove", path: "/metadata/labels/app.kubernetes.io~1name" }], want: { metadata: { labels: {} } } },
    { name: "the text before the first / is ignored", doc: { a: 1 }, ops: [{ op: "replace", path: "junk/a", value: 2 }], want: { a: 2 } },
    { name: "\"__proto__\" is an ordinary member", doc: {}, ops: [{ op: "add", path: "/__proto__", value: { polluted: true } }], want: JSON.parse('{"__proto__":{"polluted":true}}') },
    { name: "a null patch changes nothing", doc: { a: 1 }, ops: [], want: { a: 1 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = jsonPatch(c.doc, c.ops);
      expect(out).toEqual(c.want as KubeObject);
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    });
  }

  test("a null body is a no-op", () => expect(jsonPatch({ a: 1 }, "null")).toEqual({ a: 1 } as KubeObject));
});

describe("operations that cannot apply are upstream's generic 422", () => {
  const cases: Array<{ name: string; doc: Record<string, unknown>; ops: unknown[]; cause: string }> = [
    { name: "failed test", doc: { metadata: { resourceVersion: "5" } }, ops: [{ op: "test", path: "/metadata/resourceVersion", value: "4" }], cause: "testing value /metadata/resourceVersion failed: test failed" },
    { name: "test of a missing member against a value", doc: {}, ops: [{ op: "test", path: "/a", value: 1 }], cause: "testing value /a failed: test failed" },
    { name: "test without a value", doc: { a: 1 }, ops: [{ op: "test", path: "/a" }], cause: "testing value /a failed: test failed" },
    { name: "add under a missing parent", doc: {}, ops: [{ op: "add", path: "/a/b", value: 1 }], cause: 'add operation does not apply: doc is missing path: "/a/b": missing value' },
    { name: "add past the end of an array", doc: { l: [] }, ops: [{ op: "add", path: "/l/2", value: 1 }], cause: "error in add for path: '/l/2'" },
    { name: "add to the root", doc: {}, ops: [{ op: "add", path: "", value: {} }], cause: "add operation does not apply" },
    { name: "path without a slash", doc: {}, ops: [{ op: "add", path: "invalid", value: 1 }], cause: "doc is missing path" },
    { name: "remove a missing member", doc: {}, ops: [{ op: "remove", path: "/a" }], cause: "Unable to remove nonexistent key: a" },
    { name: "remove past the end", doc: { l: [1] }, ops: [{ op: "remove", path: "/l/1" }], cause: "error in remove for path: '/l/1'" },
    { name: "replace past the end", doc: { l: [1] }, ops: [{ op: "replace", path: "/l/5", value: 1 }], cause: "replace operation does not apply: doc is missing key: /l/5" },
    { name: "array index that is not a number", doc: { l: [1] }, ops: [{ op: "replace", path: "/l/x", value: 1 }], cause: "doc is missing key" },
    { name: "descending through a scalar", doc: { a: 1 }, ops: [{ op: "add", path: "/a/b", value: 1 }], cause: "doc is missing path" },
    { name: "move from a missing member", doc: {}, ops: [{ op: "move", from: "/a", path: "/b" }], cause: "Unable to remove nonexistent key: a" },
    { name: "replace the root with a scalar", doc: {}, ops: [{ op: "replace", path: "", value: 1 }], cause: "replace operation value must be object or array" },
    { name: "unknown operation", doc: {}, ops: [{ op: "frobnicate", path: "/a" }], cause: "Unexpected kind: frobnicate" },
    { name: "missing op", doc: {}, ops: [{ path: "/a" }], cause: "Unexpected kind: unknown" },
    { name: "null operation", doc: {}, ops: [null], cause: "Unexpected kind: unknown" },
    { name: "missing path", doc: {}, ops: [{ op: "add", value: 1 }], cause: "add operation failed to decode path" },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const err = failure(() => jsonPatch(c.doc, c.ops));
      expect(err.toStatus()).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "the server rejected our request due to an error in our request",
        reason: "Invalid",
        details: {},
        code: 422,
      });
      expect(String(err.cause)).toContain(c.cause);
    });
  }

  test("operations before a failing one do not leak into the input", () => {
    const doc = { a: 1 };
    failure(() => jsonPatch(doc, [{ op: "replace", path: "/a", value: 2 }, { op: "test", path: "/a", value: 3 }]));
    expect(doc).toEqual({ a: 1 });
  });
});

describe("malformed bodies are 400s worded like Go's strict decoder", () => {
  const cases: Array<[string, string]> = [
    ["", "error decoding patch: unexpected end of JSON input"],
    ["[{", "error decoding patch: unexpected end of JSON input"],
    ["{]", "error decoding patch: invalid character ']' looking for beginning of object key string"],
    ['{"op":"add"}', "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"],
    ['"x"', "error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp"],
    ["[1]", "error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp"],
    ['[{"op":"add","path":5}]', "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string"],
    ['[{"op":true}]', "error decoding patch: json: cannot unmarshal bool into Go struct field jsonPatchOp.op of type string"],
    ['[{"from":[],"op":{}}]', "error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.from of type string"],
  ];
  for (const [body, message] of cases) {
    test(JSON.stringify(body), () => {
      const err = failure(() => jsonPatch({}, body));
      expect([err.code, err.reason, err.message]).toEqual([400, "BadRequest", message]);
    });
  }
});

describe("limits", () => {
  test(`more than ${MAX_JSON_PATCH_OPERATIONS} operations is 413`, () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: "test", path: "/a", value: 1 }));
    const err = failure(() => jsonPatch({ a: 1 }, ops));
    expect([err.code, err.reason, err.message]).toEqual([
      413,
      "RequestEntityTooLarge",
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${MAX_JSON_PATCH_OPERATIONS + 1}`,
    ]);
  });

  test(`exactly ${MAX_JSON_PATCH_OPERATIONS} operations apply`, () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS }, () => ({ op: "test", path: "/a", value: 1 }));
    expect(jsonPatch({ a: 1 }, ops)).toEqual({ a: 1 } as KubeObject);
  });

  test("copies may not grow the document past the copy budget", () => {
    const big = "x".repeat(1024 * 1024);
    const ops = [0, 1, 2, 3].map((i) => ({ op: "copy", from: "/big", path: `/c${i}` }));
    const err = failure(() => jsonPatch({ big }, ops));
    expect(err.code).toBe(422);
    expect(String(err.cause)).toContain(`exceeding the limit ${MAX_COPY_BYTES}`);
    expect(Object.keys(jsonPatch({ big }, ops.slice(0, 2)))).toEqual(["big", "c0", "c1"]);
  });
});

describe("as kubectl sends them", () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", resourceVersion: "42", labels: { app: "web" }, managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update" }] },
    spec: { replicas: 1, template: { spec: { containers: [{ name: "web", image: "nginx:1.25", args: ["a"] }] } } },
  };

  test("kubectl patch --type=json replacing an image and appending an arg", () => {
    const out = jsonPatch(deployment, [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.26" },
      { op: "add", path: "/spec/template/spec/containers/0/args/-", value: "b" },
    ]) as typeof deployment;
    expect(out.spec.template.spec.containers[0]).toEqual({ name: "web", image: "nginx:1.26", args: ["a", "b"] });
  });

  test("server-side apply migration: test the resourceVersion, then rewrite managedFields", () => {
    const ops = [
      { op: "test", path: "/metadata/resourceVersion", value: "42" },
      { op: "replace", path: "/metadata/managedFields", value: [{ manager: "kubectl", operation: "Apply" }] },
    ];
    expect((jsonPatch(deployment, ops) as typeof deployment).metadata.managedFields).toEqual([{ manager: "kubectl", operation: "Apply" }]);
    const stale = [{ ...ops[0], value: "41" }, ops[1]];
    expect(failure(() => jsonPatch(deployment, stale)).code).toBe(422);
  });
});
