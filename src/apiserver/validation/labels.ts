/**
 * Label maps, label selectors and annotation maps, as k8s.io/apimachinery's
 * metav1/validation checks them. Errors on a map sit on the map's path, as upstream's do.
 */
import type { V1LabelSelector } from "@kubernetes/client-node";
import type { FieldError } from "../api/errors.ts";
import type { Wire } from "../api/types.ts";
import { field, invalidEach, type FieldPath } from "./field.ts";
import { isQualifiedName, isValidLabelValue } from "./names.ts";

export type LabelSelector = Wire<V1LabelSelector>;

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return invalidEach(path, name, isQualifiedName(name));
}

export function validateLabels(labels: Record<string, string> | undefined | null, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path), ...invalidEach(path, v, isValidLabelValue(String(v))));
  }
  return errs;
}

/** Annotation keys are qualified names compared case-insensitively; the whole map is capped at 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    size += k.length + String(v).length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** upstream's ValidateLabelSelector (invalid label values in expressions are rejected). */
export function validateLabelSelector(selector: LabelSelector | undefined | null, path: FieldPath): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, path.child("matchLabels"));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child("matchExpressions").index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) errs.push(field.required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) errs.push(field.forbidden(p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(p.child("operator"), expr.operator, "not a valid selector operator"));
    }
    errs.push(...validateLabelName(expr.key ?? "", p.child("key")));
    values.forEach((v, j) => errs.push(...invalidEach(p.child("values").index(j), v, isValidLabelValue(v))));
  });
  return errs;
}

/** Whether a selector matches a label set (matchLabels and matchExpressions all hold). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    const ok = e.operator === "In" ? inValues : e.operator === "NotIn" ? !inValues : e.operator === "Exists" ? has : e.operator === "DoesNotExist" ? !has : false;
    if (!ok) return false;
  }
  return true;
}
