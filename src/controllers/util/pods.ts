/**
 * Pod facts the cluster-lifecycle controllers decide on, beside the workload helpers in
 * common/pods.ts: conditions, terminal phases, and controller.IsPodTerminating (being deleted
 * but not yet finished, which the Job controller counts as `terminating`).
 */
import type { Pod, PodCondition } from "./types.ts";

export { isPodActive, isPodReady } from "../common/pods.ts";

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

export function isPodTerminating(pod: Pod): boolean {
  return !isPodTerminal(pod) && Boolean(pod.metadata?.deletionTimestamp);
}
