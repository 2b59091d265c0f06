/**
 * One reconcile of a Job (upstream's syncJob): count its pods, decide whether it has met its
 * success criteria or failed (backoffLimit, activeDeadlineSeconds, podFailurePolicy, per-index
 * limits), create or delete pods towards `parallelism` when it has not, and hand the result to
 * status tracking. Counting is exact across restarts because every pod carries the tracking
 * finalizer until the Job's status has counted it.
 */
import type { Client, EventRecorder } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Clock } from "../common/clock.ts";
import type { Expectations } from "../common/expectations.ts";
import type { FinalizerExpectations } from "./finalizer-expectations.ts";
import type { Job, JobCondition, Pod } from "../common/types.ts";
import { isPodActive, isPodReady, isPodTerminating, podsToDelete } from "../common/pods.ts";
import { hasStatusCause, rfc3339, timeOf } from "../common/types.ts";
import { type BackoffRecord, type BackoffStore, remainingBackoff } from "./backoff.ts";
import { ensureCondition, findCondition, MESSAGE, newCondition, REASON } from "./conditions.ts";
import { Intervals } from "./intervals.ts";
import {
  COMPLETION_INDEX,
  COMPLETION_INDEX_ENV,
  completionIndex,
  finishedTime,
  hasBackoffLimitPerIndex,
  hasTrackingFinalizer,
  INDEX_FAILURE_COUNT,
  INDEX_IGNORED_FAILURE_COUNT,
  indexFailureCount,
  indexIgnoredFailureCount,
  isIndexed,
  isPodFailed,
  JOB_TRACKING_FINALIZER,
  onlyReplaceFailedPods,
  UNKNOWN_INDEX,
  validIndex,
} from "./job-pods.ts";
import { matchPodFailurePolicy } from "./pod-failure-policy.ts";
import type { JobPodControl } from "./pod-control.ts";
import { matchSuccessPolicy } from "./success-policy.ts";
import { trackStatusAndRemoveFinalizers } from "./track-status.ts";

/** Pods created or deleted in one sync at most (upstream's MaxPodCreateDeletePerSync). */
const MAX_POD_CHANGES_PER_SYNC = 500;
/** Longest generateName prefix the API server keeps before its random suffix. */
const MAX_GENERATED_NAME_LENGTH = 58;

export interface JobSyncDeps {
  client: Client;
  pods: JobPodControl;
  recorder: EventRecorder;
  clock: Clock;
  expectations: Expectations;
  finalizerExpectations: FinalizerExpectations;
  backoff: BackoffStore;
  backoffBaseMs: number;
  backoffMaxMs: number;
  enqueueAfter(key: string, ms: number): void;
  log: Logger;
}

/** What one sync knows about a Job (upstream's syncJobCtx). */
export interface SyncContext {
  key: string;
  job: Job;
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  uncountedSucceeded: ReadonlySet<string>;
  uncountedFailed: ReadonlySet<string>;
  expectedRmFinalizers: ReadonlySet<string>;
  finished?: JobCondition;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
  failedIndexes?: Intervals;
  delayedDeletionPerIndex: Map<number, Pod>;
  newBackoff: BackoffRecord;
}

type Spec = NonNullable<Job["spec"]>;

function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function suspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** Pods not yet counted (finalizer held, not in the uncounted list), with a valid index for Indexed Jobs. */
export function uncountedPods(ctx: Pick<SyncContext, "job" | "pods" | "expectedRmFinalizers">, skip: ReadonlySet<string> | undefined, filter: (p: Pod) => boolean): Pod[] {
  return ctx.pods.filter((p) => {
    const uid = p.metadata?.uid ?? "";
    if (!hasTrackingFinalizer(p) || skip?.has(uid) || ctx.expectedRmFinalizers.has(uid)) return false;
    if (isIndexed(ctx.job) && validIndex(ctx.job, p) === undefined) return false;
    return filter(p);
  });
}

function countedFailures(job: Job, failed: Pod[]): number {
  if (!job.spec?.podFailurePolicy) return failed.length;
  return failed.filter((p) => matchPodFailurePolicy(job, p).countFailed).length;
}

/** A FailJob rule matched one of the failed pods. */
function failJobMessage(job: Job, pods: Pod[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const msg = matchPodFailurePolicy(job, p).failJobMessage;
    if (msg) return msg;
  }
  return undefined;
}

/** restartPolicy OnFailure: the containers' restarts count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== "Running" && p.status?.phase !== "Pending") continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function pastActiveDeadline(job: Job, now: number): boolean {
  const ads = job.spec?.activeDeadlineSeconds;
  if (ads == null || !job.status?.startTime || suspended(job)) return false;
  return now - timeOf(job.status.startTime) >= ads * 1000;
}

function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  let counted = true;
  if (job.spec?.podFailurePolicy) {
    const m = matchPodFailurePolicy(job, pod);
    if (m.action === "FailIndex") return true;
    counted = m.countFailed;
  }
  return counted && indexFailureCount(pod) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

function succeededIndexes(job: Job, pods: Pod[]): { prev: Intervals; all: Intervals } {
  const completions = job.spec?.completions ?? 0;
  const prev = Intervals.parse(job.status?.completedIndexes, completions);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = validIndex(job, p);
    if (ix !== undefined && p.status?.phase === "Succeeded" && hasTrackingFinalizer(p)) fresh.add(ix);
  }
  return { prev, all: prev.withIndexes([...fresh].sort((a, b) => a - b)) };
}

function failedIndexes(job: Job, pods: Pod[]): Intervals {
  const prev = Intervals.parse(job.status?.failedIndexes, job.spec?.completions ?? 0);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = validIndex(job, p);
    if (ix !== undefined && hasTrackingFinalizer(p) && isIndexFailed(job, p)) fresh.add(ix);
  }
  return prev.withIndexes([...fresh].sort((a, b) => a - b));
}

function indexesOf(pods: Pod[]): number[] {
  const set = new Set<number>();
  for (const p of pods) {
    const ix = completionIndex(p);
    if (ix !== UNKNOWN_INDEX) set.add(ix);
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * Failed pods whose finalizer stays until their replacement exists, so the replacement can carry
 * the index's failure count forward (backoffLimitPerIndex); one per index, the latest failure.
 */
function delayedDeletionPerIndex(ctx: SyncContext): Map<number, Pod> {
  const active = new Set(indexesOf(ctx.activePods));
  const out = new Map<number, Pod>();
  for (const p of uncountedPods(ctx, undefined, (pod) => isPodFailed(pod, ctx.job))) {
    const ix = validIndex(ctx.job, p)!;
    if (ctx.succeededIndexes.has(ix) || ctx.failedIndexes?.has(ix) || active.has(ix)) continue;
    const held = out.get(ix);
    const absolute = (pod: Pod) => indexFailureCount(pod) + indexIgnoredFailureCount(pod);
    if (!held || (absolute(held) <= absolute(p) && finishedTime(p) >= finishedTime(held))) out.set(ix, p);
  }
  return out;
}

/** Indexes below completions not running, succeeded or failed, lowest first. */
function firstPendingIndexes(ctx: SyncContext, count: number, completions: number): number[] {
  if (count === 0) return [];
  let nonPending = ctx.succeededIndexes.withIndexes(indexesOf(ctx.activePods));
  if (onlyReplaceFailedPods(ctx.job)) nonPending = nonPending.withIndexes(indexesOf(ctx.pods.filter(isPodTerminating)));
  if (ctx.failedIndexes) nonPending = nonPending.merge(ctx.failedIndexes);
  const out: number[] = [];
  for (let ix = 0; ix < completions && out.length < count; ix++) if (!nonPending.has(ix)) out.push(ix);
  return out;
}

/**
 * Active pods to delete: for Indexed Jobs first those without a valid index and all but one per
 * repeated index, then the ones furthest from running (upstream's activePodsForRemoval).
 */
function activePodsForRemoval(job: Job, pods: Pod[], rmAtLeast: number, now: number): Pod[] {
  const rm: Pod[] = [];
  let left = pods;
  if (isIndexed(job)) {
    left = [];
    const byIndex = new Map<number, Pod[]>();
    for (const p of pods) {
      const ix = validIndex(job, p);
      if (ix === undefined) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const group of byIndex.values()) {
      const extra = podsToDelete(group, [], group.length - 1, now);
      rm.push(...extra);
      left.push(...group.filter((p) => !extra.includes(p)));
    }
  }
  if (rm.length < rmAtLeast) rm.push(...podsToDelete(left, [], rmAtLeast - rm.length, now));
  return rm;
}

/** The pod template as created: the tracking finalizer, and for Indexed Jobs the index env var. */
function podTemplate(job: Job): NonNullable<Spec["template"]> {
  const template = structuredClone(job.spec!.template);
  if (isIndexed(job)) {
    const spec = template.spec!;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      if ((c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
      (c.env ??= []).push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } });
    }
  }
  const meta = (template.metadata ??= {});
  if (!(meta.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
  return template;
}

/** Pods of a non-indexed Job are named "<job>-<random>". */
function generateNameFor(job: Job): string {
  return `${job.metadata!.name}-`;
}

function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? jobName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix;
}

/** The template for one index: annotation and label with the index, hostname, failure counts. */
function templateForIndex(ctx: SyncContext, base: NonNullable<Spec["template"]>, index: number): NonNullable<Spec["template"]> {
  const t = structuredClone(base);
  const meta = (t.metadata ??= {});
  (meta.annotations ??= {})[COMPLETION_INDEX] = String(index);
  (meta.labels ??= {})[COMPLETION_INDEX] = String(index);
  t.spec!.hostname = `${ctx.job.metadata!.name}-${index}`;
  if (hasBackoffLimitPerIndex(ctx.job)) {
    const replaced = ctx.delayedDeletionPerIndex.get(index);
    let failures = 0;
    let ignored = 0;
    if (replaced) {
      failures = indexFailureCount(replaced);
      ignored = indexIgnoredFailureCount(replaced);
      if (!ctx.job.spec?.podFailurePolicy || matchPodFailurePolicy(ctx.job, replaced).countFailed) failures++;
      else ignored++;
    }
    meta.annotations[INDEX_FAILURE_COUNT] = String(failures);
    if (ignored > 0) meta.annotations[INDEX_IGNORED_FAILURE_COUNT] = String(ignored);
  }
  return t;
}

/** Deletes pods after dropping their finalizer (a suspended or scaled-down Job's pods are not failures). */
async function deleteJobPods(deps: JobSyncDeps, ctx: SyncContext, pods: Pod[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = 0;
  let deletedReady = 0;
  let error: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      try {
        await deps.pods.removeTrackingFinalizer(pod);
        await deps.pods.delete(ctx.job, pod);
        deleted++;
        if (isPodReady(pod)) deletedReady++;
      } catch (err) {
        deps.expectations.deletionObserved(ctx.key, podKey(pod));
        error ??= err;
      }
    }),
  );
  return { deleted, deletedReady, error };
}

/** Deletes active pods keeping their finalizers: status tracking counts them as failed. */
async function deleteActivePods(deps: JobSyncDeps, ctx: SyncContext): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = 0;
  let deletedReady = 0;
  let error: unknown;
  await Promise.all(
    ctx.activePods.map(async (pod) => {
      try {
        await deps.pods.delete(ctx.job, pod);
        deleted++;
        if (isPodReady(pod)) deletedReady++;
      } catch (err) {
        error ??= err;
      }
    }),
  );
  return { deleted, deletedReady, error };
}

/**
 * Creates or deletes pods so that `parallelism` pods run (fewer when few completions remain),
 * respecting the failure backoff. Returns the active count after its changes.
 */
async function manageJob(deps: JobSyncDeps, ctx: SyncContext): Promise<{ active: number; error?: unknown }> {
  const job = ctx.job;
  const spec = job.spec!;
  let active = ctx.activePods.length;
  if (suspended(job)) {
    const toDelete = activePodsForRemoval(job, ctx.activePods, active, deps.clock.now());
    deps.expectations.expectDeletions(ctx.key, toDelete.map(podKey));
    const r = await deleteJobPods(deps, ctx, toDelete);
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }
  const parallelism = spec.parallelism ?? 1;
  let wantActive: number;
  if (spec.completions == null) wantActive = ctx.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(parallelism, spec.completions - ctx.succeeded));

  const toDelete = activePodsForRemoval(job, ctx.activePods, Math.max(0, active - wantActive), deps.clock.now()).slice(0, MAX_POD_CHANGES_PER_SYNC);
  if (toDelete.length > 0) {
    // Deletions and creations never mix in one sync; deletions go first.
    deps.expectations.expectDeletions(ctx.key, toDelete.map(podKey));
    const r = await deleteJobPods(deps, ctx, toDelete);
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }

  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return { active };
  if (!hasBackoffLimitPerIndex(job)) {
    const wait = remainingBackoff(deps.clock.now(), deps.backoffBaseMs, deps.backoffMaxMs, ctx.newBackoff.failuresAfterLastSuccess, ctx.newBackoff.lastFailureTime);
    if (wait > 0) {
      deps.enqueueAfter(ctx.key, wait);
      return { active: 0 };
    }
  }
  diff = Math.min(diff, MAX_POD_CHANGES_PER_SYNC);
  let indexes: number[] = [];
  if (isIndexed(job)) {
    indexes = firstPendingIndexes(ctx, diff, spec.completions ?? 0);
    if (hasBackoffLimitPerIndex(job)) {
      const ready: number[] = [];
      let soonest = Infinity;
      for (const ix of indexes) {
        const last = ctx.delayedDeletionPerIndex.get(ix);
        const wait = last
          ? remainingBackoff(deps.clock.now(), deps.backoffBaseMs, deps.backoffMaxMs, indexFailureCount(last) + indexIgnoredFailureCount(last) + 1, finishedTime(last))
          : 0;
        if (wait === 0) ready.push(ix);
        else soonest = Math.min(soonest, wait);
      }
      if (ready.length === 0 && indexes.length > 0) {
        deps.enqueueAfter(ctx.key, soonest);
        return { active: 0 };
      }
      indexes = ready;
    }
    diff = indexes.length;
  }
  return createPods(deps, ctx, diff, indexes, active);
}

/** Creates `count` pods in slow-start batches (1, 2, 4, ...), stopping after a batch with a failure. */
async function createPods(deps: JobSyncDeps, ctx: SyncContext, count: number, indexes: number[], activeBefore: number): Promise<{ active: number; error?: unknown }> {
  const template = podTemplate(ctx.job);
  deps.expectations.expectCreations(ctx.key, count);
  let active = activeBefore + count;
  let remaining = count;
  let error: unknown;
  let next = 0;
  for (let batch = Math.min(remaining, 1); remaining > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(
      Array.from({ length: batch }, () => {
        const ix = indexes.length > 0 ? indexes[next++] : undefined;
        const t = ix === undefined ? template : templateForIndex(ctx, template, ix);
        const name = ix === undefined ? generateNameFor(ctx.job) : generateNameWithIndex(ctx.job.metadata!.name!, ix);
        return deps.pods.create(ctx.job, t, name);
      }),
    );
    let failedInBatch = 0;
    for (const r of results) {
      if (r.status === "fulfilled") continue;
      // A namespace being deleted refuses every create: nothing to retry.
      if (hasStatusCause(r.reason, "NamespaceTerminating")) continue;
      failedInBatch++;
      error ??= r.reason;
      deps.expectations.creationObserved(ctx.key);
      active--;
    }
    remaining -= batch;
    if (failedInBatch > 0 && remaining > 0) {
      // The pods never attempted are not expected either.
      for (let i = 0; i < remaining; i++) deps.expectations.creationObserved(ctx.key);
      active -= remaining;
      break;
    }
  }
  return { active, error };
}

/** Sets the Suspended condition and its event when manageJob ran; resuming restarts the deadline clock. */
function updateSuspension(deps: JobSyncDeps, job: Job): boolean {
  const now = deps.clock.now();
  if (suspended(job)) {
    const changed = ensureCondition(job, "Suspended", "True", "JobSuspended", "Job suspended", now);
    if (changed) deps.recorder.event(job, "Normal", "Suspended", "Job suspended");
    return changed;
  }
  const changed = ensureCondition(job, "Suspended", "False", "JobResumed", "Job resumed", now);
  if (changed) {
    deps.recorder.event(job, "Normal", "Resumed", "Job resumed");
    job.status!.startTime = rfc3339(now);
  }
  return changed;
}

/** The Job's failure or success decided from counts and policies, if any (before pods are managed). */
function decideFinished(deps: JobSyncDeps, ctx: SyncContext): void {
  const job = ctx.job;
  const spec = job.spec!;
  const now = deps.clock.now();
  const met = findCondition(job, "SuccessCriteriaMet");
  if (met?.status === "True") ctx.finished = met;
  if (!ctx.finished) {
    const target = findCondition(job, "FailureTarget");
    const failMsg = target?.status === "True" ? undefined : failJobMessage(job, ctx.pods);
    if (target?.status === "True") ctx.finished = newCondition("Failed", "True", target.reason ?? "", target.message ?? "", now);
    else if (failMsg) ctx.finished = newCondition("FailureTarget", "True", REASON.podFailurePolicy, failMsg, now);
  }
  if (!ctx.finished) {
    if (ctx.failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, ctx.pods)) {
      ctx.finished = newCondition("FailureTarget", "True", REASON.backoffLimitExceeded, MESSAGE.backoffLimitExceeded, now);
    } else if (pastActiveDeadline(job, now)) {
      ctx.finished = newCondition("FailureTarget", "True", REASON.deadlineExceeded, MESSAGE.deadlineExceeded, now);
    } else if (spec.activeDeadlineSeconds != null && !suspended(job) && job.status?.startTime) {
      deps.enqueueAfter(ctx.key, spec.activeDeadlineSeconds * 1000 - (now - timeOf(job.status.startTime)));
    }
  }
  if (!isIndexed(job)) return;
  const completions = spec.completions ?? 0;
  const s = succeededIndexes(job, ctx.pods);
  ctx.prevSucceededIndexes = s.prev;
  ctx.succeededIndexes = s.all;
  ctx.succeeded = s.all.total();
  if (hasBackoffLimitPerIndex(job)) {
    ctx.failedIndexes = failedIndexes(job, ctx.pods);
    const failedCount = ctx.failedIndexes.total();
    if (!ctx.finished) {
      if (spec.maxFailedIndexes != null && failedCount > spec.maxFailedIndexes) {
        ctx.finished = newCondition("FailureTarget", "True", REASON.maxFailedIndexesExceeded, MESSAGE.maxFailedIndexesExceeded, now);
      } else if (failedCount > 0 && failedCount + ctx.succeededIndexes.total() >= completions) {
        ctx.finished = newCondition("FailureTarget", "True", REASON.failedIndexes, MESSAGE.failedIndexes, now);
      }
    }
    ctx.delayedDeletionPerIndex = delayedDeletionPerIndex(ctx);
  }
  if (!ctx.finished) {
    const msg = matchSuccessPolicy(spec.successPolicy, completions, ctx.succeededIndexes);
    if (msg) ctx.finished = newCondition("SuccessCriteriaMet", "True", REASON.successPolicy, msg, now);
  }
}

export async function syncJob(deps: JobSyncDeps, key: string, job: Job, pods: Pod[]): Promise<void> {
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const satisfied = deps.expectations.satisfied(key);
  const activePods = pods.filter(isPodActive);
  const ctx: SyncContext = {
    key,
    job,
    pods,
    activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isPodTerminating).length,
    succeeded: 0,
    failed: 0,
    uncountedSucceeded: new Set(uncounted.succeeded ?? []),
    uncountedFailed: new Set(uncounted.failed ?? []),
    expectedRmFinalizers: deps.finalizerExpectations.get(key),
    prevSucceededIndexes: new Intervals(),
    succeededIndexes: new Intervals(),
    delayedDeletionPerIndex: new Map(),
    newBackoff: { key, failuresAfterLastSuccess: 0 },
  };
  const newSucceeded = uncountedPods(ctx, ctx.uncountedSucceeded, (p) => p.status?.phase === "Succeeded");
  const newFailed = uncountedPods(ctx, ctx.uncountedFailed, (p) => isPodFailed(p, job));
  ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
  ctx.failed = (status.failed ?? 0) + countedFailures(job, newFailed) + ctx.uncountedFailed.size;
  if (!status.startTime && !suspended(job)) status.startTime = rfc3339(deps.clock.now());
  ctx.newBackoff = deps.backoff.next(key, newSucceeded, newFailed);

  decideFinished(deps, ctx);

  let active = activePods.length;
  let manageError: unknown;
  let suspendChanged = false;
  if (ctx.finished) {
    const r = await deleteActivePods(deps, ctx);
    // Not finished until every pod is gone and no create or delete is still unobserved.
    if (r.deleted !== active || !satisfied) ctx.finished = undefined;
    active -= r.deleted;
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata?.deletionTimestamp) {
      const r = await manageJob(deps, ctx);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const completions = job.spec?.completions;
    const complete = completions == null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
    if (complete) ctx.finished = newCondition("SuccessCriteriaMet", "True", REASON.completionsReached, MESSAGE.completionsReached, deps.clock.now());
    else if (managed) suspendChanged = updateSuspension(deps, job);
  }

  const needsUpdate = suspendChanged || active !== (status.active ?? 0) || ctx.ready !== status.ready || ctx.terminating !== status.terminating;
  status.active = active;
  status.ready = ctx.ready;
  status.terminating = ctx.terminating;
  await trackStatusAndRemoveFinalizers(deps, ctx, needsUpdate);
  if (manageError) throw manageError;
}
