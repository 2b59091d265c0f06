/**
 * apps/v1 ReplicaSet (upstream SetDefaults_ReplicaSet, ValidateReplicaSet*, the replicaset
 * strategy and printReplicaSet).
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { defaultPodTemplate } from "../core/pod-spec.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { containersColumn, imagesColumn, integerColumn } from "../workloads/columns.ts";
import { formatLabelSelector, parseSelector, validateRequiredSelector, validateSelectorUnchanged } from "../workloads/label-selector.ts";
import { podNameWarnings, validateReplicaSetTemplate } from "../workloads/pod-template.ts";
import { keepOldStatus, resetStatus } from "../workloads/status.ts";
import { type ReplicaSet, type ReplicaSetSpec, view } from "./types.ts";

const replicaSet = (obj: KubeObject) => view<ReplicaSet>(obj);

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec: ReplicaSetSpec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplate((spec.template ??= {}));
}

/** upstream's ValidateReplicaSetSpec (its empty-selector message does say "deployment"). */
export function validateReplicaSetSpec(spec: ReplicaSetSpec, path: FieldPath): FieldError[] {
  const errs = [...validateNonnegative(spec.replicas, path.child("replicas")), ...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds"))];
  errs.push(...validateRequiredSelector(spec.selector, path.child("selector"), "empty selector is invalid for deployment"));
  const parsed = parseSelector(spec.selector);
  if (!parsed) errs.push(field.invalid(path.child("selector"), spec.selector, "invalid label selector"));
  else errs.push(...validateReplicaSetTemplate(spec.template, parsed, path.child("template")));
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultReplicaSet(replicaSet(obj)),
  prepareForCreate: resetStatus,
  prepareForUpdate: keepOldStatus,
  validate: (obj) => validateReplicaSetSpec(replicaSet(obj).spec ?? {}, FieldPath.root("spec")),
  validateUpdate: (obj, old) => validateSelectorUnchanged(replicaSet(obj), replicaSet(old)),
  warnings: (obj, old) => (old ? [] : podNameWarnings(obj.metadata?.name)),
};

const columns: PrinterColumn[] = [
  nameColumn,
  integerColumn(
    "Desired",
    "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
    ["spec", "replicas"],
  ),
  integerColumn(
    "Current",
    "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
    ["status", "replicas"],
  ),
  integerColumn("Ready", "The number of ready replicas for this replica set.", ["status", "readyReplicas"]),
  ageColumn,
  containersColumn(["spec", "template"]),
  imagesColumn(["spec", "template"]),
  {
    name: "Selector",
    type: "string",
    format: "",
    description:
      "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    priority: 1,
    cell: (obj) => formatLabelSelector(replicaSet(obj).spec?.selector),
  },
];

export const replicaSetDefinition: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  singular: "replicaset",
  shortNames: ["rs"],
  categories: ["all"],
  namespaced: true,
  statusSubresource: true,
  scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
