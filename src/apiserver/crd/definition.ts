/**
 * The apiextensions.k8s.io/v1 customresourcedefinitions resource (upstream's
 * registry/customresourcedefinition): cluster-scoped, short names crd/crds, category
 * api-extensions, a status subresource, and a first DELETE that only marks the CRD and adds the
 * cleanup finalizer, so its objects can be removed before it goes.
 */
import type { KubeObject } from "../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../registry/definition.ts";
import { createdAtColumn, nameColumn } from "../resources/printing.ts";
import { setCondition } from "./conditions.ts";
import { defaultCrd } from "./defaults.ts";
import { asCrd, CLEANUP_FINALIZER, CRD_GROUP, CRD_PLURAL, CRD_VERSION, type CustomResourceDefinition } from "./types.ts";
import { validateCrd, validateCrdStatusUpdate, validateCrdUpdate } from "./validation/validate-crd.ts";

/** The storage version joins status.storedVersions as soon as objects may be written in it. */
function recordStorageVersion(crd: CustomResourceDefinition): void {
  const storage = (crd.spec.versions ?? []).find((v) => v.storage);
  if (!storage || !crd.status) return;
  const stored = crd.status.storedVersions ?? [];
  if (!stored.includes(storage.name)) crd.status.storedVersions = [...stored, storage.name];
}

/** CRDs being created: `validate` applies the create rules to them, the update rules being `validateUpdate`'s. */
const creating = new WeakSet<KubeObject>();

const strategy: Strategy = {
  defaults: (obj) => defaultCrd(asCrd(obj)),
  prepareForCreate(obj) {
    const crd = asCrd(obj);
    // Go writes a nil conditions list as null.
    crd.status = { conditions: null, acceptedNames: { plural: "", kind: "" }, storedVersions: null };
    recordStorageVersion(crd);
    creating.add(obj);
  },
  prepareForUpdate(obj) {
    // The store has kept the stored status (status subresource); only storedVersions may grow.
    recordStorageVersion(asCrd(obj));
  },
  validate: (obj) => (creating.has(obj) ? validateCrd(asCrd(obj)) : []),
  validateUpdate: (obj, old) => validateCrdUpdate(asCrd(obj), asCrd(old)),
  validateStatusUpdate: (obj) => validateCrdStatusUpdate(asCrd(obj)),
  prepareForDelete(obj, current) {
    const crd = asCrd(obj);
    const meta = crd.metadata!;
    // Upstream marks a CRD itself rather than through the generic graceful deletion: no grace
    // period is recorded and the generation stays.
    delete meta.deletionGracePeriodSeconds;
    if (current?.metadata?.generation !== undefined) meta.generation = current.metadata.generation;
    if (!(meta.finalizers ?? []).includes(CLEANUP_FINALIZER)) meta.finalizers = [...(meta.finalizers ?? []), CLEANUP_FINALIZER];
    setCondition(crd, {
      type: "Terminating",
      status: "True",
      reason: "InstanceDeletionPending",
      message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    });
  },
};

export const customResourceDefinitionDefinition: ResourceDefinition = {
  group: CRD_GROUP,
  version: CRD_VERSION,
  kind: "CustomResourceDefinition",
  plural: CRD_PLURAL,
  singular: "customresourcedefinition",
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  namespaced: false,
  statusSubresource: true,
  tracksGeneration: true,
  printerColumns: [nameColumn, createdAtColumn],
  strategy,
  // Until its first DELETE, every CRD holds the cleanup finalizer implicitly: that DELETE then
  // only marks it (prepareForDelete writes the finalizer) and the CRD controller finishes.
  extraFinalizers: (obj) => (obj.metadata?.deletionTimestamp ? [] : [CLEANUP_FINALIZER]),
};
