/**
 * What admission webhooks and policies match on, checked as upstream's
 * pkg/apis/admissionregistration/validation does: rules (operations, groups, versions, resources,
 * scope), named rules, MatchResources and match conditions.
 */
import type { FieldError } from "../../api/errors.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import type { MatchCondition, MatchResources, NamedRule, Rule } from "./types.ts";
import { isValidPathSegmentName } from "../../validation/path-segment.ts";

export const FAILURE_POLICIES = ["Fail", "Ignore"];
export const MATCH_POLICIES = ["Equivalent", "Exact"];
const SCOPES = ["*", "Cluster", "Namespaced"];
const OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const MAX_MATCH_CONDITIONS = 64;

const hasWildcard = (values: string[]) => values.includes("*");

/** upstream's validateResources: resources and resource/subresource pairs, with the wildcard rules. */
function validateResources(resources: string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(field.required(path));
  const wildcardSubresources = new Set<string>();
  const wildcardResources = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSubresource = false;
  resources.forEach((entry, i) => {
    if (!entry) {
      errs.push(field.required(path.index(i)));
      return;
    }
    if (entry === "*/*") doubleWildcard = true;
    if (entry === "*") singleWildcard = true;
    const slash = entry.indexOf("/");
    if (slash < 0) {
      withoutSubresource = entry !== "*";
      return;
    }
    const res = entry.slice(0, slash);
    const sub = entry.slice(slash + 1);
    if (wildcardSubresources.has(res)) errs.push(field.invalid(path.index(i), entry, `if '${res}/*' is present, must not specify ${entry}`));
    if (wildcardResources.has(sub)) errs.push(field.invalid(path.index(i), entry, `if '*/${sub}' is present, must not specify ${entry}`));
    if (sub === "*") wildcardSubresources.add(res);
    if (res === "*") wildcardResources.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(field.invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSubresource) errs.push(field.invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

/** upstream's validateRuleWithOperations (subresources allowed). */
export function validateRule(rule: Rule, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const operations = rule.operations ?? [];
  if (operations.length === 0) errs.push(field.required(path.child("operations")));
  if (operations.length > 1 && hasWildcard(operations)) errs.push(field.invalid(path.child("operations"), operations, "if '*' is present, must not specify other operations"));
  operations.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(field.notSupported(path.child("operations").index(i), op, OPERATIONS));
  });
  const groups = rule.apiGroups ?? [];
  if (groups.length === 0) errs.push(field.required(path.child("apiGroups")));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(field.invalid(path.child("apiGroups"), groups, "if '*' is present, must not specify other API groups"));
  const versions = rule.apiVersions ?? [];
  if (versions.length === 0) errs.push(field.required(path.child("apiVersions")));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(field.invalid(path.child("apiVersions"), versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (!v) errs.push(field.required(path.child("apiVersions").index(i)));
  });
  errs.push(...validateResources(rule.resources ?? [], path.child("resources")));
  if (rule.scope != null && !SCOPES.includes(rule.scope)) errs.push(field.notSupported(path.child("scope"), rule.scope, SCOPES));
  return errs;
}

/** upstream's validateNamedRuleWithOperations: distinct, URL-safe resource names, then the rule. */
function validateNamedRule(rule: NamedRule, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (rule.resourceNames ?? []).forEach((name, i) => {
    errs.push(...invalidEach(path.child("resourceNames").index(i), name, isValidPathSegmentName(name)));
    if (seen.has(name)) errs.push(field.duplicate(path.child("resourceNames").index(i), name));
    seen.add(name);
  });
  return [...errs, ...validateRule(rule, path)];
}

/** upstream's validateMatchResources (which reports a missing objectSelector as labelSelector). */
export function validateMatchResources(mr: MatchResources | undefined, path: FieldPath): FieldError[] {
  if (!mr) return [];
  const errs: FieldError[] = [];
  if (mr.matchPolicy == null) errs.push(field.required(path.child("matchPolicy")));
  else if (!MATCH_POLICIES.includes(mr.matchPolicy)) errs.push(field.notSupported(path.child("matchPolicy"), mr.matchPolicy, MATCH_POLICIES));
  if (!mr.namespaceSelector) errs.push(field.required(path.child("namespaceSelector")));
  else errs.push(...validateLabelSelector(mr.namespaceSelector, path.child("namespaceSelector")));
  if (!mr.objectSelector) errs.push(field.required(path.child("labelSelector")));
  else errs.push(...validateLabelSelector(mr.objectSelector, path.child("labelSelector")));
  (mr.resourceRules ?? []).forEach((r, i) => errs.push(...validateNamedRule(r, path.child("resourceRules").index(i))));
  (mr.excludeResourceRules ?? []).forEach((r, i) => errs.push(...validateNamedRule(r, path.child("excludeResourceRules").index(i))));
  return errs;
}

/**
 * upstream's validateMatchConditions: at most 64, each named (a qualified name, unique) with an
 * expression. The CEL expressions are not compiled here yet.
 */
export function validateMatchConditions(conditions: MatchCondition[] | undefined, path: FieldPath): FieldError[] {
  const list = conditions ?? [];
  const errs: FieldError[] = [];
  if (list.length > MAX_MATCH_CONDITIONS) errs.push(field.tooMany(path, list.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = path.index(i);
    if (!(c.expression ?? "").trim()) errs.push(field.required(p.child("expression")));
    const name = c.name ?? "";
    if (!name) errs.push(field.required(p.child("name")));
    else errs.push(...invalidEach(p.child("name"), name, isQualifiedName(name)));
    if (name) {
      if (names.has(name)) errs.push(field.duplicate(p.child("name"), name));
      names.add(name);
    }
  });
  return errs;
}

/** The defaults every rule and MatchResources get (upstream's SetDefaults_Rule and SetDefaults_MatchResources). */
export function defaultRule(rule: Rule): void {
  rule.scope ??= "*";
}

export function defaultMatchResources(mr: MatchResources | undefined): void {
  if (!mr) return;
  mr.matchPolicy ??= "Equivalent";
  mr.namespaceSelector ??= {};
  mr.objectSelector ??= {};
  for (const r of mr.resourceRules ?? []) defaultRule(r);
  for (const r of mr.excludeResourceRules ?? []) defaultRule(r);
}
