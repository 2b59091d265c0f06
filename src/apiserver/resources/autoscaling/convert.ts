/**
 * autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscalers, as upstream's
 * pkg/apis/autoscaling/v1/conversion.go converts them. v1 knows only a CPU utilization target;
 * everything else v2 holds travels in v1 objects as JSON annotations, so a v1 client that reads,
 * changes and writes back an autoscaler keeps its other metrics, behavior, current metrics and
 * conditions:
 *   autoscaling.alpha.kubernetes.io/metrics          spec metrics other than CPU utilization
 *   autoscaling.alpha.kubernetes.io/behavior         spec.behavior (upstream's internal Go type)
 *   autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics
 *   autoscaling.alpha.kubernetes.io/conditions       status.conditions
 * Keys are written in Go's field order so the annotation text is upstream's.
 */
import type { KubeObject } from "../../api/types.ts";
import { DEFAULT_CPU_UTILIZATION, cpuUtilizationMetric } from "./defaults.ts";
import type {
  Behavior,
  CrossVersionObjectReference,
  HpaCondition,
  HpaSpecV2,
  HpaStatusV2,
  HpaV1,
  HpaV2,
  InternalBehavior,
  InternalScalingRules,
  MetricSpec,
  MetricStatus,
  ScalingRules,
  V1Condition,
  V1MetricSpec,
  V1MetricStatus,
} from "./types.ts";

export const METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
export const BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
export const CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
const ROUND_TRIP = [METRICS_ANNOTATION, BEHAVIOR_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION];

/** Drops undefined members, so optional fields are left out as Go's omitempty leaves them. */
function compact<T extends object>(obj: T): T {
  for (const k of Object.keys(obj) as Array<keyof T>) if (obj[k] === undefined) delete obj[k];
  return obj;
}

function ref(r: Partial<CrossVersionObjectReference> | undefined): CrossVersionObjectReference {
  return compact({ kind: r?.kind ?? "", name: r?.name ?? "", apiVersion: r?.apiVersion });
}

/** A CPU utilization target: v1's targetCPUUtilizationPercentage. */
function isCpuUtilization(m: MetricSpec): boolean {
  return m.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.averageUtilization != null;
}

// ---------------------------------------------------------------- v2 -> v1

function metricSpecToV1(m: MetricSpec): V1MetricSpec {
  const out: V1MetricSpec = { type: m.type };
  if (m.object) {
    const o = m.object;
    out.object = compact({ target: ref(o.describedObject), metricName: o.metric?.name ?? "", targetValue: o.target?.value ?? "0", selector: o.metric?.selector, averageValue: o.target?.averageValue });
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name ?? "", targetAverageValue: m.pods.target?.averageValue ?? "0", selector: m.pods.metric?.selector });
  if (m.resource) out.resource = compact({ name: m.resource.name, targetAverageUtilization: m.resource.target?.averageUtilization, targetAverageValue: m.resource.target?.averageValue });
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = compact({ name: c.name, targetAverageUtilization: c.target?.averageUtilization, targetAverageValue: c.target?.averageValue, container: c.container });
  }
  if (m.external) {
    const e = m.external;
    out.external = compact({ metricName: e.metric?.name ?? "", metricSelector: e.metric?.selector, targetValue: e.target?.value, targetAverageValue: e.target?.averageValue });
  }
  return out;
}

function metricStatusToV1(m: MetricStatus): V1MetricStatus {
  const out: V1MetricStatus = { type: m.type };
  if (m.object) {
    const o = m.object;
    out.object = compact({ target: ref(o.describedObject), metricName: o.metric?.name ?? "", currentValue: o.current?.value ?? "0", selector: o.metric?.selector, averageValue: o.current?.averageValue });
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name ?? "", currentAverageValue: m.pods.current?.averageValue ?? "0", selector: m.pods.metric?.selector });
  if (m.resource) out.resource = compact({ name: m.resource.name, currentAverageUtilization: m.resource.current?.averageUtilization, currentAverageValue: m.resource.current?.averageValue ?? "0" });
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = compact({ name: c.name, currentAverageUtilization: c.current?.averageUtilization, currentAverageValue: c.current?.averageValue ?? "0", container: c.container });
  }
  if (m.external) {
    const e = m.external;
    out.external = compact({ metricName: e.metric?.name ?? "", metricSelector: e.metric?.selector, currentValue: e.current?.value ?? "0", currentAverageValue: e.current?.averageValue });
  }
  return out;
}

function conditionToV1(c: HpaCondition): V1Condition {
  return compact({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? null, reason: c.reason || undefined, message: c.message || undefined });
}

function rulesToInternal(r: ScalingRules | undefined): InternalScalingRules | null {
  if (!r) return null;
  const policies = r.policies ? r.policies.map((p) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })) : null;
  return { StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null, SelectPolicy: r.selectPolicy ?? null, Policies: policies };
}

export function hpaV2ToV1(hpa: HpaV2): HpaV1 {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(hpa.metadata?.annotations ?? {})) if (!ROUND_TRIP.includes(k)) annotations[k] = v;
  const others = (spec.metrics ?? []).filter((m) => !isCpuUtilization(m));
  if (others.length > 0) annotations[METRICS_ANNOTATION] = JSON.stringify(others.map(metricSpecToV1));
  if ((status.currentMetrics ?? []).length > 0) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(status.currentMetrics!.map(metricStatusToV1));
  if (spec.behavior) {
    const internal: InternalBehavior = { ScaleUp: rulesToInternal(spec.behavior.scaleUp), ScaleDown: rulesToInternal(spec.behavior.scaleDown) };
    annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(internal);
  }
  if ((status.conditions ?? []).length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions!.map(conditionToV1));

  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const cpu = (spec.metrics ?? []).find(isCpuUtilization);
  let currentCpu: number | undefined;
  for (const m of status.currentMetrics ?? []) {
    if (m.type === "Resource" && m.resource?.name === "cpu" && m.resource.current?.averageUtilization != null) currentCpu = m.resource.current.averageUtilization;
  }
  return {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata,
    spec: compact({
      scaleTargetRef: ref(spec.scaleTargetRef),
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas ?? 0,
      targetCPUUtilizationPercentage: cpu?.resource?.target.averageUtilization,
    }),
    status: compact({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: currentCpu,
    }),
  };
}

// ---------------------------------------------------------------- v1 -> v2

function metricSpecFromV1(m: V1MetricSpec): MetricSpec {
  const out: MetricSpec = { type: m.type };
  if (m.object) {
    const o = m.object;
    out.object = {
      describedObject: ref(o.target),
      target: compact({ type: o.averageValue == null ? "Value" : "AverageValue", value: o.targetValue, averageValue: o.averageValue }),
      metric: compact({ name: o.metricName, selector: o.selector }),
    };
  }
  if (m.pods) out.pods = { metric: compact({ name: m.pods.metricName, selector: m.pods.selector }), target: { type: "AverageValue", averageValue: m.pods.targetAverageValue } };
  if (m.resource) {
    const r = m.resource;
    out.resource = { name: r.name, target: compact({ type: r.targetAverageUtilization == null ? "AverageValue" : "Utilization", averageValue: r.targetAverageValue, averageUtilization: r.targetAverageUtilization }) };
  }
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = {
      name: c.name,
      target: compact({ type: c.targetAverageUtilization == null ? "AverageValue" : "Utilization", averageValue: c.targetAverageValue, averageUtilization: c.targetAverageUtilization }),
      container: c.container,
    };
  }
  if (m.external) {
    const e = m.external;
    out.external = {
      metric: compact({ name: e.metricName, selector: e.metricSelector }),
      target: compact({ type: e.targetValue == null ? "AverageValue" : "Value", value: e.targetValue, averageValue: e.targetAverageValue }),
    };
  }
  return out;
}

function metricStatusFromV1(m: V1MetricStatus): MetricStatus {
  const out: MetricStatus = { type: m.type };
  if (m.object) {
    const o = m.object;
    out.object = { metric: compact({ name: o.metricName, selector: o.selector }), current: compact({ value: o.currentValue, averageValue: o.averageValue }), describedObject: ref(o.target) };
  }
  if (m.pods) out.pods = { metric: compact({ name: m.pods.metricName, selector: m.pods.selector }), current: { averageValue: m.pods.currentAverageValue } };
  if (m.resource) out.resource = { name: m.resource.name, current: compact({ averageValue: m.resource.currentAverageValue, averageUtilization: m.resource.currentAverageUtilization }) };
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, current: compact({ averageValue: c.currentAverageValue, averageUtilization: c.currentAverageUtilization }), container: c.container };
  }
  if (m.external) {
    const e = m.external;
    out.external = { metric: compact({ name: e.metricName, selector: e.metricSelector }), current: compact({ value: e.currentValue, averageValue: e.currentAverageValue }) };
  }
  return out;
}

function rulesFromInternal(r: InternalScalingRules | null | undefined): ScalingRules | undefined {
  if (!r) return undefined;
  return compact({
    stabilizationWindowSeconds: r.StabilizationWindowSeconds ?? undefined,
    selectPolicy: r.SelectPolicy ?? undefined,
    policies: r.Policies ? r.Policies.map((p) => ({ type: p.Type, value: p.Value, periodSeconds: p.PeriodSeconds })) : undefined,
  });
}

/** An annotation's JSON, or undefined when it is absent or does not parse (upstream ignores it then). */
function parseAnnotation<T>(annotations: Record<string, string> | undefined, key: string): T | undefined {
  const text = annotations?.[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export function hpaV1ToV2(hpa: HpaV1): HpaV2 {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  const annotations = hpa.metadata?.annotations;

  let metrics: MetricSpec[] = [];
  if (spec.targetCPUUtilizationPercentage != null) metrics = [cpuUtilizationMetric(spec.targetCPUUtilizationPercentage)];
  const others = parseAnnotation<V1MetricSpec[]>(annotations, METRICS_ANNOTATION);
  // The annotated metrics come first, then the CPU target, as upstream orders them.
  if (Array.isArray(others)) metrics = [...others.map(metricSpecFromV1), ...metrics];
  // v1 always had an implicit CPU target; v2 makes it explicit.
  if (metrics.length === 0) metrics = [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];

  let behavior: Behavior | undefined;
  const internal = parseAnnotation<InternalBehavior>(annotations, BEHAVIOR_ANNOTATION);
  if (internal && typeof internal === "object" && (internal.ScaleUp || internal.ScaleDown)) {
    behavior = compact({ scaleUp: rulesFromInternal(internal.ScaleUp), scaleDown: rulesFromInternal(internal.ScaleDown) });
  }

  let currentMetrics: MetricStatus[] | undefined;
  const current = parseAnnotation<V1MetricStatus[]>(annotations, CURRENT_METRICS_ANNOTATION);
  if (Array.isArray(current)) currentMetrics = current.map(metricStatusFromV1);
  else if (status.currentCPUUtilizationPercentage != null) {
    currentMetrics = [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
  }
  let conditions: HpaCondition[] | undefined;
  const annotated = parseAnnotation<V1Condition[]>(annotations, CONDITIONS_ANNOTATION);
  if (Array.isArray(annotated)) {
    conditions = annotated.map((c) => compact({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? undefined, reason: c.reason, message: c.message }));
  }

  const metadata = { ...hpa.metadata };
  const kept = Object.entries(annotations ?? {}).filter(([k]) => !ROUND_TRIP.includes(k));
  if (kept.length > 0) metadata.annotations = Object.fromEntries(kept);
  else delete metadata.annotations;

  const v2Spec: HpaSpecV2 = compact({ scaleTargetRef: ref(spec.scaleTargetRef), minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas ?? 0, metrics, behavior });
  const v2Status: HpaStatusV2 = compact({
    observedGeneration: status.observedGeneration,
    lastScaleTime: status.lastScaleTime,
    // v2's currentReplicas is omitempty; desiredReplicas is not.
    currentReplicas: status.currentReplicas || undefined,
    desiredReplicas: status.desiredReplicas ?? 0,
    currentMetrics,
    conditions,
  });
  return { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata, spec: v2Spec, status: v2Status };
}

export const asV2 = (obj: KubeObject) => obj as unknown as HpaV2;
export const asV1 = (obj: KubeObject) => obj as unknown as HpaV1;
