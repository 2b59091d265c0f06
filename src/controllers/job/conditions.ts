/**
 * Job conditions as upstream's job controller writes them. Since 1.31 a Job first gets the
 * interim SuccessCriteriaMet or FailureTarget condition, and Complete or Failed only once every
 * pod has terminated and been counted (the terminal condition is what `kubectl wait` and
 * CronJobs look for).
 */
import type { Job, JobCondition } from "../common/types.ts";
import { rfc3339 } from "../common/types.ts";

export type JobConditionType = "Complete" | "Failed" | "SuccessCriteriaMet" | "FailureTarget" | "Suspended";

export const REASON = {
  backoffLimitExceeded: "BackoffLimitExceeded",
  deadlineExceeded: "DeadlineExceeded",
  podFailurePolicy: "PodFailurePolicy",
  maxFailedIndexesExceeded: "MaxFailedIndexesExceeded",
  failedIndexes: "FailedIndexes",
  successPolicy: "SuccessPolicy",
  completionsReached: "CompletionsReached",
} as const;

export const MESSAGE = {
  backoffLimitExceeded: "Job has reached the specified backoff limit",
  deadlineExceeded: "Job was active longer than specified deadline",
  maxFailedIndexesExceeded: "Job has exceeded the specified maximal number of failed indexes",
  failedIndexes: "Job has failed indexes",
  completionsReached: "Reached expected number of succeeded pods",
} as const;

export function newCondition(type: JobConditionType, status: string, reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

export function findCondition(job: Job, type: JobConditionType): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

function isTrue(job: Job, type: JobConditionType): boolean {
  return findCondition(job, type)?.status === "True";
}

/** Complete or Failed (util.IsJobFinished). */
export function isJobFinished(job: Job): boolean {
  return isTrue(job, "Complete") || isTrue(job, "Failed");
}

export function finishedConditionType(job: Job): "Complete" | "Failed" | undefined {
  if (isTrue(job, "Complete")) return "Complete";
  if (isTrue(job, "Failed")) return "Failed";
  return undefined;
}

/**
 * Sets a condition's status, reason and message, appending it when missing (a False condition is
 * not appended: going from nothing to False says nothing). Returns whether anything changed.
 */
export function ensureCondition(job: Job, type: JobConditionType, status: string, reason: string, message: string, now: number): boolean {
  const status_ = (job.status ??= {});
  const list = (status_.conditions ??= []);
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return false;
    list[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === "False") return false;
  list.push(newCondition(type, status, reason, message, now));
  return true;
}
