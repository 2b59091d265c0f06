/**
 * A Job's podFailurePolicy (upstream validatePodFailurePolicy and its rule checks).
 */
import type { FieldError } from "../../api/errors.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import type { JobSpec, PodFailurePolicy } from "./types.ts";

type Rule = PodFailurePolicy["rules"][number];
type OnExitCodes = NonNullable<Rule["onExitCodes"]>;
type ConditionPattern = NonNullable<Rule["onPodConditions"]>[number];

const MAX_RULES = 20;
const MAX_EXIT_CODES = 255;
const MAX_CONDITION_PATTERNS = 20;
const ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];
const OPERATORS = ["In", "NotIn"];
const CONDITION_STATUSES = ["False", "True", "Unknown"];

/** Go's %q of a []string: ["a" "b"]. */
const quotedList = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;

export function validatePodFailurePolicy(spec: JobSpec, path: FieldPath): FieldError[] {
  const rules = spec.podFailurePolicy?.rules ?? [];
  const rulesPath = path.child("rules");
  const errs: FieldError[] = [];
  if (rules.length > MAX_RULES) errs.push(field.tooMany(rulesPath, rules.length, MAX_RULES));
  const podSpec = spec.template?.spec;
  const containerNames = new Set([...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])].map((c) => c.name));
  rules.forEach((rule, i) => errs.push(...validateRule(spec, rule, rulesPath.index(i), containerNames)));
  return errs;
}

function validateRule(spec: JobSpec, rule: Rule, path: FieldPath, containerNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const action = path.child("action");
  if (!rule.action) errs.push(field.required(action, `valid values: ${quotedList(ACTIONS)}`));
  else if (rule.action === "FailIndex") {
    if (spec.backoffLimitPerIndex == null) errs.push(field.invalid(action, rule.action, "requires the backoffLimitPerIndex to be set"));
  } else if (!ACTIONS.includes(rule.action)) errs.push(field.notSupported(action, rule.action, ACTIONS));
  const conditions = rule.onPodConditions ?? [];
  if (rule.onExitCodes) errs.push(...validateOnExitCodes(rule.onExitCodes, path.child("onExitCodes"), containerNames));
  if (conditions.length > 0) errs.push(...validateOnPodConditions(conditions, path.child("onPodConditions")));
  // These carry no value in the message (upstream's field.OmitValueType).
  if (rule.onExitCodes && conditions.length > 0) errs.push(field.invalid(path, undefined, "specifying both OnExitCodes and OnPodConditions is not supported"));
  if (!rule.onExitCodes && conditions.length === 0) errs.push(field.invalid(path, undefined, "specifying one of OnExitCodes and OnPodConditions is required"));
  return errs;
}

function validateOnExitCodes(req: OnExitCodes, path: FieldPath, containerNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const operator = path.child("operator");
  if (!req.operator) errs.push(field.required(operator, `valid values: ${quotedList(OPERATORS)}`));
  else if (!OPERATORS.includes(req.operator)) errs.push(field.notSupported(operator, req.operator, OPERATORS));
  if (req.containerName != null && !containerNames.has(req.containerName)) {
    errs.push(field.invalid(path.child("containerName"), req.containerName, "must be one of the container or initContainer names in the pod template"));
  }
  const valuesPath = path.child("values");
  const values = req.values ?? [];
  if (values.length === 0) errs.push(field.invalid(valuesPath, values, "at least one value is required"));
  else if (values.length > MAX_EXIT_CODES) errs.push(field.tooMany(valuesPath, values.length, MAX_EXIT_CODES));
  const seen = new Set<number>();
  values.forEach((v, j) => {
    if (req.operator === "In" && v === 0) errs.push(field.invalid(valuesPath.index(j), v, "must not be 0 for the In operator"));
    if (seen.has(v)) errs.push(field.duplicate(valuesPath.index(j), v));
    seen.add(v);
  });
  if (values.some((v, j) => j > 0 && values[j - 1]! > v)) errs.push(field.invalid(valuesPath, values, "must be ordered"));
  return errs;
}

function validateOnPodConditions(patterns: ConditionPattern[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (patterns.length > MAX_CONDITION_PATTERNS) errs.push(field.tooMany(path, patterns.length, MAX_CONDITION_PATTERNS));
  patterns.forEach((pattern, j) => {
    const p = path.index(j);
    errs.push(...invalidEach(p.child("type"), pattern.type, isQualifiedName(pattern.type ?? "")));
    const status = p.child("status");
    if (!pattern.status) errs.push(field.required(status, `valid values: ${quotedList(CONDITION_STATUSES)}`));
    else if (!CONDITION_STATUSES.includes(pattern.status)) errs.push(field.notSupported(status, pattern.status, CONDITION_STATUSES));
  });
  return errs;
}
