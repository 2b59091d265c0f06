/**
 * The Job controller (kube-controller-manager's "job-controller"): runs a Job's pods to
 * completion. Pod events are batched into one sync per Job (1 s upstream), spec changes sync at
 * once, and pods that lost their Job still get their tracking finalizer removed (the orphan
 * queue upstream; keys prefixed "orphan:" here).
 */
import type { Informer } from "../../client/index.ts";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { ControllerContext } from "../context.ts";
import { BY_NAMESPACE, objectKey, splitKey } from "../../client/index.ts";
import { labelSelectorFromObject } from "../../apiserver/selectors/index.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { Expectations } from "../common/expectations.ts";
import { FinalizerExpectations } from "./finalizer-expectations.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { controllerOf } from "../common/controller-ref.ts";
import { as, copy, JOBS, PODS, type Job, type OwnerReference, type Pod } from "../common/types.ts";
import { BackoffStore } from "./backoff.ts";
import { isJobFinished } from "./conditions.ts";
import { hasTrackingFinalizer } from "./job-pods.ts";
import { JobPodControl } from "./pod-control.ts";
import { syncJob, type JobSyncDeps } from "./sync-job.ts";

const ORPHAN = "orphan:";
const JOB_CONTROLLER_NAME = "kubernetes.io/job-controller";

export interface JobControllerOptions {
  /** Jobs synced at once (--concurrent-job-syncs, 5). */
  workers?: number;
  clock?: Clock;
  /** Pod events within this window share one sync (1 s upstream). */
  syncBatchMs?: number;
  /** The delay before replacing a failed pod, doubling per failure (10 s upstream), and its cap (10 min). */
  podFailureBackoffMs?: number;
  maxPodFailureBackoffMs?: number;
}

export class JobController extends KeyedController {
  readonly name = "job-controller";
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly expectations: Expectations;
  private readonly finalizerExpectations = new FinalizerExpectations();
  private readonly backoff = new BackoffStore();
  private readonly deps: JobSyncDeps;
  private readonly batchMs: number;

  constructor(ctx: ControllerContext, opts: JobControllerOptions = {}) {
    const clock = opts.clock ?? realClock;
    super(ctx, clock, opts.workers ?? 5);
    this.batchMs = opts.syncBatchMs ?? 1000;
    this.expectations = new Expectations(() => clock.now());
    const recorder = ctx.recorder("job-controller");
    this.deps = {
      client: ctx.client,
      pods: new JobPodControl(ctx.client, recorder),
      recorder,
      clock,
      expectations: this.expectations,
      finalizerExpectations: this.finalizerExpectations,
      backoff: this.backoff,
      backoffBaseMs: opts.podFailureBackoffMs ?? 10_000,
      backoffMaxMs: opts.maxPodFailureBackoffMs ?? 600_000,
      enqueueAfter: (key, ms) => this.enqueueAfter(key, Math.max(ms, this.batchMs)),
      log: this.log,
    };
    this.jobs = this.watch(ctx.informers.informer(JOBS), {
      add: (obj) => this.queue.add(objectKey(obj)),
      update: (old, cur) => this.updateJob(as<Job>(old), as<Job>(cur)),
      delete: (obj) => {
        this.queue.add(objectKey(obj));
        this.cleanupPodFinalizers(as<Job>(obj));
      },
    });
    this.pods = this.watch(ctx.informers.informer(PODS), {
      add: (obj) => this.addPod(as<Pod>(obj)),
      update: (old, cur) => this.updatePod(as<Pod>(old), as<Pod>(cur)),
      delete: (obj) => this.deletePod(as<Pod>(obj), true),
    });
  }

  private enqueueBatched(job: Job): void {
    this.enqueueAfter(objectKey(job), this.batchMs);
  }

  private updateJob(old: Job, cur: Job): void {
    const key = objectKey(cur);
    if (cur.metadata?.generation === old.metadata?.generation) this.enqueueBatched(cur);
    else this.queue.add(key);
    // Finished Jobs leave no finalizer behind (a backup for pods missed before).
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec?.activeDeadlineSeconds;
    if (cur.status?.startTime && ads != null && ads !== old.spec?.activeDeadlineSeconds) {
      this.enqueueAfter(key, ads * 1000 - (this.clock.now() - Date.parse(cur.status.startTime)));
    }
  }

  /** The Job a controller reference names, if it is still that Job. */
  private resolve(namespace: string, ref: OwnerReference | undefined): Job | undefined {
    if (!ref || ref.kind !== "Job") return undefined;
    const job = this.jobs.get(`${namespace}/${ref.name}`);
    return job && job.metadata?.uid === ref.uid ? as<Job>(job) : undefined;
  }

  /** Jobs whose selector picks the pod (candidates to adopt an orphan). */
  private jobsSelecting(pod: Pod): Job[] {
    return this.jobs.byIndex(BY_NAMESPACE, pod.metadata?.namespace ?? "").filter((j) => {
      try {
        const selector = labelSelectorFromObject(as<Job>(j).spec?.selector);
        return !selector.isEmpty() && selector.matches(pod.metadata?.labels ?? {});
      } catch {
        return false;
      }
    }) as Job[];
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod, false);
    const ref = controllerOf(pod);
    if (ref) {
      const job = this.resolve(pod.metadata!.namespace!, ref);
      if (!job) return;
      this.expectations.creationObserved(objectKey(job));
      this.enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.queue.add(ORPHAN + objectKey(pod));
    for (const job of this.jobsSelecting(pod)) this.enqueueBatched(job);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (cur.metadata?.deletionTimestamp) return this.deletePod(cur, false);
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    const ns = cur.metadata!.namespace!;
    if (refChanged && oldRef) {
      const job = this.resolve(ns, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerExpectations.observed(objectKey(job), cur.metadata?.uid ?? "");
        this.enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = this.resolve(ns, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerExpectations.observed(objectKey(job), cur.metadata?.uid ?? "");
      this.enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(cur)) this.queue.add(ORPHAN + objectKey(cur));
    if (refChanged || JSON.stringify(cur.metadata?.labels) !== JSON.stringify(old.metadata?.labels)) {
      for (const job of this.jobsSelecting(cur)) this.enqueueBatched(job);
    }
  }

  private deletePod(pod: Pod, final: boolean): void {
    const ref = controllerOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer) this.queue.add(ORPHAN + objectKey(pod));
      return;
    }
    const job = this.resolve(pod.metadata!.namespace!, ref);
    if (!job || isJobFinished(job)) {
      if (hasFinalizer) this.queue.add(ORPHAN + objectKey(pod));
      return;
    }
    const key = objectKey(job);
    this.expectations.deletionObserved(key, objectKey(pod));
    if (final || !hasFinalizer) this.finalizerExpectations.observed(key, pod.metadata?.uid ?? "");
    this.enqueueBatched(job);
  }

  /** Queues the Job's pods that still hold the finalizer for removal. */
  private cleanupPodFinalizers(job: Job): void {
    for (const pod of this.pods.byIndex(BY_NAMESPACE, job.metadata?.namespace ?? "")) {
      if (controllerOf(pod)?.uid === job.metadata?.uid && hasTrackingFinalizer(as<Pod>(pod))) this.queue.add(ORPHAN + objectKey(pod));
    }
  }

  protected async sync(key: string): Promise<void> {
    if (key.startsWith(ORPHAN)) return this.syncOrphanPod(key.slice(ORPHAN.length));
    const cached = this.jobs.get(key);
    if (!cached) {
      this.expectations.delete(key);
      this.finalizerExpectations.delete(key);
      this.backoff.remove(key);
      return;
    }
    const job = withKind(copy<Job>(cached));
    if (isJobFinished(job)) {
      this.backoff.remove(key);
      return;
    }
    const managedBy = job.spec?.managedBy;
    if (managedBy && managedBy !== JOB_CONTROLLER_NAME) return;
    const mode = job.spec?.completionMode;
    if (mode && mode !== "NonIndexed" && mode !== "Indexed") {
      this.deps.recorder.event(job, "Warning", "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown");
      return;
    }
    const pods = await this.podsForJob(job);
    await syncJob(this.deps, key, job, pods);
  }

  /**
   * The pods the Job owns, after adopting orphans its selector matches and releasing owned pods
   * it no longer matches (upstream's ClaimPods). Adopted pods get the tracking finalizer.
   */
  private async podsForJob(job: Job): Promise<Pod[]> {
    const selector = labelSelectorFromObject(job.spec?.selector);
    const uid = job.metadata?.uid;
    const out: Pod[] = [];
    for (const obj of this.pods.byIndex(BY_NAMESPACE, job.metadata?.namespace ?? "")) {
      const pod = as<Pod>(obj);
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata?.labels ?? {});
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches || job.metadata?.deletionTimestamp) out.push(pod);
        else await this.deps.pods.release(job, pod);
        continue;
      }
      if (!matches || job.metadata?.deletionTimestamp || pod.metadata?.deletionTimestamp) continue;
      if (!(await this.stillExists(job))) continue;
      out.push(await this.deps.pods.adopt(job, pod));
    }
    return out;
  }

  /** Adoption rechecks the Job with a live read (it may have been deleted meanwhile). */
  private async stillExists(job: Job): Promise<boolean> {
    try {
      const fresh = await this.ctx.client.get(JOBS, job.metadata!.namespace!, job.metadata!.name!);
      return fresh.metadata?.uid === job.metadata?.uid && !fresh.metadata?.deletionTimestamp;
    } catch {
      return false;
    }
  }

  /** Removes the tracking finalizer from a pod no unfinished Job owns. */
  private async syncOrphanPod(key: string): Promise<void> {
    const cached = this.pods.get(key);
    if (!cached) return;
    const pod = as<Pod>(cached);
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== "Job" || ref.apiVersion !== "batch/v1") return;
      const job = this.resolve(splitKey(key).namespace, ref);
      if (job?.spec?.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
      if (job && !isJobFinished(job)) return;
    }
    await this.deps.pods.removeTrackingFinalizer(pod);
  }
}

/** Cached objects may lack apiVersion/kind; events and owner references need them. */
function withKind(job: Job): Job {
  job.apiVersion ??= "batch/v1";
  job.kind ??= "Job";
  return job as Job & KubeObject;
}
