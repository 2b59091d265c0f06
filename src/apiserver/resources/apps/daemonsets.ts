/**
 * apps/v1 DaemonSet (upstream SetDefaults_DaemonSet, ValidateDaemonSet*, the daemonset strategy
 * and printDaemonSet).
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { defaultPodTemplate, validatePodTemplateSpec } from "../core/pod-spec.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { formatLabels, integerColumn, selectorColumn, templateColumns } from "../workloads/columns.ts";
import { intOrPercentValue, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "../workloads/int-or-percent.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { isEmptySelector, parseSelector, SELECTOR_MISMATCH } from "../workloads/label-selector.ts";
import { validateLongRunningPods } from "../workloads/pod-template.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { workloadStrategy } from "../workloads/strategy.ts";
import { type DaemonSet, type DaemonSetSpec, view } from "./types.ts";

type UpdateStrategy = NonNullable<DaemonSetSpec["updateStrategy"]>;
type RollingUpdate = NonNullable<UpdateStrategy["rollingUpdate"]>;

/**
 * The internal TemplateGeneration, which apps/v1 carries as this annotation: "1" on create, one
 * more each time an update changes the template. Upstream manages it; clients cannot set it.
 */
export const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

const daemonSet = (obj: KubeObject) => view<DaemonSet>(obj);

/** SetDefaults_DaemonSet plus the pod template's defaults. */
export function defaultDaemonSet(ds: DaemonSet): void {
  const spec: DaemonSetSpec = (ds.spec ??= {});
  const updateStrategy = (spec.updateStrategy ??= {});
  updateStrategy.type ||= "RollingUpdate";
  if (updateStrategy.type === "RollingUpdate") {
    const ru = (updateStrategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate((spec.template ??= {}));
}

/** Exactly one of maxUnavailable and maxSurge is non-zero (upstream's ValidateRollingUpdateDaemonSet). */
function validateRollingUpdate(ru: RollingUpdate, path: FieldPath): FieldError[] {
  const unavailable = path.child("maxUnavailable");
  const surge = path.child("maxSurge");
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, unavailable),
    ...validatePositiveIntOrPercent(ru.maxSurge, surge),
    ...validateNotMoreThan100Percent(ru.maxUnavailable, unavailable),
    ...validateNotMoreThan100Percent(ru.maxSurge, surge),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(field.invalid(surge, ru.maxSurge, "may not be set when maxUnavailable is non-zero"));
  if (!hasUnavailable && !hasSurge) errs.push(field.required(unavailable, "cannot be 0 when maxSurge is 0"));
  return errs;
}

function validateUpdateStrategy(strategy: UpdateStrategy | undefined, path: FieldPath): FieldError[] {
  switch (strategy?.type) {
    case "OnDelete":
      return [];
    case "RollingUpdate":
      if (!strategy.rollingUpdate) return [field.required(path.child("rollingUpdate"))];
      return validateRollingUpdate(strategy.rollingUpdate, path.child("rollingUpdate"));
    default:
      return [field.notSupported(path, strategy ?? {}, ["RollingUpdate", "OnDelete"])];
  }
}

/**
 * upstream's ValidateDaemonSetSpec. Unlike the other controllers a missing selector is not
 * "Required": it selects nothing, so the template check reports it.
 */
export function validateDaemonSetSpec(spec: DaemonSetSpec, path: FieldPath): FieldError[] {
  const errs = validateLabelSelector(spec.selector, path.child("selector"));
  const template = spec.template ?? {};
  const parsed = parseSelector(spec.selector);
  if (parsed && !parsed.matches(template.metadata?.labels)) {
    errs.push(field.invalid(path.child("template", "metadata", "labels"), template.metadata?.labels ?? {}, SELECTOR_MISMATCH));
  }
  if (spec.selector && isEmptySelector(spec.selector)) errs.push(field.invalid(path.child("selector"), spec.selector, "empty selector is invalid for daemonset"));
  errs.push(...validatePodTemplateSpec(template, path.child("template")));
  errs.push(...validateLongRunningPods(template, path.child("template"), "DaemonSet"));
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, path.child("updateStrategy")));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  return errs;
}

function templateGeneration(ds: DaemonSet): number {
  const n = Number.parseInt(ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? "", 10);
  return Number.isNaN(n) ? 0 : n;
}

function setTemplateGeneration(ds: DaemonSet, generation: number): void {
  const meta = (ds.metadata ??= {});
  meta.annotations = { ...meta.annotations, [TEMPLATE_GENERATION_ANNOTATION]: String(generation) };
}

const strategy = workloadStrategy({
  view: daemonSet,
  defaults: defaultDaemonSet,
  validateSpec: validateDaemonSetSpec,
  afterCreateReset: (ds) => setTemplateGeneration(ds, 1),
  afterUpdateKeep(ds, prev) {
    const changed = !semanticEqual(ds.spec?.template, prev.spec?.template);
    setTemplateGeneration(ds, templateGeneration(prev) + (changed ? 1 : 0));
  },
});

const columns: PrinterColumn[] = [
  nameColumn,
  integerColumn(
    "Desired",
    "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
    ["status", "desiredNumberScheduled"],
  ),
  integerColumn(
    "Current",
    "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
    ["status", "currentNumberScheduled"],
  ),
  integerColumn("Ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", ["status", "numberReady"]),
  integerColumn("Up-to-date", "The total number of nodes that are running updated daemon pod", ["status", "updatedNumberScheduled"]),
  integerColumn(
    "Available",
    "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
    ["status", "numberAvailable"],
  ),
  {
    name: "Node Selector",
    type: "string",
    format: "",
    description:
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    priority: 0,
    cell: (obj) => formatLabels(daemonSet(obj).spec?.template?.spec?.nodeSelector),
  },
  ageColumn,
  ...templateColumns(["spec", "template"]),
  selectorColumn(
    "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ["spec", "selector"],
  ),
];

export const daemonSetDefinition: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  singular: "daemonset",
  shortNames: ["ds"],
  categories: ["all"],
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
