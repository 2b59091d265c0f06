/**
 * A replica controller's status from the pods it owns (upstream's calculateStatus): replicas,
 * fully labeled, ready and available counts, observedGeneration, and the ReplicaFailure
 * condition while creating or deleting pods fails.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Pod } from "../common/types.ts";
import { isPodAvailable, isPodReady } from "../common/pods.ts";
import { rfc3339 } from "../common/types.ts";

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export interface ManageFailure {
  reason: "FailedCreate" | "FailedDelete";
  message: string;
}

export function calculateStatus(owner: KubeObject, pods: Pod[], failure: ManageFailure | undefined, minReadySeconds: number, now: number): ReplicaStatus {
  const templateLabels = (owner.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReadySeconds, now)) available++;
    }
  }
  const old = (owner.status ?? {}) as ReplicaStatus;
  let conditions = (old.conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  const held = old.conditions?.find((c) => c.type === "ReplicaFailure");
  if (failure) {
    // Keep the first failure's transition time while the failure lasts.
    conditions = [...conditions, held ?? { type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(now), reason: failure.reason, message: failure.message }];
  }
  return {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: owner.metadata?.generation,
    ...(conditions.length ? { conditions } : {}),
  };
}

function n(v: number | undefined): number {
  return v ?? 0;
}

export function statusEqual(a: ReplicaStatus, b: ReplicaStatus): boolean {
  return (
    n(a.replicas) === n(b.replicas) &&
    n(a.fullyLabeledReplicas) === n(b.fullyLabeledReplicas) &&
    n(a.readyReplicas) === n(b.readyReplicas) &&
    n(a.availableReplicas) === n(b.availableReplicas) &&
    n(a.observedGeneration) === n(b.observedGeneration) &&
    JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
