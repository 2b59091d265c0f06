/**
 * What a new pod gets from the server before validation (upstream's podStrategy.PrepareForCreate):
 * a Pending status with its QoS class, the SchedulingGated condition, and label selectors
 * completed from matchLabelKeys / mismatchLabelKeys of pod (anti-)affinity terms.
 */
import type { V1PodAffinityTerm } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";
import { podQOSClass } from "./qos.ts";
import type { Pod } from "./types.ts";

export function preparePodForCreate(pod: Pod): void {
  pod.status = { phase: "Pending", qosClass: podQOSClass(pod) };
  if (pod.spec?.schedulingGates?.length) {
    pod.status.conditions = [{ type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" }];
  }
  applyLabelKeys(pod);
}

/** Turns matchLabelKeys into `In` expressions and mismatchLabelKeys into `NotIn`, with this pod's values. */
function applyLabelKeys(pod: Pod): void {
  const labels = pod.metadata?.labels ?? {};
  const affinity = pod.spec?.affinity;
  for (const kind of [affinity?.podAffinity, affinity?.podAntiAffinity]) {
    if (!kind) continue;
    const terms: Array<Wire<V1PodAffinityTerm>> = [
      ...(kind.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(kind.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
    ];
    for (const term of terms) {
      if (!term.labelSelector) continue;
      const exprs = (term.labelSelector.matchExpressions ??= []);
      for (const key of term.matchLabelKeys ?? []) if (key in labels) exprs.push({ key, operator: "In", values: [labels[key]!] });
      for (const key of term.mismatchLabelKeys ?? []) if (key in labels) exprs.push({ key, operator: "NotIn", values: [labels[key]!] });
      if (!exprs.length) delete term.labelSelector.matchExpressions;
    }
  }
}
