/**
 * autoscaling/v2 defaults (upstream pkg/apis/autoscaling/v2/defaults.go): minReplicas 1, 80%
 * average CPU utilization when no metric is given, and a given behavior completed with the
 * controller's default scale-up and scale-down rules. Quantities are stored in canonical form.
 */
import { canonicalQuantity } from "../../validation/quantity.ts";
import type { HpaV2, MetricTarget, ScalingRules } from "./types.ts";

/** upstream's autoscaling.DefaultCPUUtilization. */
export const DEFAULT_CPU_UTILIZATION = 80;

/** upstream's GenerateHPAScaleUpRules defaults: 4 pods or 100% per 15s, no stabilization. */
function scaleUpDefaults(): ScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ],
  };
}

/** upstream's GenerateHPAScaleDownRules defaults: 100% per 15s after a 5 minute window. */
function scaleDownDefaults(): ScalingRules {
  return { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };
}

/** copyHPAScalingRules: the given fields win, the rest are the defaults. */
function completeRules(given: ScalingRules | undefined | null, defaults: ScalingRules): ScalingRules {
  if (!given) return defaults;
  return {
    stabilizationWindowSeconds: given.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: given.selectPolicy ?? defaults.selectPolicy,
    policies: given.policies ?? defaults.policies,
  };
}

export function cpuUtilizationMetric(percent: number) {
  return { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: percent } } };
}

function canonicalTarget(target: MetricTarget | undefined): void {
  if (!target) return;
  if (typeof target.value === "string") target.value = canonicalQuantity(target.value);
  if (typeof target.averageValue === "string") target.averageValue = canonicalQuantity(target.averageValue);
}

export function defaultHpaV2(hpa: HpaV2): void {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) spec.metrics = [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)];
  for (const m of spec.metrics) {
    canonicalTarget(m.resource?.target);
    canonicalTarget(m.containerResource?.target);
    canonicalTarget(m.pods?.target);
    canonicalTarget(m.object?.target);
    canonicalTarget(m.external?.target);
  }
  if (spec.behavior) {
    spec.behavior = { scaleUp: completeRules(spec.behavior.scaleUp, scaleUpDefaults()), scaleDown: completeRules(spec.behavior.scaleDown, scaleDownDefaults()) };
  }
}
