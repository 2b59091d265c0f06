/**
 * Taints and tolerations (upstream's v1 helpers): which toleration tolerates which taint, and
 * the node taints the node lifecycle controller manages.
 */
import type { Taint, Toleration } from "./types.ts";

export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
export const TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
export const TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
export const TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

/** Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  // An empty operator means Equal; an empty key with Exists tolerates every taint.
  if (t.operator === "Exists") return true;
  if (t.operator && t.operator !== "Equal") return false;
  return (t.value ?? "") === (taint.value ?? "");
}

/** Every taint tolerated, and the tolerations used (v1helper.GetMatchingTolerations). */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const matches = tolerations.filter((t) => tolerates(t, taint));
    if (matches.length === 0) return { all: false, used: [] };
    used.push(...matches);
  }
  return { all: true, used };
}

export function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function hasTaint(taints: Taint[] | undefined, key: string, effect: string): boolean {
  return (taints ?? []).some((t) => t.key === key && t.effect === effect);
}
