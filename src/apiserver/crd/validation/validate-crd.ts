/**
 * A whole CustomResourceDefinition on create, update and status update (upstream's
 * ValidateCustomResourceDefinition, ...Update and ValidateUpdateCustomResourceDefinitionStatus).
 * Generic ObjectMeta rules are the store's; the CRD adds that its name is <plural>.<group>.
 */
import type { FieldError } from "../../api/errors.ts";
import type { CustomResourceDefinition } from "../types.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { APPROVAL_ANNOTATION, approvalState, isProtectedGroup } from "../api-approval.ts";
import { isConditionTrue } from "../conditions.ts";
import { caBundleProblem, hasRecognizedReviewVersionOrNone } from "./conversion.ts";
import { goStrings, invalidRendered } from "./go-values.ts";
import { toInternalSpec, type InternalSpec, type InternalVersion } from "./internal-spec.ts";
import { validateNames } from "./names.ts";
import { validateSpec, type SpecOptions } from "./validate-spec.ts";

export function validateCrd(crd: CustomResourceDefinition): FieldError[] {
  const spec = toInternalSpec(crd.spec);
  return [
    ...validateCrdName(crd),
    ...validateSpec(spec, { requireOpenAPISchema: true, requireRecognizedReviewVersion: true, allowInvalidCABundle: true }),
    ...validateStatus(crd),
    ...validateStoredVersions(crd.status?.storedVersions ?? null, spec.versions),
    ...validateApiApproval(crd, undefined),
    ...validatePreserveUnknownFields(crd, undefined),
  ];
}

/** Update rules: the spec as on create (relaxed where the stored CRD already was), plus immutability. */
export function validateCrdUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const spec = toInternalSpec(crd.spec);
  const oldSpec = toInternalSpec(old.spec);
  const established = isConditionTrue(old, "Established");
  const opts: SpecOptions = {
    requireOpenAPISchema: allVersionsHaveSchemas(oldSpec),
    requireRecognizedReviewVersion: hasRecognizedReviewVersionOrNone(old.spec.conversion),
    allowInvalidCABundle: allowInvalidCABundle(old),
  };
  const errs = validateSpec(spec, opts);
  const path = FieldPath.root("spec");
  const immutable = (at: FieldPath, now: string, before: string) => {
    if (now !== before) errs.push(field.immutable(at, now));
  };
  if (established) {
    // These decide where objects are stored and what they are.
    immutable(path.child("scope"), spec.scope, oldSpec.scope);
    immutable(path.child("names", "kind"), spec.names.kind, oldSpec.names.kind);
  }
  // Part of the CRD's name, which never changes.
  immutable(path.child("group"), spec.group, oldSpec.group);
  immutable(path.child("names", "plural"), spec.names.plural, oldSpec.names.plural);
  return [
    ...errs,
    ...validateStatus(crd),
    ...validateStoredVersions(crd.status?.storedVersions ?? null, spec.versions),
    ...validateApiApproval(crd, old),
    ...validatePreserveUnknownFields(crd, old),
  ];
}

/** A /status update checks only the status (metadata is the store's). */
export function validateCrdStatusUpdate(crd: CustomResourceDefinition): FieldError[] {
  return validateStatus(crd);
}

function validateCrdName(crd: CustomResourceDefinition): FieldError[] {
  const name = crd.metadata?.name ?? "";
  if (!name || name === `${crd.spec.names?.plural}.${crd.spec.group}`) return [];
  return [field.invalid(FieldPath.root("metadata").child("name"), name, 'must be spec.names.plural+"."+spec.group')];
}

function validateStatus(crd: CustomResourceDefinition): FieldError[] {
  const accepted = crd.status?.acceptedNames;
  return accepted ? validateNames(accepted, FieldPath.root("status").child("acceptedNames")) : [];
}

/** storedVersions: not empty, holding the storage version, and only versions the spec lists. */
function validateStoredVersions(stored: string[] | null, versions: InternalVersion[]): FieldError[] {
  const path = FieldPath.root("status").child("storedVersions");
  if (!stored || stored.length === 0) return [invalidRendered(String(path), goStrings(stored), "must have at least one stored version")];
  const errs: FieldError[] = [];
  const left = new Map(stored.map((v, i) => [v, i]));
  for (const v of versions) {
    const listed = left.has(v.name);
    if (v.storage && !listed) errs.push(invalidRendered(String(path), goStrings(stored), `must have the storage version ${v.name}`));
    left.delete(v.name);
  }
  for (const [v, i] of left) errs.push(field.invalid(path.index(i), v, "must appear in spec.versions"));
  return errs;
}

function allVersionsHaveSchemas(spec: InternalSpec): boolean {
  if (spec.validation?.openAPIV3Schema) return true;
  return spec.versions.every((v) => v.schema?.openAPIV3Schema !== undefined);
}

/** A CA bundle may stay invalid on update only if it already was, or the CRD never got established. */
function allowInvalidCABundle(old: CustomResourceDefinition): boolean {
  if (!isConditionTrue(old, "Established")) return true;
  const caBundle = old.spec.conversion?.webhook?.clientConfig?.caBundle;
  if (!caBundle) return false;
  return caBundleProblem(caBundle) !== undefined;
}

/** Groups under k8s.io and kubernetes.io need the API approval annotation (KEP 1111). */
function validateApiApproval(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined): FieldError[] {
  if (!isProtectedGroup(crd.spec.group ?? "")) return [];
  const now = approvalState(crd);
  if (old && approvalState(old).state === now.state) return [];
  const path = FieldPath.root("metadata").child("annotations").key(APPROVAL_ANNOTATION);
  if (now.state === "missing") return [field.required(path, now.reason)];
  if (now.state === "invalid") return [field.invalid(path, crd.metadata?.annotations?.[APPROVAL_ANNOTATION] ?? "", now.reason)];
  return [];
}

/** preserveUnknownFields: true is only kept on CRDs that already had it. */
function validatePreserveUnknownFields(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined): FieldError[] {
  if (old?.spec.preserveUnknownFields === true) return [];
  if (crd.spec.preserveUnknownFields !== true) return [];
  return [field.invalid(FieldPath.root("spec").child("preserveUnknownFields"), true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead")];
}
