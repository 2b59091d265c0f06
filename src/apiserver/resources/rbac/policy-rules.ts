/**
 * PolicyRule checks shared by Roles and ClusterRoles (upstream's rbac ValidatePolicyRule): a rule
 * names verbs, and either resources (with their API groups) or non-resource URLs, never both.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { goSlice, invalidGo } from "../../validation/go-syntax.ts";
import type { PolicyRule } from "./types.ts";

const count = (list: readonly string[] | null | undefined) => list?.length ?? 0;

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (count(rule.verbs) === 0) errs.push(field.required(path.child("verbs"), "verbs must contain at least one value"));
  if (count(rule.nonResourceURLs) > 0) return [...errs, ...nonResourceProblems(rule, namespaced, path)];
  if (count(rule.apiGroups) === 0) errs.push(field.required(path.child("apiGroups"), "resource rules must supply at least one api group"));
  if (count(rule.resources) === 0) errs.push(field.required(path.child("resources"), "resource rules must supply at least one resource"));
  return errs;
}

/** URLs are cluster-wide, so namespaced rules may not name them, and no rule mixes both kinds. */
function nonResourceProblems(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const urls = goSlice("string", rule.nonResourceURLs);
  const errs: FieldError[] = [];
  if (namespaced) errs.push(invalidGo(path.child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
  if (count(rule.apiGroups) > 0 || count(rule.resources) > 0 || count(rule.resourceNames) > 0) {
    errs.push(invalidGo(path.child("nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs"));
  }
  return errs;
}

export function validateRules(rules: PolicyRule[] | null | undefined, namespaced: boolean, path: FieldPath): FieldError[] {
  return (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule ?? {}, namespaced, path.index(i)));
}
