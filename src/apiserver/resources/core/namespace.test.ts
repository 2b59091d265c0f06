import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { namespaceDefinition as def } from "./namespace.ts";
import { ago, create, ctx, headers, row, selectable, update } from "./testing.ts";

describe("namespaces", () => {
  test("metadata", () => {
    expect([def.plural, def.shortNames, def.namespaced, def.nameRule, def.statusSubresource]).toEqual(["namespaces", ["ns"], false, "label", true]);
    expect(def.verbs).not.toContain("deletecollection");
  });

  test("a new namespace is Active, labelled with its name, and holds the kubernetes finalizer", () => {
    const { obj, errors } = create(def, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    expect(errors).toEqual([]);
    expect(obj.metadata?.labels).toEqual({ "kubernetes.io/metadata.name": "team-a" });
    expect(obj.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(obj.status).toEqual({ phase: "Active" });
    expect(def.extraFinalizers?.(obj)).toEqual(["kubernetes"]);
  });

  test("the name label cannot be changed away", () => {
    const { obj } = create(def, { metadata: { name: "team-a", labels: { "kubernetes.io/metadata.name": "other", x: "y" } } });
    expect(obj.metadata?.labels).toEqual({ "kubernetes.io/metadata.name": "team-a", x: "y" });
  });

  test("updates keep spec.finalizers; bad finalizer names are rejected", () => {
    const stored = create(def, { metadata: { name: "team-a" } }).obj;
    const { obj } = update(def, { metadata: { name: "team-a" }, spec: { finalizers: [] } }, stored);
    expect(obj.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(create(def, { metadata: { name: "x" }, spec: { finalizers: ["custom"] } }).errors).toEqual([
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  test("only the finalize subresource changes spec.finalizers, terminating or not", () => {
    const stored = create(def, { metadata: { name: "team-a" } }).obj;
    const terminating = { ...stored, metadata: { ...stored.metadata, deletionTimestamp: "2025-01-01T00:00:00Z" } };
    expect(update(def, { metadata: { name: "team-a" }, spec: { finalizers: [] } }, terminating).obj.spec).toEqual({ finalizers: ["kubernetes"] });
    const finalize = { ...ctx, subresource: "finalize" };
    expect(update(def, { metadata: { name: "team-a" }, spec: { finalizers: [] } }, terminating, finalize).obj.spec).toEqual({ finalizers: [] });
    expect(update(def, { metadata: { name: "team-a" }, spec: { finalizers: ["kubernetes", "example.com/x"] } }, stored, finalize).obj.spec).toEqual({ finalizers: ["kubernetes", "example.com/x"] });
  });

  test("deletion marks the namespace Terminating", () => {
    const ns = create(def, { metadata: { name: "team-a" } }).obj;
    def.strategy?.prepareForDelete?.(ns);
    expect(ns.status).toEqual({ phase: "Terminating" });
  });

  test("table and selector", () => {
    expect(headers(def)).toEqual(["Name", "Status", "Age"]);
    const ns = { metadata: { name: "default", creationTimestamp: ago(10 * 86_400_000) }, status: { phase: "Active" } } as KubeObject;
    expect(row(def, ns)).toEqual({ Name: "default", Status: "Active", Age: "10d" });
    expect(selectable(def, ns)).toEqual({ "status.phase": "Active" });
  });
});
