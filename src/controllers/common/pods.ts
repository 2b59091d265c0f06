/**
 * What controllers ask of pods (upstream's pkg/api/v1/pod and controller_utils): is it active,
 * ready, available, finished or terminating; and which pods go first when scaling down.
 */
import type { Pod, PodCondition } from "./types.ts";
import { timeOf } from "./types.ts";

/** Not finished and not being deleted (controller.IsPodActive). */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !p.metadata?.deletionTimestamp;
}

function readyCondition(p: Pod) {
  return p.status?.conditions?.find((c) => c.type === "Ready");
}

export function isPodReady(p: Pod): boolean {
  return readyCondition(p)?.status === "True";
}

/** When the pod last became ready (0 when not ready). */
export function podReadyTime(p: Pod): number {
  const c = readyCondition(p);
  return c?.status === "True" ? timeOf(c.lastTransitionTime) : 0;
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = timeOf(readyCondition(p)?.lastTransitionTime);
  return since > 0 && since + minReadySeconds * 1000 <= now;
}

/** The time left until a ready pod counts as available, or undefined if it is not waiting. */
export function availableIn(p: Pod, minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds || !isPodReady(p)) return undefined;
  const left = timeOf(readyCondition(p)?.lastTransitionTime) + minReadySeconds * 1000 - now;
  return left > 0 ? left : undefined;
}

/**
 * When to look at a workload again so that its ready pods waiting out minReadySeconds are
 * counted available: just after the first of them gets there (undefined when none waits).
 */
export function nextAvailableCheck(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  const waits = pods.map((p) => availableIn(p, minReadySeconds, now)).filter((w): w is number => w !== undefined);
  return waits.length ? Math.min(...waits) + 10 : undefined;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function maxRestarts(p: Pod): number {
  let max = 0;
  for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.["controller.kubernetes.io/pod-deletion-cost"];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

/** log2 buckets of age: pods of similar age are not told apart by time (LogarithmicScaleDown). */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** t1 after t2, with a missing time counting as newest (afterOrZero). */
function afterOrZero(t1: number, t2: number): boolean {
  if (!t1 || !t2) return !t1;
  return t1 > t2;
}

function newerFirst(t1: number, t2: number, a: Pod, b: Pod, now: number): boolean {
  if (!now || !t1 || !t2) return afterOrZero(t1, t2);
  const diff = logRank(t1, now) - logRank(t2, now);
  if (diff === 0) return (a.metadata?.uid ?? "") < (b.metadata?.uid ?? "");
  return diff < 0;
}

/**
 * Upstream's ActivePodsWithRanks: true when `a` should be deleted before `b`. Unscheduled before
 * scheduled, pending before unknown before running, not ready before ready, lower
 * pod-deletion-cost first, pods doubled up on a node (higher rank) first, recently ready before
 * long ready, more restarts first, newer before older.
 */
export function deleteBefore(a: Pod, rankA: number, b: Pod, rankB: number, now: number): boolean {
  const na = a.spec?.nodeName ?? "";
  const nb = b.spec?.nodeName ?? "";
  if (na !== nb && (na === "" || nb === "")) return na === "";
  const pa = PHASE_ORDER[a.status?.phase ?? ""] ?? 0;
  const pb = PHASE_ORDER[b.status?.phase ?? ""] ?? 0;
  if (pa !== pb) return pa < pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return !ra;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca < cb;
  if (rankA !== rankB) return rankA > rankB;
  if (ra && rb) {
    const ta = podReadyTime(a);
    const tb = podReadyTime(b);
    if (ta !== tb) return newerFirst(ta, tb, a, b, now);
  }
  const xa = maxRestarts(a);
  const xb = maxRestarts(b);
  if (xa !== xb) return xa > xb;
  const ta = timeOf(a.metadata?.creationTimestamp);
  const tb = timeOf(b.metadata?.creationTimestamp);
  if (ta !== tb) return newerFirst(ta, tb, a, b, now);
  return false;
}

/**
 * The `count` pods to delete first. A pod's rank is how many related pods (of this and sibling
 * controllers, e.g. a Deployment's other ReplicaSets) share its node, so scale-down spreads.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return pods;
  const onNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? "") ?? 0 }));
  ranked.sort((x, y) => (deleteBefore(x.p, x.rank, y.p, y.rank, now) ? -1 : deleteBefore(y.p, y.rank, x.p, x.rank, now) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.p);
}

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
