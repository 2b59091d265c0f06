/**
 * HorizontalPodAutoscaler validation on the autoscaling/v2 shape (upstream
 * pkg/apis/autoscaling/validation, which checks the internal type that v1 and v2 both convert to).
 */
import type { FieldError } from "../../api/errors.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isDNS1123Label } from "../../validation/names.ts";
import { parseQuantity } from "../../validation/quantity.ts";
import { validateContainerResourceName } from "../core/resource-validation.ts";
import type { CrossVersionObjectReference, HpaSpecV2, HpaV2, MetricSpec, MetricTarget, ScalingRules } from "./types.ts";
import { isValidPathSegmentName } from "../../validation/path-segment.ts";

const METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const SELECT_POLICIES = ["Disabled", "Max", "Min"];
const POLICY_TYPES = ["Percent", "Pods"];
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

/** upstream's ValidateCrossVersionObjectReference. */
function validateReference(ref: Partial<CrossVersionObjectReference> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ["kind", "name"] as const) {
    const value = ref?.[key] ?? "";
    if (!value) errs.push(field.required(path.child(key)));
    else errs.push(...invalidEach(path.child(key), value, isValidPathSegmentName(value)));
  }
  return errs;
}

function positive(text: string | undefined): boolean {
  const q = text === undefined ? undefined : parseQuantity(text);
  return q !== undefined && q.nanos > 0n;
}

function validateTarget(t: Partial<MetricTarget> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = t?.type ?? "";
  if (!type) errs.push(field.required(path.child("type"), "must specify a metric target type"));
  if (type !== "Utilization" && type !== "Value" && type !== "AverageValue") errs.push(field.invalid(path.child("type"), type, "must be either Utilization, Value, or AverageValue"));
  if (t?.value != null && !positive(t.value)) errs.push(field.invalid(path.child("value"), t.value, "must be positive"));
  if (t?.averageValue != null && !positive(t.averageValue)) errs.push(field.invalid(path.child("averageValue"), t.averageValue, "must be positive"));
  if (t?.averageUtilization != null && t.averageUtilization < 1) errs.push(field.invalid(path.child("averageUtilization"), t.averageUtilization, "must be greater than 0"));
  return errs;
}

function validateIdentifier(id: { name?: string; selector?: unknown } | undefined, path: FieldPath): FieldError[] {
  const name = id?.name ?? "";
  if (!name) return [field.required(path.child("name"), "must specify a metric name")];
  return invalidEach(path.child("name"), name, isValidPathSegmentName(name));
}

/** The Utilization-or-AverageValue rules of Resource and ContainerResource targets. */
function validateUtilizationTarget(t: Partial<MetricTarget> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (t?.averageUtilization == null && t?.averageValue == null) errs.push(field.required(path.child("averageUtilization"), "must set either a target raw value or a target utilization"));
  if (t?.averageUtilization != null && t?.averageValue != null) errs.push(field.forbidden(path.child("averageValue"), "may not set both a target raw value and a target utilization"));
  return errs;
}

/** The metric source of each type, checked as its validate<Type>Source does. */
const SOURCES: Array<[keyof MetricSpec & string, (m: MetricSpec, path: FieldPath) => FieldError[]]> = [
  [
    "object",
    (m, p) => {
      const src = m.object!;
      const errs = [...validateReference(src.describedObject, p.child("describedObject")), ...validateIdentifier(src.metric, p.child("metric")), ...validateTarget(src.target, p.child("target"))];
      if (src.target?.value == null && src.target?.averageValue == null) errs.push(field.required(p.child("target", "averageValue"), "must set either a target value or averageValue"));
      return errs;
    },
  ],
  [
    "external",
    (m, p) => {
      const src = m.external!;
      const errs = [...validateIdentifier(src.metric, p.child("metric")), ...validateTarget(src.target, p.child("target"))];
      if (src.target?.value == null && src.target?.averageValue == null) errs.push(field.required(p.child("target", "averageValue"), "must set either a target value for metric or a per-pod target"));
      if (src.target?.value != null && src.target?.averageValue != null) errs.push(field.forbidden(p.child("target", "value"), "may not set both a target value for metric and a per-pod target"));
      return errs;
    },
  ],
  [
    "pods",
    (m, p) => {
      const src = m.pods!;
      const errs = [...validateIdentifier(src.metric, p.child("metric")), ...validateTarget(src.target, p.child("target"))];
      if (src.target?.averageValue == null) errs.push(field.required(p.child("target", "averageValue"), "must specify a positive target averageValue"));
      return errs;
    },
  ],
  [
    "resource",
    (m, p) => {
      const src = m.resource!;
      const errs: FieldError[] = [];
      if (!src.name) errs.push(field.required(p.child("name"), "must specify a resource name"));
      return [...errs, ...validateTarget(src.target, p.child("target")), ...validateUtilizationTarget(src.target, p.child("target"))];
    },
  ],
  [
    "containerResource",
    (m, p) => {
      const src = m.containerResource!;
      const errs: FieldError[] = [];
      if (!src.name) errs.push(field.required(p.child("name"), "must specify a resource name"));
      else errs.push(...validateContainerResourceName(src.name, p.child("name")));
      if (!src.container) errs.push(field.required(p.child("container"), "must specify a container"));
      else errs.push(...invalidEach(p.child("container"), src.container, isDNS1123Label(src.container)));
      return [...errs, ...validateTarget(src.target, p.child("target")), ...validateUtilizationTarget(src.target, p.child("target"))];
    },
  ],
];

/** The field a metric type fills. */
const FIELD_OF: Record<string, keyof MetricSpec & string> = { Object: "object", Pods: "pods", Resource: "resource", External: "external", ContainerResource: "containerResource" };

/** upstream's validateMetricSpec: a known type, its source filled in, and no other source. */
function validateMetricSpec(m: MetricSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = m.type ?? "";
  if (!type) errs.push(field.required(path.child("type"), "must specify a metric source type"));
  if (!METRIC_TYPES.includes(type)) errs.push(field.notSupported(path.child("type"), type, METRIC_TYPES));
  // Only the first source present is validated, as upstream does.
  const present = SOURCES.filter(([key]) => m[key] != null);
  if (present[0]) errs.push(...present[0][1](m, path.child(present[0][0])));
  const expected = FIELD_OF[type];
  if (expected) {
    if (m[expected] == null) errs.push(field.required(path.child(expected), "must populate information for the given metric source"));
  } else {
    errs.push(field.notSupported(path.child("type"), type, METRIC_TYPES));
  }
  for (const [key] of present) if (key !== expected) errs.push(field.forbidden(path.child(key), "must populate the given metric source only"));
  return errs;
}

function validateRules(rules: ScalingRules | undefined | null, path: FieldPath): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (window != null && window < 0) errs.push(field.invalid(path.child("stabilizationWindowSeconds"), window, "must be greater than or equal to zero"));
  if (window != null && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    errs.push(field.invalid(path.child("stabilizationWindowSeconds"), window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (rules.selectPolicy != null && !SELECT_POLICIES.includes(rules.selectPolicy)) errs.push(field.notSupported(path.child("selectPolicy"), rules.selectPolicy, SELECT_POLICIES));
  const policies = path.child("policies");
  if (!rules.policies || rules.policies.length === 0) errs.push(field.required(policies, "must specify at least one Policy"));
  (rules.policies ?? []).forEach((policy, i) => {
    const p = policies.index(i);
    if (!POLICY_TYPES.includes(policy.type ?? "")) errs.push(field.notSupported(p.child("type"), policy.type ?? "", POLICY_TYPES));
    const value = policy.value ?? 0;
    if (value <= 0) errs.push(field.invalid(p.child("value"), value, "must be greater than zero"));
    const period = policy.periodSeconds ?? 0;
    if (period <= 0) errs.push(field.invalid(p.child("periodSeconds"), period, "must be greater than zero"));
    if (period > MAX_PERIOD_SECONDS) errs.push(field.invalid(p.child("periodSeconds"), period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

/**
 * upstream's validateHorizontalPodAutoscalerSpec. `minReplicasLowerBound` is 1, or 0 for an update
 * of an autoscaler that already scales to zero (the HPAScaleToZero gate is off).
 */
export function validateHpaSpec(spec: HpaSpecV2, minReplicasLowerBound = 1): FieldError[] {
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  const max = spec.maxReplicas ?? 0;
  if (min != null && min < minReplicasLowerBound) errs.push(field.invalid(path.child("minReplicas"), min, `must be greater than or equal to ${minReplicasLowerBound}`));
  if (max < 1) errs.push(field.invalid(path.child("maxReplicas"), max, "must be greater than 0"));
  if (min != null && max < min) errs.push(field.invalid(path.child("maxReplicas"), max, "must be greater than or equal to `minReplicas`"));
  errs.push(...validateReference(spec.scaleTargetRef, path.child("scaleTargetRef")));
  const metrics = path.child("metrics");
  (spec.metrics ?? []).forEach((m, i) => errs.push(...validateMetricSpec(m, metrics.index(i))));
  if (min === 0 && !(spec.metrics ?? []).some((m) => m.type === "Object" || m.type === "External")) {
    errs.push(field.forbidden(metrics, "must specify at least one Object or External metric to support scaling to zero replicas"));
  }
  if (spec.behavior) {
    errs.push(...validateRules(spec.behavior.scaleUp, path.child("behavior", "scaleUp")), ...validateRules(spec.behavior.scaleDown, path.child("behavior", "scaleDown")));
  }
  return errs;
}

/** The lower bound of minReplicas for an update: 0 stays allowed for an autoscaler that has it. */
export function minReplicasLowerBound(old: HpaV2 | undefined): number {
  return old?.spec?.minReplicas === 0 ? 0 : 1;
}

/** upstream's ValidateHorizontalPodAutoscalerStatusUpdate. */
export function validateHpaStatus(hpa: HpaV2): FieldError[] {
  const status = hpa.status ?? {};
  const errs: FieldError[] = [];
  for (const key of ["currentReplicas", "desiredReplicas"] as const) {
    const v = status[key];
    if (typeof v === "number" && v < 0) errs.push(field.invalid(FieldPath.root("status").child(key), v, "must be greater than or equal to 0"));
  }
  return errs;
}
