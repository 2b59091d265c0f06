/**
 * The `spec.selector` rules every workload type shares (upstream's apps and batch validation):
 * a LabelSelector must be well formed, must not be empty, and must select the pod template.
 * Parsing, matching and printing are the selectors module's (metav1.LabelSelectorAsSelector).
 */
import type { FieldError } from "../../api/errors.ts";
import { isApiError } from "../../api/errors.ts";
import { labelSelectorFromObject, type LabelSelector, type LabelSelectorObject, validateLabelSelector } from "../../selectors/index.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { semanticEqual } from "./semantic-equal.ts";

export type { LabelSelector, LabelSelectorObject };

export const SELECTOR_MISMATCH = "`selector` does not match template `labels`";

/**
 * metav1.LabelSelectorAsSelector: a missing selector selects nothing, one without requirements
 * everything. Undefined when it cannot be converted (bad operator, key or values).
 */
export function parseSelector(selector: LabelSelectorObject | undefined | null): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(selector);
  } catch (e) {
    // The selectors module reports conversion failures as a 400; here they are a validation finding.
    if (isApiError(e)) return undefined;
    throw e;
  }
}

export function isEmptySelector(selector: LabelSelectorObject): boolean {
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;
}

/**
 * The required, non-empty `spec.selector` of Deployments, ReplicaSets and StatefulSets:
 * Required when missing, the selector's own syntax, then the type's "empty selector" message.
 */
export function validateRequiredSelector(selector: LabelSelectorObject | undefined | null, path: FieldPath, emptyMessage: string): FieldError[] {
  if (!selector) return [field.required(path)];
  const errs = validateLabelSelector(selector, path);
  if (isEmptySelector(selector)) errs.push(field.invalid(path, selector, emptyMessage));
  return errs;
}

/**
 * The template must carry labels the selector matches. A selector without requirements selects
 * everything and is not checked here (its "empty selector" error is reported on spec.selector).
 */
export function validateTemplateSelected(selector: LabelSelector, labels: Record<string, string> | undefined, templatePath: FieldPath): FieldError[] {
  if (selector.isEmpty() || selector.matches(labels)) return [];
  return [field.invalid(templatePath.child("metadata", "labels"), labels ?? {}, SELECTOR_MISMATCH)];
}

/** apps/v1 selectors are immutable (upstream's strategies check this for every group but the old betas). */
export function validateSelectorUnchanged(obj: { spec?: { selector?: unknown } }, old: { spec?: { selector?: unknown } }): FieldError[] {
  const selector = obj.spec?.selector;
  return semanticEqual(selector, old.spec?.selector) ? [] : [field.immutable(FieldPath.root("spec").child("selector"), selector ?? null)];
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when it is empty, "<error>" when invalid. */
export function formatLabelSelector(selector: LabelSelectorObject | undefined | null): string {
  const parsed = parseSelector(selector);
  if (!parsed) return "<error>";
  return parsed.toString() || "<none>";
}
