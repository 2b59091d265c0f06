/**
 * The `spec.selector` rules every workload type shares (upstream's apps and batch validation):
 * a LabelSelector must be well formed, must not be empty, and must select the pod template.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { type LabelSelector, selectorMatches, validateLabelSelector } from "../../validation/labels.ts";
import { semanticEqual } from "./semantic-equal.ts";

export type { LabelSelector };

export const SELECTOR_MISMATCH = "`selector` does not match template `labels`";

/**
 * What metav1.LabelSelectorAsSelector makes of a selector: "nothing" for a missing one (matches
 * no labels), "everything" for one without requirements, else the selector itself. Undefined
 * when it cannot be converted (bad operator, key or values).
 */
export type ParsedSelector = { kind: "nothing" } | { kind: "everything" } | { kind: "requirements"; selector: LabelSelector };

export function parseSelector(selector: LabelSelector | undefined | null): ParsedSelector | undefined {
  if (!selector) return { kind: "nothing" };
  // Conversion fails exactly where validation finds a problem; the path is irrelevant here.
  if (validateLabelSelector(selector, FieldPath.root("selector")).length > 0) return undefined;
  const count = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length;
  return count === 0 ? { kind: "everything" } : { kind: "requirements", selector };
}

export function parsedMatches(parsed: ParsedSelector, labels: Record<string, string> | undefined): boolean {
  if (parsed.kind === "nothing") return false;
  if (parsed.kind === "everything") return true;
  return selectorMatches(parsed.selector, labels ?? {});
}

/**
 * The required, non-empty `spec.selector` of Deployments, ReplicaSets and StatefulSets:
 * Required when missing, the selector's own syntax, then the type's "empty selector" message.
 */
export function validateRequiredSelector(selector: LabelSelector | undefined | null, path: FieldPath, emptyMessage: string): FieldError[] {
  if (!selector) return [field.required(path)];
  const errs = validateLabelSelector(selector, path);
  if (isEmptySelector(selector)) errs.push(field.invalid(path, selector, emptyMessage));
  return errs;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;
}

/**
 * The template must carry labels the selector matches. A selector without requirements selects
 * everything and is not checked here (its "empty selector" error is reported on spec.selector).
 */
export function validateTemplateSelected(parsed: ParsedSelector, labels: Record<string, string> | undefined, templatePath: FieldPath): FieldError[] {
  if (parsed.kind === "everything" || parsedMatches(parsed, labels)) return [];
  return [field.invalid(templatePath.child("metadata", "labels"), labels ?? {}, SELECTOR_MISMATCH)];
}

/** apps/v1 selectors are immutable (upstream's strategies check this for every group but the old betas). */
export function validateSelectorUnchanged(obj: { spec?: { selector?: unknown } }, old: { spec?: { selector?: unknown } }): FieldError[] {
  const selector = obj.spec?.selector;
  return semanticEqual(selector, old.spec?.selector) ? [] : [field.immutable(FieldPath.root("spec").child("selector"), selector ?? null)];
}

/** One requirement as labels.Requirement.String() prints it; values sorted, as upstream's safeSort. */
function requirementString(key: string, operator: string, values: string[]): string {
  const list = values.length === 1 ? values[0]! : [...values].sort().join(",");
  switch (operator) {
    case "=":
      return `${key}=${list}`;
    case "In":
      return `${key} in (${list})`;
    case "NotIn":
      return `${key} notin (${list})`;
    case "Exists":
      return key;
    default:
      return `!${key}`;
  }
}

/**
 * metav1.LabelSelectorAsSelector(selector).String(): requirements sorted by key, "" for a missing
 * or empty selector. Callers check the selector converts (parseSelector) before printing it.
 */
export function selectorString(selector: LabelSelector | undefined | null): string {
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) reqs.push({ key, text: requirementString(key, "=", [value]) });
  for (const e of selector?.matchExpressions ?? []) reqs.push({ key: e.key, text: requirementString(e.key, e.operator, e.values ?? []) });
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(",");
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when it selects by nothing, "<error>" when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  if (parseSelector(selector) === undefined) return "<error>";
  return selectorString(selector) || "<none>";
}
