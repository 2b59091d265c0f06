/**
 * policy/v1 PodDisruptionBudget (upstream pkg/apis/policy/validation, pkg/registry/policy/
 * poddisruptionbudget strategy, printPodDisruptionBudget). The disruption controller fills the
 * status; evictions (pods/eviction) spend it.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { validateConditions } from "../../validation/conditions.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { column } from "../core/columns.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { validatePositiveIntOrPercent, validateNotMoreThan100Percent } from "../workloads/int-or-percent.ts";
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from "./types.ts";

const pdb = (obj: KubeObject) => obj as unknown as PodDisruptionBudget;

/** upstream's supportedUnhealthyPodEvictionPolicies, sorted as sets.List() prints them. */
const EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

/** upstream's ValidatePodDisruptionBudgetSpec. */
export function validatePodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(field.invalid(path, spec, "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const name of ["minAvailable", "maxUnavailable"] as const) {
    const value = spec[name];
    if (value == null) continue;
    errs.push(...validatePositiveIntOrPercent(value, path.child(name)), ...validateNotMoreThan100Percent(value, path.child(name)));
  }
  errs.push(...validateLabelSelector(spec.selector, path.child("selector")));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && !EVICTION_POLICIES.includes(policy)) errs.push(field.notSupported(path.child("unhealthyPodEvictionPolicy"), policy, EVICTION_POLICIES));
  return errs;
}

/** upstream's ValidatePodDisruptionBudgetStatusUpdate for policy/v1: conditions and non-negative counts. */
export function validatePodDisruptionBudgetStatus(obj: PodDisruptionBudget): FieldError[] {
  const status = obj.status ?? {};
  const path = FieldPath.root("status");
  return [
    ...validateConditions(status.conditions, path.child("conditions")),
    ...(["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] as const).flatMap((k) => validateNonnegative(status[k], path.child(k))),
  ];
}

/** The empty status of a new budget: policy/v1's counters are not omitempty, so they show as 0. */
export function emptyStatus(): PodDisruptionBudget["status"] {
  return { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
}

const strategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = emptyStatus();
  },
  validate: (obj) => validatePodDisruptionBudgetSpec(pdb(obj).spec ?? {}, FieldPath.root("spec")),
  validateStatusUpdate: (obj) => validatePodDisruptionBudgetStatus(pdb(obj)),
};

/** An IntOrString as intstr's String() prints it; unset is "N/A". */
function intOrStringCell(value: number | string | undefined | null): string {
  return value == null ? "N/A" : String(value);
}

const printerColumns: PrinterColumn[] = [
  nameColumn,
  column<PodDisruptionBudget>("Min Available", "The minimum number of pods that must be available.", (p) => intOrStringCell(p.spec?.minAvailable)),
  column<PodDisruptionBudget>("Max Unavailable", "The maximum number of pods that may be unavailable.", (p) => intOrStringCell(p.spec?.maxUnavailable)),
  column<PodDisruptionBudget>("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time.", (p) => p.status?.disruptionsAllowed ?? 0, { type: "integer" }),
  ageColumn,
];

export const podDisruptionBudgetDefinition: ResourceDefinition = {
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  singular: "poddisruptionbudget",
  shortNames: ["pdb"],
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  printerColumns,
  strategy,
};
