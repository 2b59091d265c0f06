/**
 * scheduling.k8s.io/v1 PriorityClass (upstream SetDefaults_PriorityClass,
 * ValidatePriorityClass(Update), printPriorityClass). The "system-" prefix belongs to the two
 * built-in classes, which kts creates at start (system-classes.ts); user classes stay at or
 * below one billion. A class's value and preemption policy never change.
 */
import type { V1PriorityClass } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { knownSystemClassProblem, SYSTEM_PREFIX } from "./system-classes.ts";

export type PriorityClass = Wire<V1PriorityClass>;

/** Non-system classes may not go above this (upstream's HighestUserDefinablePriority). */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const PREEMPTION_POLICIES = ["PreemptLowerPriority", "Never"];

const priorityClass = (obj: KubeObject) => obj as unknown as PriorityClass;

/** `value` has no omitempty upstream, so a class without one reads back with value 0. */
export function defaultPriorityClass(pc: PriorityClass): void {
  pc.value ??= 0;
  pc.preemptionPolicy ??= "PreemptLowerPriority";
}

export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? "";
  const value = pc.value ?? 0;
  if (name.startsWith(SYSTEM_PREFIX)) {
    const problem = knownSystemClassProblem(name, value, pc.globalDefault ?? false);
    if (problem) {
      const detail = `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${problem}`;
      errs.push(field.forbidden(FieldPath.root("metadata").child("name"), detail));
    }
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(field.forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.preemptionPolicy != null) errs.push(...validatePreemptionPolicy(pc.preemptionPolicy));
  return errs;
}

function validatePreemptionPolicy(policy: string): FieldError[] {
  if (policy === "") return [field.required("preemptionPolicy")];
  return PREEMPTION_POLICIES.includes(policy) ? [] : [field.notSupported("preemptionPolicy", policy, PREEMPTION_POLICIES)];
}

export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(field.forbidden("value", "may not be changed in an update."));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(field.immutable("preemptionPolicy", pc.preemptionPolicy ?? null));
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultPriorityClass(priorityClass(obj)),
  validate: (obj) => validatePriorityClass(priorityClass(obj)),
  validateUpdate: (obj, old) => validatePriorityClassUpdate(priorityClass(obj), priorityClass(old)),
};

const columns: PrinterColumn[] = [
  nameColumn,
  {
    name: "Value",
    type: "integer",
    format: "",
    description: "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.",
    priority: 0,
    cell: (obj) => priorityClass(obj).value ?? 0,
  },
  {
    name: "Global-Default",
    type: "boolean",
    format: "",
    description:
      "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.",
    priority: 0,
    cell: (obj) => priorityClass(obj).globalDefault ?? false,
  },
  ageColumn,
  {
    // Listed without a priority upstream, so kubectl shows it by default.
    name: "PreemptionPolicy",
    type: "string",
    format: "",
    description: "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.",
    priority: 0,
    cell: (obj) => priorityClass(obj).preemptionPolicy ?? "",
  },
];

export const priorityClassDefinition: ResourceDefinition = {
  group: "scheduling.k8s.io",
  version: "v1",
  kind: "PriorityClass",
  plural: "priorityclasses",
  singular: "priorityclass",
  shortNames: ["pc"],
  namespaced: false,
  // Upstream sets generation 1 on create and never bumps it; the store's generation tracking is
  // the closest contract (it bumps on description/globalDefault changes, which upstream does not).
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
