/**
 * metav1.Condition lists in status (PodDisruptionBudget, ValidatingAdmissionPolicy, ...), checked
 * as upstream's metav1 validation.ValidateConditions does.
 */
import type { V1Condition } from "@kubernetes/client-node";
import type { FieldError } from "../api/errors.ts";
import type { Wire } from "../api/types.ts";
import { field, invalidEach, type FieldPath } from "./field.ts";
import { isQualifiedName } from "./names.ts";

export type Condition = Wire<V1Condition>;

const STATUSES = ["False", "True", "Unknown"];
const MAX_REASON = 1024;
const MAX_MESSAGE = 32 * 1024;
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const REASON_ERROR =
  "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')";

export function validateConditions(conditions: Array<Partial<Condition>> | undefined | null, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (conditions ?? []).forEach((c, i) => {
    const p = path.index(i);
    const type = c.type ?? "";
    if (seen.has(type)) errs.push(field.duplicate(p.child("type"), type));
    seen.add(type);
    errs.push(...validateCondition(c, p));
  });
  return errs;
}

function validateCondition(c: Partial<Condition>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = c.type ?? "";
  errs.push(...invalidEach(p.child("type"), type, isQualifiedName(type)));
  if (!STATUSES.includes(c.status ?? "")) errs.push(field.notSupported(p.child("status"), c.status ?? "", STATUSES));
  if ((c.observedGeneration ?? 0) < 0) errs.push(field.invalid(p.child("observedGeneration"), c.observedGeneration, "must be greater than or equal to zero"));
  if (!c.lastTransitionTime) errs.push(field.required(p.child("lastTransitionTime"), "must be set"));
  const reason = c.reason ?? "";
  if (!reason) errs.push(field.required(p.child("reason"), "must be set"));
  else {
    if (!REASON.test(reason)) errs.push(field.invalid(p.child("reason"), reason, REASON_ERROR));
    if (reason.length > MAX_REASON) errs.push(field.tooLong(p.child("reason"), MAX_REASON));
  }
  if ((c.message ?? "").length > MAX_MESSAGE) errs.push(field.tooLong(p.child("message"), MAX_MESSAGE));
  return errs;
}

/**
 * upstream's meta.SetStatusCondition: adds the condition, or updates the one of its type; the
 * transition time moves only when the status changes.
 */
export function setStatusCondition(conditions: Condition[], next: Omit<Condition, "lastTransitionTime"> & { lastTransitionTime?: string }, now: string): Condition[] {
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) return [...conditions, { ...next, lastTransitionTime: next.lastTransitionTime ?? now }];
  const old = conditions[i]!;
  const updated: Condition = { ...old, reason: next.reason, message: next.message, observedGeneration: next.observedGeneration };
  if (old.status !== next.status) {
    updated.status = next.status;
    updated.lastTransitionTime = next.lastTransitionTime ?? now;
  }
  return conditions.map((c, j) => (j === i ? updated : c));
}
