/**
 * The customresourcecleanup finalizer's work (upstream's CRDFinalizer.deleteInstances): delete
 * every object of a CRD in every namespace, straight through storage, then wait until none is
 * left (objects with finalizers of their own go when those are done).
 */
import type { Backend } from "../../store/index.ts";
import type { RequestContext, ResourceDefinition } from "../registry/definition.ts";
import type { CustomResourceDefinition, CustomResourceDefinitionCondition } from "./types.ts";
import { ApiError } from "../api/errors.ts";
import { GenericStore } from "../registry/store.ts";
import { storagePathOf } from "./custom/definitions.ts";

/** Upstream polls for a minute before reporting that objects remain. */
const WAIT_MS = 60_000;
/** Upstream polls every 5 s; objects without finalizers are gone at once here, so look sooner. */
const POLL_MS = 200;

export class CleanupFailed extends Error {
  constructor(readonly condition: CustomResourceDefinitionCondition) {
    super(condition.message);
  }
}

/** A store over the CRD's stored objects as they are, whichever versions are served. */
function storageStore(crd: CustomResourceDefinition, backend: Backend): GenericStore {
  const accepted = crd.status?.acceptedNames ?? crd.spec.names;
  const storage = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0]!;
  const def: ResourceDefinition = {
    group: crd.spec.group,
    version: storage.name,
    kind: accepted.kind,
    plural: accepted.plural,
    singular: accepted.singular || accepted.kind.toLowerCase(),
    namespaced: crd.spec.scope === "Namespaced",
    storagePath: storagePathOf(crd),
  };
  return new GenericStore(def, backend);
}

/** Deletes the CRD's objects; resolves with the Terminating condition to record, or throws CleanupFailed. */
export async function deleteInstances(crd: CustomResourceDefinition, backend: Backend, ctx: RequestContext, signal: AbortSignal): Promise<CustomResourceDefinitionCondition> {
  const store = storageStore(crd, backend);
  const failed = (reason: string, message: string) => new CleanupFailed({ type: "Terminating", status: "True", reason, message });
  let items;
  try {
    items = (await store.list("")).items;
  } catch (err) {
    throw failed("InstanceDeletionFailed", `could not list instances: ${(err as Error).message}`);
  }
  const namespaces = new Set(items.map((o) => o.metadata?.namespace ?? ""));
  const errors: string[] = [];
  for (const ns of namespaces) {
    try {
      await store.deleteCollection(ns, {}, { ...ctx, namespace: ns });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw failed("InstanceDeletionFailed", `could not issue all deletes: ${errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`}`);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const left = (await store.list("", { limit: 1 })).items.length;
    if (left === 0) break;
    if (Date.now() >= deadline || signal.aborted) {
      throw failed("InstanceDeletionCheck", "could not confirm zero CustomResources remaining: timed out waiting for the condition");
    }
    await Bun.sleep(POLL_MS);
  }
  return { type: "Terminating", status: "False", reason: "InstanceDeletionCompleted", message: "removed all instances" };
}
