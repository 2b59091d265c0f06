/**
 * metav1.LabelSelector objects (spec.selector of workloads): validation as upstream's
 * ValidateLabelSelector, and conversion to a selector as metav1.LabelSelectorAsSelector.
 */
import type { V1LabelSelector } from "@kubernetes/client-node";
import { errors, type FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isQualifiedName, isValidLabelValue } from "../../validation/names.ts";
import { sortByKey } from "./parser.ts";
import { newRequirement, SelectorError, type LabelOperator, type LabelRequirement } from "./requirement.ts";
import { goQuote } from "../../validation/go-quote.ts";
import { LabelSelector } from "./selector.ts";

export type LabelSelectorObject = Wire<V1LabelSelector>;
type Expression = NonNullable<LabelSelectorObject["matchExpressions"]>[number];

const OPERATORS: Readonly<Record<string, LabelOperator>> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * The values an operator of a label selector requirement takes: some for In and NotIn, none for
 * Exists and DoesNotExist. Undefined for an operator that is none of these (callers differ:
 * a selector refuses it, an access review lets it through).
 */
export function operatorValuesErrors(operator: string | undefined, values: readonly string[], path: FieldPath): FieldError[] | undefined {
  switch (operator) {
    case "In":
    case "NotIn":
      return values.length === 0 ? [field.required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")] : [];
    case "Exists":
    case "DoesNotExist":
      return values.length > 0 ? [field.forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")] : [];
    default:
      return undefined;
  }
}

function expressionErrors(expr: Expression, path: FieldPath): FieldError[] {
  const values = expr.values ?? [];
  const errs = operatorValuesErrors(expr.operator, values, path) ?? [field.invalid(path.child("operator"), expr.operator, "not a valid selector operator")];
  errs.push(...invalidEach(path.child("key"), expr.key, isQualifiedName(expr.key ?? "")));
  values.forEach((v, i) => errs.push(...invalidEach(path.child("values").index(i), v, isValidLabelValue(v))));
  return errs;
}

/** upstream's ValidateLabelSelector; `path` is where the selector sits ("spec.selector"). */
export function validateLabelSelector(selector: LabelSelectorObject | null | undefined, path: FieldPath | string): FieldError[] {
  if (!selector) return [];
  const at = typeof path === "string" ? FieldPath.root(path) : path;
  const labelsPath = at.child("matchLabels");
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    errs.push(...invalidEach(labelsPath, k, isQualifiedName(k)), ...invalidEach(labelsPath, v, isValidLabelValue(v)));
  }
  (selector.matchExpressions ?? []).forEach((expr, i) => errs.push(...expressionErrors(expr, at.child("matchExpressions").index(i))));
  return errs;
}

function requirementsOf(selector: LabelSelectorObject): LabelRequirement[] {
  const reqs = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => newRequirement(k, "=", [v]));
  for (const expr of selector.matchExpressions ?? []) {
    const op = Object.hasOwn(OPERATORS, expr.operator) ? OPERATORS[expr.operator] : undefined;
    if (!op) throw new SelectorError(`${goQuote(expr.operator)} is not a valid label selector operator`);
    // An expression without values is a nil slice upstream, which shows in error text.
    reqs.push(newRequirement(expr.key, op, expr.values && expr.values.length > 0 ? expr.values : undefined));
  }
  return sortByKey(reqs);
}

/**
 * metav1.LabelSelectorAsSelector: null selects nothing, an empty selector everything. An
 * invalid selector is a 400 with upstream's conversion error.
 */
export function labelSelectorFromObject(selector: LabelSelectorObject | null | undefined): LabelSelector {
  if (!selector) return LabelSelector.nothing();
  const count = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0);
  if (count === 0) return LabelSelector.everything();
  try {
    return LabelSelector.of(requirementsOf(selector));
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}

/** The selector as a string ("app=web,tier in (a,b)"), e.g. for a Scale's status.selector. */
export function labelSelectorToString(selector: LabelSelectorObject | null | undefined): string {
  return labelSelectorFromObject(selector).toString();
}
