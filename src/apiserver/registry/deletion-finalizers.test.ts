import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext, ResourceDefinition } from "./definition.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { deletionFinalizers } from "./deletion-finalizers.ts";
import { GenericStore } from "./store.ts";

const withFinalizers = (finalizers?: string[]): KubeObject => ({ metadata: { name: "x", finalizers } });
const background: Pick<ResourceDefinition, "garbageCollectionPolicy"> = {};

describe("deletionFinalizers (the propagation policy as a finalizer)", () => {
  test("the request's policy decides first, replacing a GC finalizer the object has", () => {
    expect(deletionFinalizers(background, withFinalizers(), "Foreground")).toEqual(["foregroundDeletion"]);
    expect(deletionFinalizers(background, withFinalizers(["a/b"]), "Orphan")).toEqual(["a/b", "orphan"]);
    expect(deletionFinalizers(background, withFinalizers(["orphan", "a/b"]), "Foreground")).toEqual(["a/b", "foregroundDeletion"]);
    expect(deletionFinalizers(background, withFinalizers(["foregroundDeletion"]), "Background")).toEqual([]);
    expect(deletionFinalizers(background, withFinalizers(), "Background")).toBeUndefined();
  });

  test("without a policy: a GC finalizer the object has stays, else the type's default applies", () => {
    expect(deletionFinalizers(background, withFinalizers(["foregroundDeletion"]), undefined)).toBeUndefined();
    expect(deletionFinalizers(background, withFinalizers(), undefined)).toBeUndefined();
    expect(deletionFinalizers({ garbageCollectionPolicy: "OrphanDependents" }, withFinalizers(), undefined)).toEqual(["orphan"]);
    expect(deletionFinalizers({ garbageCollectionPolicy: "OrphanDependents" }, withFinalizers(), "Background")).toBeUndefined();
  });

  test("types without garbage collection never get the finalizers", () => {
    expect(deletionFinalizers({ garbageCollectionPolicy: "Unsupported" }, withFinalizers(), "Foreground")).toBeUndefined();
    expect(deletionFinalizers({ garbageCollectionPolicy: "Unsupported" }, withFinalizers(), "Orphan")).toBeUndefined();
  });

  test("the same set in another order is no change", () => {
    expect(deletionFinalizers(background, withFinalizers(["orphan", "a/b"]), "Orphan")).toBeUndefined();
  });
});

describe("the store's DELETE with a propagation policy", () => {
  let backend: ReturnType<typeof tempStore>;
  let store: GenericStore;
  const def: ResourceDefinition = { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap", namespaced: true };
  const ctx: RequestContext = { user: { username: "admin", groups: ["system:masters"] }, namespace: "ns", dryRun: false, now: Date.now() };
  beforeAll(() => {
    backend = tempStore();
    store = new GenericStore(def, backend);
  });
  afterAll(async () => {
    await backend.dispose();
  });
  const create = (name: string, finalizers?: string[]) => store.create("ns", { apiVersion: "v1", kind: "ConfigMap", metadata: { name, finalizers } }, ctx);

  test("Foreground and Orphan keep the object, marked for deletion, with the collector's finalizer", async () => {
    for (const [policy, finalizer] of [["Foreground", "foregroundDeletion"], ["Orphan", "orphan"]] as const) {
      await create(`keep-${finalizer.toLowerCase()}`);
      const { object, pending } = await store.delete("ns", `keep-${finalizer.toLowerCase()}`, ctx, { propagationPolicy: policy });
      expect(pending).toBe(true);
      expect(object.metadata).toMatchObject({ finalizers: [finalizer], deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 0 });
      expect((await store.get("ns", `keep-${finalizer.toLowerCase()}`)).metadata?.finalizers).toEqual([finalizer]);
    }
  });

  test("a second delete may switch the policy of a deletion under way; Background then removes it", async () => {
    await create("switch");
    const first = (await store.delete("ns", "switch", ctx, { propagationPolicy: "Foreground" })).object;
    const second = (await store.delete("ns", "switch", ctx, { propagationPolicy: "Orphan" })).object;
    expect(second.metadata?.finalizers).toEqual(["orphan"]);
    expect(second.metadata?.deletionTimestamp).toBe(first.metadata?.deletionTimestamp);
    // Asked again without a policy, nothing changes.
    expect((await store.delete("ns", "switch", ctx)).object.metadata?.resourceVersion).toBe(second.metadata?.resourceVersion);
    const last = await store.delete("ns", "switch", ctx, { propagationPolicy: "Background" });
    expect(last.pending).toBe(false);
    await expect(store.get("ns", "switch")).rejects.toMatchObject({ code: 404 });
  });

  test("Background removes an orphan finalizer the object was created with, and deletes at once", async () => {
    await create("pre-orphaned", ["orphan"]);
    expect((await store.delete("ns", "pre-orphaned", ctx, { propagationPolicy: "Background" })).pending).toBe(false);
  });

  test("other finalizers stay beside the collector's; dry run writes nothing", async () => {
    await create("held", ["example.com/hold"]);
    const dry = await store.delete("ns", "held", ctx, { propagationPolicy: "Orphan", dryRun: true });
    expect(dry.object.metadata?.finalizers).toEqual(["example.com/hold", "orphan"]);
    expect((await store.get("ns", "held")).metadata?.finalizers).toEqual(["example.com/hold"]);
    const real = await store.delete("ns", "held", ctx, { propagationPolicy: "Orphan" });
    expect(real.object.metadata?.finalizers).toEqual(["example.com/hold", "orphan"]);
  });
});
