/**
 * apps/v1 Deployment (upstream pkg/apis/apps/v1 SetDefaults_Deployment, pkg/apis/apps/validation
 * ValidateDeployment*, pkg/registry/apps/deployment strategy, printDeployment).
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { defaultPodTemplate } from "../core/pod-spec.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { integerColumn, readyOfReplicasColumn, selectorColumn, templateColumns } from "../workloads/columns.ts";
import { intOrPercentValue, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "../workloads/int-or-percent.ts";
import { parseSelector } from "../workloads/label-selector.ts";
import { validateSelectorAndTemplate } from "../workloads/pod-template.ts";
import { workloadStrategy } from "../workloads/strategy.ts";
import { type Deployment, type DeploymentSpec, view } from "./types.ts";

type DeploymentStrategy = NonNullable<DeploymentSpec["strategy"]>;
type RollingUpdate = NonNullable<DeploymentStrategy["rollingUpdate"]>;

const deployment = (obj: KubeObject) => view<Deployment>(obj);

/** SetDefaults_Deployment plus the pod template's defaults. */
export function defaultDeployment(d: Deployment): void {
  const spec: DeploymentSpec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = (strategy.rollingUpdate ??= {});
    rollingUpdate.maxUnavailable ??= "25%";
    rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate((spec.template ??= {}));
}

function validateRollingUpdate(ru: RollingUpdate, path: FieldPath): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, path.child("maxUnavailable")),
    ...validatePositiveIntOrPercent(ru.maxSurge, path.child("maxSurge")),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(field.invalid(path.child("maxUnavailable"), ru.maxUnavailable ?? 0, "may not be 0 when `maxSurge` is 0"));
  }
  errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, path.child("maxUnavailable")));
  return errs;
}

function validateStrategy(strategy: DeploymentStrategy | undefined, path: FieldPath): FieldError[] {
  switch (strategy?.type) {
    case "Recreate":
      return strategy.rollingUpdate != null ? [field.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case "RollingUpdate":
      if (strategy.rollingUpdate == null) return [field.required(path.child("rollingUpdate"), "this should be defaulted and never be nil")];
      return validateRollingUpdate(strategy.rollingUpdate, path.child("rollingUpdate"));
    default:
      return [field.notSupported(path, strategy ?? {}, ["Recreate", "RollingUpdate"])];
  }
}

/** upstream's ValidateDeploymentSpec. */
export function validateDeploymentSpec(spec: DeploymentSpec, path: FieldPath): FieldError[] {
  const errs = [...validateNonnegative(spec.replicas, path.child("replicas")), ...validateSelectorAndTemplate(spec, path)];
  errs.push(...validateStrategy(spec.strategy, path.child("strategy")));
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  if (spec.progressDeadlineSeconds != null) {
    const deadline = path.child("progressDeadlineSeconds");
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, deadline));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(field.invalid(deadline, spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
    }
  }
  return errs;
}

const strategy = workloadStrategy({ view: deployment, defaults: defaultDeployment, validateSpec: validateDeploymentSpec });

const columns: PrinterColumn[] = [
  nameColumn,
  readyOfReplicasColumn,
  integerColumn("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", ["status", "updatedReplicas"], "string"),
  integerColumn("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", ["status", "availableReplicas"], "string"),
  ageColumn,
  ...templateColumns(["spec", "template"]),
  selectorColumn(
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
    ["spec", "selector"],
    // selector.String() of the converted selector; printDeployment's own wording when it does not convert.
    (selector) => parseSelector(selector)?.toString() ?? "<invalid>",
  ),
];

export const deploymentDefinition: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  categories: ["all"],
  namespaced: true,
  statusSubresource: true,
  // The scale subresource's status.selector is spec.selector printed as a selector string.
  scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
