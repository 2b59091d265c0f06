/**
 * The customresourcedefinitions resource over the generic store, without the CRD controller:
 * what create, update, /status and delete do to a CRD.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RequestContext } from "../registry/definition.ts";
import type { GenericStore } from "../registry/store.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { toTable } from "../http/table.ts";
import { Registry } from "../registry/registry.ts";
import { customResourceDefinitionDefinition as def } from "./definition.ts";
import { asCrd, type CustomResourceDefinition } from "./types.ts";
import { apiFailure as failure } from "../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let store: GenericStore;
beforeAll(() => {
  backend = tempStore();
  store = new Registry(backend).add(def);
});
afterAll(async () => {
  await backend.dispose();
});

const ctx = (): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace: "", dryRun: false, now: Date.now() });

function crd(plural: string): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: "example.com",
      scope: "Cluster",
      names: { plural, kind: "Thing" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
    },
    status: { conditions: [{ type: "Established", status: "True" }], acceptedNames: { plural: "x", kind: "X" }, storedVersions: ["v9"] },
  };
}


describe("customresourcedefinitions", () => {
  test("create defaults the spec and starts the status afresh", async () => {
    const created = asCrd(await store.create("", crd("things"), ctx()));
    expect(created.spec.names).toEqual({ plural: "things", kind: "Thing", singular: "thing", listKind: "ThingList" });
    expect(created.spec.conversion).toEqual({ strategy: "None" });
    expect(created.status).toEqual({ conditions: null, acceptedNames: { plural: "", kind: "" }, storedVersions: ["v1"] });
    expect(created.metadata?.generation).toBe(1);
  });

  test("an invalid CRD is refused with every problem in one 422", async () => {
    const bad = crd("gizmos");
    bad.metadata!.name = "gizmo.example.com";
    bad.spec.scope = "Everywhere";
    const err = await failure(store.create("", bad, ctx()));
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "gizmo.example.com" is invalid: [metadata.name: Invalid value: "gizmo.example.com": must be spec.names.plural+"."+spec.group, spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"]',
    );
  });

  test("updates keep the status, count spec changes and record a new storage version", async () => {
    const current = asCrd(await store.get("", "things.example.com"));
    const next = structuredClone(current);
    next.spec.versions = [
      { name: "v1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
      { name: "v2", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } } } },
    ];
    next.status = { conditions: [], acceptedNames: { plural: "other", kind: "Other" }, storedVersions: ["v2"] };
    const { object } = await store.update("", "things.example.com", next, ctx());
    const updated = asCrd(object);
    expect(updated.metadata?.generation).toBe(2);
    expect(updated.status).toEqual({ conditions: null, acceptedNames: { plural: "", kind: "" }, storedVersions: ["v1", "v2"] });
    const relabelled = structuredClone(updated);
    relabelled.metadata!.labels = { a: "b" };
    expect(asCrd((await store.update("", "things.example.com", relabelled, ctx())).object).metadata?.generation).toBe(2);
  });

  test("the plural and group never change", async () => {
    const current = asCrd(await store.get("", "things.example.com"));
    const next = structuredClone(current);
    next.spec.names.plural = "stuffs";
    const err = await failure(store.update("", "things.example.com", next, ctx()));
    expect(err.message).toContain('spec.names.plural: Invalid value: "stuffs": field is immutable');
  });

  test("/status changes only the status, and checks the accepted names", async () => {
    const current = asCrd(await store.get("", "things.example.com"));
    const next = structuredClone(current);
    next.status!.acceptedNames = { plural: "things", kind: "Thing" };
    next.spec.scope = "Namespaced";
    const updated = asCrd((await store.update("", "things.example.com", next, ctx(), { subresource: "status" })).object);
    expect(updated.status!.acceptedNames).toEqual({ plural: "things", kind: "Thing" });
    expect(updated.spec.scope).toBe("Cluster");
    const bad = structuredClone(updated);
    bad.status!.acceptedNames.plural = "Things!";
    expect((await failure(store.update("", "things.example.com", bad, ctx(), { subresource: "status" }))).message).toContain("status.acceptedNames.plural: Invalid value");
  });

  test("the table is NAME and CREATED AT", async () => {
    const obj = await store.get("", "things.example.com");
    const table = toTable(def, [obj], { include: "None" });
    expect(table.columnDefinitions.map((c) => [c.name, c.type, c.format])).toEqual([
      ["Name", "string", "name"],
      ["Created At", "date", ""],
    ]);
    expect(table.rows[0]!.cells).toEqual(["things.example.com", obj.metadata!.creationTimestamp]);
  });

  test("the first delete only marks the CRD and adds the cleanup finalizer", async () => {
    const before = await store.get("", "things.example.com");
    const { object, pending } = await store.delete("", "things.example.com", ctx());
    const marked = asCrd(object);
    expect(pending).toBe(true);
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    expect(marked.metadata?.deletionGracePeriodSeconds).toBeUndefined();
    expect(marked.metadata?.generation).toBe(before.metadata?.generation);
    expect(marked.metadata?.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    expect(marked.status!.conditions!.find((c) => c.type === "Terminating")).toMatchObject({
      status: "True",
      reason: "InstanceDeletionPending",
      message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    });
    // A second delete changes nothing; dropping the finalizer lets the CRD go.
    expect((await store.delete("", "things.example.com", ctx())).object.metadata?.resourceVersion).toBe(marked.metadata?.resourceVersion);
    const released = structuredClone(marked);
    released.metadata!.finalizers = [];
    await store.update("", "things.example.com", released, ctx());
    expect((await failure(store.get("", "things.example.com"))).code).toBe(404);
  });
});
