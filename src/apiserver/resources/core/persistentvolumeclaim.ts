/**
 * core/v1 persistentvolumeclaims: defaults, data source normalization, spec validation, the
 * update rules (spec fixed except a bound claim's storage request), the `kubectl get pvc` Table
 * and the legacy "name" field selector.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { canonicalQuantity, compareQuantities, parseQuantity } from "../../validation/quantity.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { accessModesString, column } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { defaultPersistentVolumeClaimSpec } from "./pod-spec-defaults.ts";
import { validatePersistentVolumeClaimSpec } from "./pvc-spec-validation.ts";
import { differingPaths, semanticEqual } from "./semantic.ts";
import { view, type PersistentVolumeClaim, type PersistentVolumeClaimSpec } from "./types.ts";

const CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/**
 * upstream's data source rules: a dataSource other than a PVC or VolumeSnapshot is dropped on
 * create, then dataSource and dataSourceRef are copied into each other when one is missing.
 */
export function normalizeDataSources(spec: PersistentVolumeClaimSpec, old?: PersistentVolumeClaimSpec): void {
  const ds = spec.dataSource;
  if (ds && !old?.dataSource) {
    const group = ds.apiGroup ?? "";
    const known = (ds.kind === "PersistentVolumeClaim" && group === "") || (ds.kind === "VolumeSnapshot" && group === "snapshot.storage.k8s.io");
    if (!known) delete spec.dataSource;
  }
  if (spec.dataSource && !spec.dataSourceRef) spec.dataSourceRef = { ...spec.dataSource };
  else if (!spec.dataSource && spec.dataSourceRef && !spec.dataSourceRef.namespace) {
    const { namespace: _ns, ...ref } = spec.dataSourceRef;
    spec.dataSource = ref;
  }
}

const strategy: Strategy = {
  defaults(obj) {
    defaultPersistentVolumeClaimSpec((view<PersistentVolumeClaim>(obj).spec ??= {}));
  },
  prepareForCreate(obj) {
    const pvc = view<PersistentVolumeClaim>(obj);
    // Stored status is empty; upstream shows phase Pending through its read-time defaulting.
    pvc.status = { phase: "Pending" };
    normalizeDataSources(pvc.spec!);
  },
  prepareForUpdate(obj, old) {
    normalizeDataSources(view<PersistentVolumeClaim>(obj).spec!, view<PersistentVolumeClaim>(old).spec);
  },
  validate: (obj) => validatePersistentVolumeClaimSpec(view<PersistentVolumeClaim>(obj).spec, FieldPath.root("spec")),
  validateUpdate: (obj, old) => validatePersistentVolumeClaimUpdate(view<PersistentVolumeClaim>(obj), view<PersistentVolumeClaim>(old)),
};

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs: FieldError[] = [];
  const spec: PersistentVolumeClaimSpec = structuredClone(pvc.spec ?? {});
  const prev: PersistentVolumeClaimSpec = structuredClone(old.spec ?? {});
  // The binder sets volumeName once.
  if (!prev.volumeName && spec.volumeName) prev.volumeName = spec.volumeName;
  errs.push(...reconcileStorageClass(pvc, old, spec, prev));
  const bound = pvc.status?.phase === "Bound";
  if (bound && spec.resources?.requests) spec.resources.requests.storage = prev.resources?.requests?.storage ?? spec.resources.requests.storage;
  if (bound && spec.volumeAttributesClassName != null) spec.volumeAttributesClassName = prev.volumeAttributesClassName;
  if (!semanticEqual(spec, prev)) {
    const diff = differingPaths(prev, spec).map((p) => `  ${p}`).join("\n");
    errs.push(field.forbidden("spec", `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`));
  }
  errs.push(...storageShrinkErrors(pvc, old));
  if ((pvc.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(field.immutable("volumeMode", pvc.spec?.volumeMode ?? null));
  return errs;
}

/** storageClassName may be set once from nil (or from the legacy beta annotation); the annotation is fixed. */
function reconcileStorageClass(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, spec: PersistentVolumeClaimSpec, prev: PersistentVolumeClaimSpec): FieldError[] {
  const oldAnn = old.metadata?.annotations?.[CLASS_ANNOTATION];
  const newAnn = pvc.metadata?.annotations?.[CLASS_ANNOTATION];
  const fromAnnotation =
    oldAnn !== undefined && prev.storageClassName == null && spec.storageClassName != null && spec.storageClassName === oldAnn && (newAnn === undefined || newAnn === oldAnn);
  if (fromAnnotation) {
    delete spec.storageClassName;
    return [];
  }
  const errs = (newAnn ?? "") !== (oldAnn ?? "") ? [field.immutable(`metadata.annotations.${CLASS_ANNOTATION}`, newAnn ?? "")] : [];
  const fromNil = spec.storageClassName != null && old.spec?.storageClassName == null && (oldAnn === undefined || spec.storageClassName === oldAnn);
  if (fromNil) spec.storageClassName = prev.storageClassName;
  return errs;
}

/** A request may shrink back only while it stays above the capacity actually provided. */
function storageShrinkErrors(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const size = parseQuantity(pvc.spec?.resources?.requests?.storage ?? "0");
  const oldSize = parseQuantity(old.spec?.resources?.requests?.storage ?? "0");
  const capacity = parseQuantity(old.status?.capacity?.storage ?? "0");
  if (!size || !oldSize || !capacity || compareQuantities(size, oldSize) >= 0) return [];
  if (compareQuantities(size, capacity) > 0) return [];
  return [field.forbidden(FieldPath.root("spec").child("resources", "requests", "storage"), "field can not be less than status.capacity")];
}

/** helper.GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName, else "". */
function storageClassOf(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? "";
}

/** CAPACITY and ACCESS MODES come from the bound volume, so they stay empty until binding. */
const boundOnly = (pvc: PersistentVolumeClaim, value: () => string) => (pvc.spec?.volumeName ? value() : "");

export const persistentVolumeClaimDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  shortNames: ["pvc"],
  namespaced: true,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  statusSubresource: true,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    column<PersistentVolumeClaim>("Status", FIELD_DOCS["PersistentVolumeClaimStatus.phase"], (c) => (c.metadata?.deletionTimestamp ? "Terminating" : (c.status?.phase ?? ""))),
    column<PersistentVolumeClaim>("Volume", FIELD_DOCS["PersistentVolumeClaimSpec.volumeName"], (c) => c.spec?.volumeName ?? ""),
    column<PersistentVolumeClaim>("Capacity", FIELD_DOCS["PersistentVolumeClaimStatus.capacity"], (c) => boundOnly(c, () => canonicalQuantity(c.status?.capacity?.storage ?? "0"))),
    column<PersistentVolumeClaim>("Access Modes", FIELD_DOCS["PersistentVolumeClaimStatus.accessModes"], (c) => boundOnly(c, () => accessModesString(c.status?.accessModes))),
    column<PersistentVolumeClaim>("StorageClass", "StorageClass of the pvc", storageClassOf),
    column<PersistentVolumeClaim>("VolumeAttributesClass", "VolumeAttributesClass of the pvc", (c) => c.spec?.volumeAttributesClassName ?? "<unset>"),
    ageColumn,
    column<PersistentVolumeClaim>("VolumeMode", FIELD_DOCS["PersistentVolumeClaimSpec.volumeMode"], (c) => c.spec?.volumeMode ?? "<unset>", { priority: 1 }),
  ],
  fieldSelectors: { name: (o: KubeObject) => o.metadata?.name ?? "" },
  strategy,
};
