/**
 * JobSpec validation shared by Jobs and CronJob job templates (upstream's validateJobSpec):
 * counts and limits, completion modes, failure and success policies, and the pod template.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isDNS1123Subdomain } from "../../validation/names.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { validatePodTemplateSpec } from "../core/pod-spec.ts";
import { parseIndexes } from "./indexes.ts";
import { validatePodFailurePolicy } from "./pod-failure-policy.ts";
import type { JobSpec, SuccessPolicy } from "./types.ts";

const MAX_PARALLELISM_INDEXED = 100_000;
const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10_000;
const MAX_MANAGED_BY = 63;
const MAX_SUCCEEDED_INDEXES = 64 * 1024;
const MAX_SUCCESS_RULES = 20;
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

export function validateJobSpec(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex"] as const) {
    errs.push(...validateNonnegative(spec[key], path.child(key)));
  }
  if (spec.maxFailedIndexes != null) {
    errs.push(...validateNonnegative(spec.maxFailedIndexes, path.child("maxFailedIndexes")));
    if (spec.backoffLimitPerIndex == null) errs.push(field.required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
  }
  if (spec.managedBy != null) errs.push(...validateManagedBy(spec.managedBy, path.child("managedBy")));
  errs.push(...validateCompletionMode(spec, path));
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec, path.child("podFailurePolicy")));
  if (spec.successPolicy) {
    if (spec.completionMode !== "Indexed") errs.push(field.invalid(path.child("successPolicy"), spec.successPolicy, "requires indexed completion mode"));
    else errs.push(...validateSuccessPolicy(spec.successPolicy, spec.completions ?? 0, path.child("successPolicy")));
  }
  errs.push(...validatePodReplacementPolicy(spec, path.child("podReplacementPolicy")));
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path.child("template")));
  errs.push(...validateJobRestartPolicy(spec, path.child("template", "spec", "restartPolicy")));
  return errs;
}

/** upstream's IsDomainPrefixedPath ("acme.io/foo") and a 63-byte cap. */
function validateManagedBy(value: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const slash = value.indexOf("/");
  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  if (value === "") errs.push(field.required(path));
  else if (slash <= 0 || rest === "") errs.push(field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  else {
    errs.push(...invalidEach(path, host, isDNS1123Subdomain(host)));
    if (!HTTP_PATH.test(rest)) errs.push(field.invalid(path, rest, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  }
  if (value.length > MAX_MANAGED_BY) errs.push(field.tooLong(path, MAX_MANAGED_BY));
  return errs;
}

function validateCompletionMode(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mode = spec.completionMode;
  if (mode != null && mode !== "NonIndexed" && mode !== "Indexed") errs.push(field.notSupported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"]));
  if (mode === "Indexed") errs.push(...validateIndexedLimits(spec, path));
  if (mode == null || mode === "NonIndexed") {
    if (spec.backoffLimitPerIndex != null) errs.push(field.invalid(path.child("backoffLimitPerIndex"), spec.backoffLimitPerIndex, "requires indexed completion mode"));
    if (spec.maxFailedIndexes != null) errs.push(field.invalid(path.child("maxFailedIndexes"), spec.maxFailedIndexes, "requires indexed completion mode"));
  }
  return errs;
}

/** Indexed Jobs track indexes in status strings, so their sizes are capped. */
function validateIndexedLimits(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const { completions, parallelism, maxFailedIndexes } = spec;
  if (completions == null) errs.push(field.required(path.child("completions"), "when completion mode is Indexed"));
  if (parallelism != null && parallelism > MAX_PARALLELISM_INDEXED) {
    errs.push(field.invalid(path.child("parallelism"), parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
  }
  if (completions != null && maxFailedIndexes != null && maxFailedIndexes > completions) {
    errs.push(field.invalid(path.child("maxFailedIndexes"), maxFailedIndexes, "must be less than or equal to completions"));
  }
  if (maxFailedIndexes != null && maxFailedIndexes > MAX_FAILED_INDEXES) {
    errs.push(field.invalid(path.child("maxFailedIndexes"), maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES}`));
  }
  if (completions != null && completions > COMPLETIONS_SOFT_LIMIT && spec.backoffLimitPerIndex != null) {
    const why = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
    if (maxFailedIndexes == null) errs.push(field.required(path.child("maxFailedIndexes"), `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
    if (parallelism != null && parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS) {
      errs.push(field.invalid(path.child("parallelism"), parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} ${why}`));
    }
    if (maxFailedIndexes != null && maxFailedIndexes > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) {
      errs.push(field.invalid(path.child("maxFailedIndexes"), maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} ${why}`));
    }
  }
  return errs;
}

function validateSuccessPolicy(policy: SuccessPolicy, completions: number, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const rules = policy.rules ?? [];
  const rulesPath = path.child("rules");
  if (rules.length === 0) errs.push(field.required(rulesPath, "at least one rules must be specified when the successPolicy is specified"));
  if (rules.length > MAX_SUCCESS_RULES) errs.push(field.tooMany(rulesPath, rules.length, MAX_SUCCESS_RULES));
  rules.forEach((rule, i) => {
    const p = rulesPath.index(i);
    if (rule.succeededCount == null && rule.succeededIndexes == null) errs.push(field.required(p, "at least one of succeededCount or succeededIndexes must be specified"));
    let totalIndexes = 0;
    if (rule.succeededIndexes != null) {
      const indexesPath = p.child("succeededIndexes");
      if (rule.succeededIndexes.length > MAX_SUCCEEDED_INDEXES) errs.push(field.tooLong(indexesPath, MAX_SUCCEEDED_INDEXES));
      const parsed = parseIndexes(rule.succeededIndexes, completions);
      if ("error" in parsed) errs.push(field.invalid(indexesPath, rule.succeededIndexes, `error parsing succeededIndexes: ${parsed.error}`));
      else totalIndexes = parsed.total;
    }
    if (rule.succeededCount != null) {
      const countPath = p.child("succeededCount");
      errs.push(...validateNonnegative(rule.succeededCount, countPath));
      if (rule.succeededCount > completions) {
        errs.push(field.invalid(countPath, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      }
      if (rule.succeededIndexes != null && rule.succeededCount > totalIndexes) {
        errs.push(field.invalid(countPath, rule.succeededCount, `must be less than or equal to ${totalIndexes} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return errs;
}

/** With a pod failure policy only Failed pods may be replaced. */
function validatePodReplacementPolicy(spec: JobSpec, path: FieldPath): FieldError[] {
  const policy = spec.podReplacementPolicy;
  if (policy == null) return [];
  if (spec.podFailurePolicy) return policy === "Failed" ? [] : [field.notSupported(path, policy, ["Failed"])];
  return policy === "Failed" || policy === "TerminatingOrFailed" ? [] : [field.notSupported(path, policy, ["Failed", "TerminatingOrFailed"])];
}

/** Job pods must end: OnFailure or Never ("Always" is what an unset policy defaults to). */
function validateJobRestartPolicy(spec: JobSpec, path: FieldPath): FieldError[] {
  const policy = spec.template?.spec?.restartPolicy ?? "";
  if (policy === "Always" || policy === "") return [field.required(path, 'valid values: "OnFailure", "Never"')];
  if (policy !== "OnFailure" && policy !== "Never") return [field.notSupported(path, policy, ["OnFailure", "Never"])];
  if (spec.podFailurePolicy && policy !== "Never") return [field.invalid(path, policy, 'only "Never" is supported when podFailurePolicy is specified')];
  return [];
}
