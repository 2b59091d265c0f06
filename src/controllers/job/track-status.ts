/**
 * Job status tracking with finalizers (upstream's trackJobStatusAndRemoveFinalizers): a finished
 * pod is first recorded in status.uncountedTerminatedPods, then its tracking finalizer is removed,
 * then it moves into the succeeded/failed counters. A crash between any two steps loses or
 * double-counts nothing. The terminal condition (Complete/Failed) is written only once nothing
 * is uncounted and no pod is still terminating.
 */
import type { Job, JobCondition, Pod } from "../common/types.ts";
import { JOBS, isApiError } from "../common/types.ts";
import { ensureCondition, findCondition, newCondition } from "./conditions.ts";
import { completionIndex, hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexed, isPodFailed, validIndex } from "./job-pods.ts";
import { matchPodFailurePolicy } from "./pod-failure-policy.ts";
import type { JobSyncDeps, SyncContext } from "./sync-job.ts";

/** Upper bound of UIDs in uncountedTerminatedPods (keeps the status under ~20 KB). */
const MAX_UNCOUNTED_PODS = 500;

type Status = NonNullable<Job["status"]>;

function isSuccessCriteriaMet(c: JobCondition | undefined): boolean {
  return c?.type === "SuccessCriteriaMet" && c.status === "True";
}

/**
 * Moves uncounted pods whose finalizer is gone into the counters. Returns whether the status
 * changed.
 */
function cleanUncounted(status: Status, withFinalizer: ReadonlySet<string>): boolean {
  const uncounted = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  const keepSucceeded = (uncounted.succeeded ?? []).filter((uid) => withFinalizer.has(uid));
  if (keepSucceeded.length !== (uncounted.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (uncounted.succeeded ?? []).length - keepSucceeded.length;
    uncounted.succeeded = keepSucceeded;
    changed = true;
  }
  const keepFailed = (uncounted.failed ?? []).filter((uid) => withFinalizer.has(uid));
  if (keepFailed.length !== (uncounted.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (uncounted.failed ?? []).length - keepFailed.length;
    uncounted.failed = keepFailed;
    changed = true;
  }
  if (uncounted.succeeded?.length === 0) delete uncounted.succeeded;
  if (uncounted.failed?.length === 0) delete uncounted.failed;
  return changed;
}

/**
 * Whether the pod's finalizer may go now: the Job is deleted or finished, the pod succeeded, or
 * it failed (unless it waits for its index's replacement to carry the failure count).
 */
function canRemoveFinalizer(ctx: SyncContext, pod: Pod, failed: boolean): boolean {
  if (ctx.job.metadata?.deletionTimestamp || ctx.finished || pod.status?.phase === "Succeeded") return true;
  if (!failed) return false;
  if (hasBackoffLimitPerIndex(ctx.job)) {
    const ix = completionIndex(pod);
    if (ctx.delayedDeletionPerIndex.get(ix)?.metadata?.uid === pod.metadata?.uid) return false;
  }
  return true;
}

async function updateStatus(deps: JobSyncDeps, job: Job): Promise<Job> {
  const updated = (await deps.client.update(JOBS, job.metadata!.namespace!, job, { subresource: "status" })) as Job;
  return { ...updated, apiVersion: updated.apiVersion ?? "batch/v1", kind: updated.kind ?? "Job" };
}

/** Removes finalizers; returns the pods whose finalizer is gone and the first error. */
async function removeFinalizers(deps: JobSyncDeps, key: string, pods: Pod[]): Promise<{ removed: Set<string>; error?: unknown }> {
  const uids = pods.map((p) => p.metadata?.uid ?? "");
  deps.finalizerExpectations.expect(key, uids);
  const removed = new Set<string>();
  let error: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      const uid = pod.metadata?.uid ?? "";
      try {
        await deps.pods.removeTrackingFinalizer(pod);
        removed.add(uid);
      } catch (err) {
        // No update will come for it: stop waiting.
        deps.finalizerExpectations.observed(key, uid);
        if (!isApiError(err, 404)) error ??= err;
        else removed.add(uid);
      }
    }),
  );
  return { removed, error };
}

/** Writes the uncounted pods (and interim condition), removes finalizers, then counts them. */
async function flushAndRemoveFinalizers(deps: JobSyncDeps, ctx: SyncContext, toRemove: Pod[], withFinalizer: Set<string>, needsFlush: boolean): Promise<boolean> {
  if (needsFlush) {
    ctx.job = await updateStatus(deps, ctx.job);
    deps.backoff.update(ctx.newBackoff);
    needsFlush = false;
  }
  let error: unknown;
  if (toRemove.length > 0) {
    const r = await removeFinalizers(deps, ctx.key, toRemove);
    for (const uid of r.removed) withFinalizer.delete(uid);
    error = r.error;
  }
  if (cleanUncounted((ctx.job.status ??= {}), withFinalizer)) needsFlush = true;
  if (error) {
    // Save the partial progress before reporting the failure.
    if (needsFlush) ctx.job = await updateStatus(deps, ctx.job);
    throw error;
  }
  return needsFlush;
}

/** Adds Complete or Failed once every pod is counted and none is terminating. */
function enactFinished(deps: JobSyncDeps, ctx: SyncContext): boolean {
  const cond = ctx.finished;
  if (!cond) return false;
  const uncounted = ctx.job.status?.uncountedTerminatedPods;
  if ((uncounted?.succeeded?.length ?? 0) + (uncounted?.failed?.length ?? 0) > 0) return false;
  if (ctx.terminating > 0) return false;
  ensureCondition(ctx.job, cond.type as "Complete" | "Failed", cond.status, cond.reason ?? "", cond.message ?? "", deps.clock.now());
  if (cond.type === "Complete") ctx.job.status!.completionTime = findCondition(ctx.job, "Complete")!.lastTransitionTime;
  return true;
}

function recordFinished(deps: JobSyncDeps, job: Job, cond: JobCondition): void {
  if (cond.type === "Complete") {
    const completions = job.spec?.completions;
    if (completions != null && (job.status?.succeeded ?? 0) > completions) {
      deps.recorder.event(job, "Warning", "TooManySucceededPods", "Too many succeeded pods running after completion count reached");
    }
    deps.recorder.event(job, "Normal", "Completed", "Job completed");
  } else deps.recorder.event(job, "Warning", cond.reason ?? "", cond.message ?? "");
}

export async function trackStatusAndRemoveFinalizers(deps: JobSyncDeps, ctx: SyncContext, needsFlush: boolean): Promise<void> {
  const job = ctx.job;
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const indexed = isIndexed(job);
  const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;
  const withFinalizer = new Set<string>();
  for (const p of pods) if (hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(p.metadata?.uid ?? "")) withFinalizer.add(p.metadata?.uid ?? "");
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;

  const toRemove: Pod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid = pod.metadata?.uid ?? "";
    if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
    const failed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, failed)) continue;
    toRemove.push(pod);
    if (pod.status?.phase === "Succeeded" && !ctx.uncountedFailed.has(uid)) {
      if (indexed) {
        const ix = validIndex(job, pod);
        if (ix !== undefined && !ctx.prevSucceededIndexes.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!ctx.uncountedSucceeded.has(uid)) {
        (uncounted.succeeded ??= []).push(uid);
        needsFlush = true;
      }
    } else if (failed || (ctx.finished && !isSuccessCriteriaMet(ctx.finished))) {
      // Once the Job has failed, every pod not yet terminated counts as failed.
      if (!ctx.uncountedFailed.has(uid) && (!indexed || validIndex(job, pod) !== undefined)) {
        if (!job.spec?.podFailurePolicy || matchPodFailurePolicy(job, pod).countFailed) {
          (uncounted.failed ??= []).push(uid);
          needsFlush = true;
        }
      }
    }
    if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
      // The rest waits for the next sync, so big Jobs do not starve small ones.
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    ctx.succeededIndexes = ctx.succeededIndexes.withIndexes([...newSucceededIndexes].sort((a, b) => a - b));
    const text = ctx.succeededIndexes.toString();
    if (text !== (status.completedIndexes ?? "")) needsFlush = true;
    status.succeeded = ctx.succeededIndexes.total();
    status.completedIndexes = text;
    const failedText = ctx.failedIndexes?.toString();
    if (failedText !== status.failedIndexes) {
      status.failedIndexes = failedText;
      needsFlush = true;
    }
  }
  const now = deps.clock.now();
  if (ctx.finished?.type === "FailureTarget") {
    (status.conditions ??= []).push(ctx.finished);
    needsFlush = true;
    ctx.finished = newCondition("Failed", "True", ctx.finished.reason ?? "", ctx.finished.message ?? "", now);
  }
  if (isSuccessCriteriaMet(ctx.finished)) {
    if (findCondition(job, "SuccessCriteriaMet")?.status !== "True") {
      (status.conditions ??= []).push(ctx.finished!);
      needsFlush = true;
    }
    ctx.finished = newCondition("Complete", "True", ctx.finished!.reason ?? "", ctx.finished!.message ?? "", now);
  }
  needsFlush = await flushAndRemoveFinalizers(deps, ctx, toRemove, withFinalizer, needsFlush);
  const finished = !reachedMax && enactFinished(deps, ctx);
  if (finished) needsFlush = true;
  if (!needsFlush) return;
  ctx.job = await updateStatus(deps, ctx.job);
  if (finished) recordFinished(deps, ctx.job, ctx.finished!);
}
