/**
 * Writing the scheduler's view into a pod's status (upstream's updatePod): the PodScheduled
 * condition (False, with reason Unschedulable or SchedulerError and the failure message) and
 * status.nominatedNodeName. Nothing is written when neither would change.
 */
import type { Client } from "../client/index.ts";
import type { Pod } from "./api.ts";
import { PODS } from "./api.ts";

type Condition = NonNullable<NonNullable<Pod["status"]>["conditions"]>[number];

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The condition as upstream's UpdatePodCondition would store it, or undefined when nothing changes. */
export function nextCondition(pod: Pod, cond: { type: string; status: string; reason: string; message: string }, now: number): Condition | undefined {
  const old = pod.status?.conditions?.find((c) => c.type === cond.type);
  const next: Condition = { type: cond.type, status: cond.status, reason: cond.reason, message: cond.message, lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(now) };
  if (!old) return next;
  if (old.status === cond.status) next.lastTransitionTime = old.lastTransitionTime;
  const same = old.status === next.status && (old.reason ?? "") === next.reason && (old.message ?? "") === next.message && (old.lastProbeTime ?? null) === null && old.lastTransitionTime === next.lastTransitionTime;
  return same ? undefined : next;
}

/**
 * Marks the pod unschedulable (or failed by an error); `nominatedNodeName` overrides the
 * nomination when given ("" clears it).
 */
export async function recordSchedulingFailure(client: Client, pod: Pod, reason: string, message: string, nominatedNodeName: string | undefined, now: number): Promise<void> {
  const condition = nextCondition(pod, { type: "PodScheduled", status: "False", reason, message }, now);
  const nnnChanges = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? "") !== nominatedNodeName;
  if (!condition && !nnnChanges) return;
  const status: Record<string, unknown> = {};
  if (condition) status.conditions = [condition];
  if (nnnChanges) status.nominatedNodeName = nominatedNodeName || null;
  await client.patch(PODS, pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", "application/strategic-merge-patch+json", { status }, { subresource: "status" });
}
