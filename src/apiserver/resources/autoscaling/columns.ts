/**
 * The `kubectl get hpa` Table (upstream's printHorizontalPodAutoscaler and formatHPAMetrics). Both
 * versions print the same cells: upstream prints the internal object, which is the v2 shape.
 */
import type { PrinterColumn } from "../../registry/definition.ts";
import type { KubeObject } from "../../api/types.ts";
import { canonicalQuantity } from "../../validation/quantity.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import type { HpaV2, MetricSpec, MetricStatus } from "./types.ts";

/** Targets shown before "+ N more...". */
const SHOWN_METRICS = 2;
const q = (text: string | undefined) => canonicalQuantity(text ?? "0");

/** One metric's "current/target" text; `status` is the current value at the same index, if any. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case "External": {
      const t = spec.external?.target;
      if (t?.averageValue != null) {
        const cur = status?.external?.current?.averageValue != null ? q(status.external.current.averageValue) : "<unknown>";
        return `${cur}/${q(t.averageValue)} (avg)`;
      }
      const cur = status?.external ? q(status.external.current?.value) : "<unknown>";
      return `${cur}/${q(t?.value)}`;
    }
    case "Pods": {
      const cur = status?.pods ? q(status.pods.current?.averageValue) : "<unknown>";
      return `${cur}/${q(spec.pods?.target?.averageValue)}`;
    }
    case "Object": {
      const t = spec.object?.target;
      if (t?.averageValue != null) {
        const cur = status?.object?.current?.averageValue != null ? q(status.object.current.averageValue) : "<unknown>";
        return `${cur}/${q(t.averageValue)} (avg)`;
      }
      const cur = status?.object ? q(status.object.current?.value) : "<unknown>";
      return `${cur}/${q(t?.value)}`;
    }
    case "Resource":
    case "ContainerResource": {
      const src = spec.type === "Resource" ? spec.resource : spec.containerResource;
      const cur = spec.type === "Resource" ? status?.resource : status?.containerResource;
      const t = src?.target;
      if (t?.averageValue != null) return `${src?.name}: ${cur ? q(cur.current?.averageValue) : "<unknown>"}/${q(t.averageValue)}`;
      const current = cur?.current?.averageUtilization != null ? `${cur.current.averageUtilization}%` : "<unknown>";
      const target = t?.averageUtilization != null ? `${t.averageUtilization}%` : "<auto>";
      return `${src?.name}: ${current}/${target}`;
    }
    default:
      return "<unknown type>";
  }
}

/** upstream's formatHPAMetrics: the first two targets, then a count of the rest. */
export function formatHpaMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs || specs.length === 0) return "<none>";
  const list = specs.map((s, i) => formatMetric(s, statuses?.[i]));
  if (list.length <= SHOWN_METRICS) return list.join(", ");
  return `${list.slice(0, SHOWN_METRICS).join(", ")} + ${list.length - SHOWN_METRICS} more...`;
}

/** The columns, printing the v2 form `asV2` gives of the served object. */
export function hpaColumns(asV2: (obj: KubeObject) => HpaV2): PrinterColumn[] {
  const cell = (f: (h: HpaV2) => unknown) => (obj: KubeObject) => f(asV2(obj));
  const col = (name: string, description: string, f: (h: HpaV2) => unknown): PrinterColumn => ({ name, type: "string", format: "", description, priority: 0, cell: cell(f) });
  return [
    nameColumn,
    col(
      "Reference",
      "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
      (h) => `${h.spec?.scaleTargetRef?.kind ?? ""}/${h.spec?.scaleTargetRef?.name ?? ""}`,
    ),
    col(
      "Targets",
      "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.",
      (h) => formatHpaMetrics(h.spec?.metrics, h.status?.currentMetrics),
    ),
    col(
      "MinPods",
      "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.",
      (h) => (h.spec?.minReplicas == null ? "<unset>" : String(h.spec.minReplicas)),
    ),
    col("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.", (h) => h.spec?.maxReplicas ?? 0),
    col("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.", (h) => h.status?.currentReplicas ?? 0),
    ageColumn,
  ];
}
