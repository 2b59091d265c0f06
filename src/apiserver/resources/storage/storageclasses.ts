/**
 * storage.k8s.io/v1 StorageClass (upstream SetDefaults_StorageClass, ValidateStorageClass(Update),
 * printStorageClass). Everything that decides how volumes get provisioned is fixed once the class
 * exists: provisioner, parameters, reclaim policy and binding mode.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { validateLabelName } from "../../validation/labels.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { ageColumn, columnsOf, nameColumn } from "../printing.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { STORAGE_GROUP, view, type StorageClass, type TopologySelectorTerm } from "./types.ts";

const RECLAIM_POLICIES = ["Delete", "Retain"];
const BINDING_MODES = ["Immediate", "WaitForFirstConsumer"];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;
const DEFAULT_CLASS_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

const storageClass = (obj: KubeObject) => view<StorageClass>(obj);

export function defaultStorageClass(sc: StorageClass): void {
  // provisioner has no omitempty upstream; an empty parameters map is dropped (omitempty).
  sc.provisioner ??= "";
  if (sc.parameters && Object.keys(sc.parameters).length === 0) delete sc.parameters;
  sc.reclaimPolicy ??= "Delete";
  sc.volumeBindingMode ??= "Immediate";
}

/** A CSI-style name: qualified once lower-cased, reported in lower case as upstream does. */
export function validateProvisioner(provisioner: string, path: FieldPath): FieldError[] {
  if (!provisioner) return [field.required(path)];
  const lower = provisioner.toLowerCase();
  return invalidEach(path, lower, isQualifiedName(lower));
}

function validateParameters(params: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) return [field.tooLong(path, MAX_PARAMETERS)];
  const errs = entries.filter(([k]) => k.length === 0).map(() => field.invalid(path, "", "field can not be empty."));
  const size = entries.reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (size > MAX_PARAMETERS_BYTES) errs.push(field.tooLong(path, MAX_PARAMETERS_BYTES));
  return errs;
}

/** upstream's ValidateTopologySelectorTerm, plus "no two terms alike". */
function validateAllowedTopologies(terms: TopologySelectorTerm[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen: Array<Map<string, Set<string>>> = [];
  (terms ?? []).forEach((term, i) => {
    const exprs = new Map<string, Set<string>>();
    (term?.matchLabelExpressions ?? []).forEach((req, j) => {
      const p = path.index(i).child("matchLabelExpressions").index(j);
      const values = new Set<string>();
      if (!req?.values?.length) errs.push(field.required(p.child("values")));
      (req?.values ?? []).forEach((v, k) => (values.has(v) ? errs.push(field.duplicate(p.child("values").index(k), v)) : values.add(v)));
      errs.push(...validateLabelName(req?.key ?? "", p.child("key")));
      if (exprs.has(req?.key ?? "")) errs.push(field.duplicate(p.child("key"), req?.key ?? ""));
      exprs.set(req?.key ?? "", values);
    });
    if (seen.some((other) => semanticEqual(toPlain(other), toPlain(exprs)))) errs.push(field.duplicate(path.index(i).child("matchLabelExpressions"), ""));
    seen.push(exprs);
  });
  return errs;
}

const toPlain = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));

export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateProvisioner(sc.provisioner ?? "", FieldPath.root("provisioner"));
  errs.push(...validateParameters(sc.parameters, FieldPath.root("parameters")));
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(field.notSupported("reclaimPolicy", sc.reclaimPolicy, RECLAIM_POLICIES));
  if (sc.volumeBindingMode == null) errs.push(field.required("volumeBindingMode"));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(field.notSupported("volumeBindingMode", sc.volumeBindingMode, BINDING_MODES));
  return [...errs, ...validateAllowedTopologies(sc.allowedTopologies, FieldPath.root("allowedTopologies"))];
}

export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(field.forbidden("parameters", "updates to parameters are forbidden."));
  if ((sc.provisioner ?? "") !== (old.provisioner ?? "")) errs.push(field.forbidden("provisioner", "updates to provisioner are forbidden."));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(field.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(field.immutable("volumeBindingMode", sc.volumeBindingMode ?? null));
  return errs;
}

/** The default class's NAME cell carries " (default)", from either the GA or the beta annotation. */
export function isDefaultClass(meta: StorageClass["metadata"]): boolean {
  return DEFAULT_CLASS_ANNOTATIONS.some((a) => meta?.annotations?.[a] === "true");
}

const strategy: Strategy = {
  defaults: (obj) => defaultStorageClass(storageClass(obj)),
  validate: (obj) => validateStorageClass(storageClass(obj)),
  validateUpdate: (obj, old) => validateStorageClassUpdate(storageClass(obj), storageClass(old)),
};

const column = columnsOf<StorageClass>();

const columns: PrinterColumn[] = [
  { ...nameColumn, cell: (obj) => `${obj.metadata?.name ?? ""}${isDefaultClass(obj.metadata) ? " (default)" : ""}` },
  column("Provisioner", "provisioner indicates the type of the provisioner.", (sc) => sc.provisioner ?? ""),
  column("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.", (sc) => sc.reclaimPolicy ?? "Delete"),
  column(
    "VolumeBindingMode",
    "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.",
    (sc) => sc.volumeBindingMode ?? "Immediate",
  ),
  // Declared a string column upstream, but the cell is the boolean itself.
  column("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand.", (sc) => sc.allowVolumeExpansion ?? false),
  ageColumn,
];

export const storageClassDefinition: ResourceDefinition = {
  group: STORAGE_GROUP,
  version: "v1",
  kind: "StorageClass",
  plural: "storageclasses",
  singular: "storageclass",
  shortNames: ["sc"],
  namespaced: false,
  printerColumns: columns,
  strategy,
};
