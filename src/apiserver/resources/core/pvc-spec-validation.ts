/**
 * PersistentVolumeClaimSpec validation, shared by PVCs and generic ephemeral volumes
 * (upstream's ValidatePersistentVolumeClaimSpec).
 */
import type { V1TypedLocalObjectReference, V1TypedObjectReference } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { validateLabelSelector } from "../../validation/labels.ts";
import { isDNS1123Label, isDNS1123Subdomain } from "../../validation/names.ts";
import { isFieldError, readQuantity, validatePositiveQuantity, validateResourceQuantity } from "./resource-validation.ts";
import type { PersistentVolumeClaimSpec } from "./types.ts";

export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
export const VOLUME_MODES = ["Block", "Filesystem"];

/** At least one known access mode, and ReadWriteOncePod alone. */
export function validateAccessModes(modes: string[] | undefined, path: FieldPath, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes?.length) errs.push(field.required(path, requiredDetail));
  let rwop = false;
  let other = false;
  for (const mode of modes ?? []) {
    if (!ACCESS_MODES.includes(mode)) errs.push(field.notSupported(path, mode, ACCESS_MODES));
    else if (mode === "ReadWriteOncePod") rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(field.forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, path.child("accessModes"), "at least 1 access mode is required");
  errs.push(...validateLabelSelector(s.selector, path.child("selector")));
  errs.push(...validateStorageRequest(s.resources?.requests?.storage, path.child("resources").key("storage")));
  if (s.storageClassName) errs.push(...invalidEach(path.child("storageClassName"), s.storageClassName, isDNS1123Subdomain(s.storageClassName)));
  if (s.volumeMode != null && !VOLUME_MODES.includes(s.volumeMode)) errs.push(field.notSupported(path.child("volumeMode"), s.volumeMode, VOLUME_MODES));
  if (s.dataSource) errs.push(...validateDataSource(s.dataSource, path.child("dataSource")));
  if (s.dataSourceRef) errs.push(...validateDataSourceRef(s.dataSourceRef, path.child("dataSourceRef")));
  errs.push(...validateDataSourceConsistency(s, path));
  if (s.volumeAttributesClassName) {
    errs.push(...invalidEach(path.child("volumeAttributesClassName"), s.volumeAttributesClassName, isDNS1123Subdomain(s.volumeAttributesClassName)));
  }
  return errs;
}

function validateStorageRequest(value: string | undefined, path: FieldPath): FieldError[] {
  if (value === undefined) return [field.required(path)];
  const q = readQuantity(value, path);
  if (isFieldError(q)) return [q];
  const positive = validatePositiveQuantity(q, path);
  return positive.length ? positive : validateResourceQuantity("storage", q, path);
}

function validateDataSource(ds: Wire<V1TypedLocalObjectReference>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!ds.name) errs.push(field.required(path.child("name")));
  if (!ds.kind) errs.push(field.required(path.child("kind")));
  const group = ds.apiGroup ?? "";
  if (!group && ds.kind !== "PersistentVolumeClaim") errs.push(field.invalid(path, ds.kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) errs.push(...invalidEach(path.child("apiGroup"), group, isDNS1123Subdomain(group)));
  return errs;
}

function validateDataSourceRef(ref: Wire<V1TypedObjectReference>, path: FieldPath): FieldError[] {
  const errs = validateDataSource(ref, path);
  if (ref.namespace) errs.push(...invalidEach(path.child("namespace"), ref.namespace, isDNS1123Label(ref.namespace)));
  return errs;
}

function validateDataSourceConsistency(s: PersistentVolumeClaimSpec, path: FieldPath): FieldError[] {
  const ds = s.dataSource;
  const ref = s.dataSourceRef;
  if (ref?.namespace) return ds ? [field.invalid(path, path.child("dataSource").toString(), "may not be specified when dataSourceRef.namespace is specified")] : [];
  if (ds && ref && ((ds.apiGroup ?? null) !== (ref.apiGroup ?? null) || ds.kind !== ref.kind || ds.name !== ref.name)) {
    return [field.invalid(path, path.child("dataSource").toString(), "must match dataSourceRef")];
  }
  return [];
}
