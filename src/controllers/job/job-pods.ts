/**
 * What the Job controller reads off its pods: completion indexes and per-index failure counts
 * (annotations the controller writes), finish times for the failure backoff, and whether a pod
 * counts as failed under the Job's pod replacement policy.
 */
import type { Job, Pod } from "../common/types.ts";
import { timeOf } from "../common/types.ts";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
export const INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count";
export const INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count";
export const COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";
export const UNKNOWN_INDEX = -1;

export function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

export function isIndexed(job: Job): boolean {
  return job.spec?.completionMode === "Indexed";
}

export function hasBackoffLimitPerIndex(job: Job): boolean {
  return job.spec?.backoffLimitPerIndex != null;
}

/** The pod's completion index, or UNKNOWN_INDEX when absent or malformed. */
export function completionIndex(pod: Pod): number {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX];
  if (v === undefined || !/^\+?\d+$/.test(v)) return UNKNOWN_INDEX;
  const n = Number.parseInt(v, 10);
  return n > 2 ** 31 - 1 ? UNKNOWN_INDEX : n;
}

/** A valid index below completions. */
export function validIndex(job: Job, pod: Pod): number | undefined {
  const ix = completionIndex(pod);
  return ix !== UNKNOWN_INDEX && ix < (job.spec?.completions ?? 0) ? ix : undefined;
}

function annotationCount(pod: Pod, key: string): number {
  const v = pod.metadata?.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  const n = Number.parseInt(v, 10);
  return n > 2 ** 31 - 1 ? 0 : n;
}

export function indexFailureCount(pod: Pod): number {
  return annotationCount(pod, INDEX_FAILURE_COUNT);
}

export function indexIgnoredFailureCount(pod: Pod): number {
  return annotationCount(pod, INDEX_IGNORED_FAILURE_COUNT);
}

/** Only failed pods are replaced (podReplacementPolicy Failed, implied by a podFailurePolicy). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === "Failed" || job.spec?.podFailurePolicy != null;
}

/** Failed, or deleted before it could finish (orphans never reach the Failed phase). */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === "Failed") return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata?.deletionTimestamp) && pod.status?.phase !== "Succeeded";
}

/**
 * When the pod finished (upstream's getFinishedTime): the last container to terminate, else
 * when Ready turned False, else the deletion time less its grace period, else its creation.
 */
export function finishedTime(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.length > 0 && statuses.every((s) => s.state?.terminated?.finishedAt)) {
    return Math.max(...statuses.map((s) => timeOf(s.state!.terminated!.finishedAt)));
  }
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status === "False" && ready.lastTransitionTime) return timeOf(ready.lastTransitionTime);
  if (pod.metadata?.deletionTimestamp) return timeOf(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return timeOf(pod.metadata?.creationTimestamp);
}
