/**
 * Validation of the access reviews (upstream pkg/apis/authorization/validation): exactly one of
 * resourceAttributes and nonResourceAttributes, well-formed selector attributes, metadata left
 * empty, and for a LocalSubjectAccessReview the namespace of the request throughout.
 */
import type { V1FieldSelectorAttributes, V1LabelSelectorAttributes, V1ResourceAttributes, V1SubjectAccessReviewSpec } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { ObjectMeta, Wire } from "../../api/types.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { operatorValuesErrors } from "../../selectors/index.ts";

export type ResourceAttributes = Wire<V1ResourceAttributes>;
export type ReviewSpec = Partial<Wire<V1SubjectAccessReviewSpec>>;

interface Requirement {
  key?: string;
  operator?: string;
  values?: string[];
}

function validateRequirement(r: Requirement, path: FieldPath, labels: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const key = r.key ?? "";
  if (labels) errs.push(...invalidEach(path.child("key"), key, isQualifiedName(key)));
  else if (!key) errs.push(field.required(path.child("key"), "must be specified"));
  // Unknown operators are let through, so newer clients can still be authorized.
  errs.push(...(operatorValuesErrors(r.operator, r.values ?? [], path) ?? []));
  return errs;
}

function validateSelectorAttributes(sel: Wire<V1FieldSelectorAttributes> | Wire<V1LabelSelectorAttributes> | undefined, path: FieldPath, labels: boolean): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  const raw = sel.rawSelector ?? "";
  const requirements = (sel.requirements ?? []) as Requirement[];
  if (raw && requirements.length > 0) errs.push(field.invalid(path.child("rawSelector"), raw, "may not specified at the same time as requirements"));
  if (!raw && requirements.length === 0) errs.push(field.required(path.child("requirements"), `when ${path} is specified, requirements or rawSelector is required`));
  requirements.forEach((r, i) => errs.push(...validateRequirement(r, path.child("requirements").index(i), labels)));
  return errs;
}

function validateResourceAttributes(attrs: ResourceAttributes | undefined): FieldError[] {
  if (!attrs) return [];
  const path = FieldPath.root("spec.resourceAttributes");
  return [...validateSelectorAttributes(attrs.fieldSelector, path.child("fieldSelector"), false), ...validateSelectorAttributes(attrs.labelSelector, path.child("labelSelector"), true)];
}

/** The attribute rules every review shares; `requireSubject` for reviews that name the user. */
export function validateReviewSpec(spec: ReviewSpec, requireSubject: boolean): FieldError[] {
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) errs.push(field.invalid(path.child("nonResourceAttributes"), spec.nonResourceAttributes, "cannot be specified in combination with resourceAttributes"));
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    // Go quotes the nil pointer it reports as "null".
    errs.push(field.invalid(path.child("resourceAttributes"), "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
  }
  if (requireSubject && !spec.user && (spec.groups ?? []).length === 0) errs.push(field.invalid(path.child("user"), spec.user ?? "", "at least one of user or group must be specified"));
  return [...errs, ...validateResourceAttributes(spec.resourceAttributes)];
}

/** Whether metadata carries nothing but what `allowed` names (clients send `creationTimestamp: null`). */
function metadataEmpty(meta: ObjectMeta | undefined, allowed: string[] = []): boolean {
  return Object.entries(meta ?? {}).every(([k, v]) => allowed.includes(k) || k === "managedFields" || v === null || v === undefined || v === "");
}

export function validateMetadataEmpty(meta: ObjectMeta | undefined): FieldError[] {
  return metadataEmpty(meta) ? [] : [field.invalid("metadata", meta, "must be empty")];
}

/** A LocalSubjectAccessReview: empty metadata but the namespace, which the attributes must name too. */
export function validateLocalReview(meta: ObjectMeta | undefined, spec: ReviewSpec, namespace: string): FieldError[] {
  const errs = validateReviewSpec(spec, true);
  if (!metadataEmpty(meta, ["namespace"])) errs.push(field.invalid("metadata", meta, "must be empty except for namespace"));
  if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? "") !== namespace) {
    errs.push(field.invalid("spec.resourceAttributes.namespace", spec.resourceAttributes.namespace ?? "", "must match metadata.namespace"));
  }
  if (spec.nonResourceAttributes) errs.push(field.invalid("spec.nonResourceAttributes", spec.nonResourceAttributes, "disallowed on this kind of request"));
  return errs;
}
