import { afterAll, beforeAll, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { LocalClient } from "../../local-client.ts";
import { Registry } from "../../registry/registry.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { namespaceDefinition } from "./namespace.ts";

const NAMESPACES = { group: "", version: "v1", resource: "namespaces" };
let backend: ReturnType<typeof tempStore>;
let client: LocalClient;
beforeAll(() => {
  backend = tempStore();
  const registry = new Registry(backend);
  registry.add(namespaceDefinition);
  client = new LocalClient(registry);
});
afterAll(async () => {
  await backend.dispose();
});

const finalize = (ns: KubeObject, finalizers: string[]) => client.update(NAMESPACES, "", { ...ns, spec: { finalizers } }, { subresource: "finalize" });

test("finalize sets spec.finalizers (which a plain update keeps) and leaves status alone", async () => {
  const ns = await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "fin" } });
  const updated = await client.update(NAMESPACES, "", { ...ns, spec: { finalizers: [] } });
  expect(updated.spec).toEqual({ finalizers: ["kubernetes"] });
  const finalized = await finalize({ ...updated, status: { phase: "Terminating" } }, ["kubernetes", "example.com/x"]);
  expect(finalized.spec).toEqual({ finalizers: ["kubernetes", "example.com/x"] });
  expect(finalized.status).toEqual({ phase: "Active" });
});

test("finalize validates finalizer names and honours a stale resourceVersion as a conflict", async () => {
  const ns = await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "checked" } });
  await expect(finalize(ns, ["bogus"])).rejects.toMatchObject({ code: 422 });
  await finalize(ns, []);
  await expect(finalize(ns, [])).rejects.toMatchObject({ code: 409 });
});

test("a terminating namespace whose last finalizer is removed through finalize is gone", async () => {
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "leaving" } });
  const deleting = await client.delete(NAMESPACES, "", "leaving");
  expect(deleting.status).toEqual({ phase: "Terminating" });
  await finalize(deleting, []);
  await expect(client.get(NAMESPACES, "", "leaving")).rejects.toMatchObject({ code: 404 });
});
