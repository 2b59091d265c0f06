/**
 * apps/v1 ReplicaSet (upstream SetDefaults_ReplicaSet, ValidateReplicaSet*, the replicaset
 * strategy and printReplicaSet).
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition } from "../../registry/definition.ts";
import type { FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { defaultPodTemplate } from "../core/pod-spec.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { integerColumn, selectorColumn, templateColumns } from "../workloads/columns.ts";
import { validateSelectorAndTemplate } from "../workloads/pod-template.ts";
import { workloadStrategy } from "../workloads/strategy.ts";
import { type ReplicaSet, type ReplicaSetSpec, view } from "./types.ts";

const replicaSet = (obj: KubeObject) => view<ReplicaSet>(obj);

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec: ReplicaSetSpec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplate((spec.template ??= {}));
}

/** upstream's ValidateReplicaSetSpec (its empty-selector message does say "deployment"). */
export function validateReplicaSetSpec(spec: ReplicaSetSpec, path: FieldPath): FieldError[] {
  return [
    ...validateNonnegative(spec.replicas, path.child("replicas")),
    ...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")),
    ...validateSelectorAndTemplate(spec, path),
  ];
}

const strategy = workloadStrategy({ view: replicaSet, defaults: defaultReplicaSet, validateSpec: validateReplicaSetSpec });

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
  ...templateColumns(["spec", "template"]),
  selectorColumn(
    "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ["spec", "selector"],
  ),
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
