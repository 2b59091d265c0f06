import { expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { semanticallyEqual } from "./object-diff.ts";

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
