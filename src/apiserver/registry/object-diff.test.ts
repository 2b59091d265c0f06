import { expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { mergeStatusUpdate, semanticallyEqual } from "./object-diff.ts";

const entry = (time: string, fields: Record<string, unknown> = { "f:data": { "f:a": {} } }) => ({ manager: "m", operation: "Apply", apiVersion: "v1", time, fieldsType: "FieldsV1", fieldsV1: fields });
const cm = (managedFields: unknown[], data = { a: "1" }, resourceVersion = "5"): KubeObject =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", resourceVersion, managedFields }, data }) as unknown as KubeObject;

test("a newer managedFields time alone is no change (no write, same resourceVersion)", () => {
  expect(semanticallyEqual(cm([entry("2025-01-01T00:00:09Z")], { a: "1" }, ""), cm([entry("2025-01-01T00:00:00Z")]))).toBe(true);
});

test("a change of managedFields themselves is a change, even with the object otherwise equal", () => {
  expect(semanticallyEqual(cm([entry("2025-01-01T00:00:00Z", { "f:data": {} })]), cm([entry("2025-01-01T00:00:00Z")]))).toBe(false);
  expect(semanticallyEqual(cm([]), cm([entry("2025-01-01T00:00:00Z")]))).toBe(false);
  expect(semanticallyEqual(cm([entry("2025-01-01T00:00:00Z")], { a: "2" }), cm([entry("2025-01-01T00:00:00Z")]))).toBe(false);
});

test("a /status write takes only the status, and the managedFields a server-side apply to /status computed", () => {
  const old = { ...cm([entry("2025-01-01T00:00:00Z")]), status: { phase: "Old" } } as KubeObject;
  const applied = { ...cm([entry("2025-01-01T00:00:00Z"), { ...entry("2025-01-01T00:00:09Z", { "f:status": { "f:phase": {} } }), manager: "s", subresource: "status" }], { a: "changed" }), status: { phase: "New" } } as KubeObject;
  const merged = mergeStatusUpdate(applied, old);
  expect(merged.data).toEqual({ a: "1" });
  expect(merged.status).toEqual({ phase: "New" });
  expect(merged.metadata!.managedFields!.map((e) => e.manager)).toEqual(["m", "s"]);
  const { managedFields: _none, ...bare } = applied.metadata!;
  expect(mergeStatusUpdate({ ...applied, metadata: bare }, old).metadata!.managedFields).toBeUndefined();
});
