/**
 * The CronJob controller (kube-controller-manager's "cronjob-controller", upstream's
 * ControllerV2): each CronJob is synced when it or one of its Jobs changes, and again at its
 * next scheduled time through the controller's clock. A sync trims finished Jobs to the history
 * limits, reconciles status.active, and starts the Job of the most recent unmet schedule,
 * honouring suspend, startingDeadlineSeconds and the concurrency policy.
 */
import type { Informer } from "../../client/index.ts";
import type { EventRecorder } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { BY_NAMESPACE, objectKey, splitKey } from "../../client/index.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { controllerOf } from "../common/controller-ref.ts";
import { as, controllerRef, copy, CRON_JOBS, errorMessage, hasStatusCause, isApiError, JOBS, rfc3339, timeOf, type CronJob, type Job } from "../common/types.ts";
import { localZone, parseSchedule, ScheduleError, zoneError, type Schedule } from "./schedule.ts";
import { jobName, mostRecentScheduleTime, nextScheduleDelay, rfc3339InZone } from "./schedule-times.ts";

export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

export interface CronJobControllerOptions {
  workers?: number;
  /** The time schedules are evaluated against (a test steps a fake clock instead of waiting minutes). */
  clock?: Clock;
  /** The zone of schedules without spec.timeZone: kube-controller-manager's local time. */
  defaultTimeZone?: string;
}

type ObjectReference = NonNullable<NonNullable<CronJob["status"]>["active"]>[number];

function finishedType(job: Job): "Complete" | "Failed" | undefined {
  for (const c of job.status?.conditions ?? []) if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.type;
  return undefined;
}

function inActive(cj: CronJob, uid: string | undefined): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

function removeFromActive(cj: CronJob, uid: string | undefined): void {
  cj.status!.active = (cj.status?.active ?? []).filter((r) => r.uid !== uid);
}

function referenceTo(job: Job): ObjectReference {
  return { kind: "Job", namespace: job.metadata?.namespace, name: job.metadata?.name, uid: job.metadata?.uid, apiVersion: "batch/v1", resourceVersion: job.metadata?.resourceVersion };
}

/** Oldest first by start time; Jobs that never started sort last (upstream's byJobStartTime). */
function byStartTime(a: Job, b: Job): number {
  const ta = timeOf(a.status?.startTime);
  const tb = timeOf(b.status?.startTime);
  if (!tb) return ta ? -1 : 0;
  if (!ta) return 1;
  return ta === tb ? (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "") : ta - tb;
}

export class CronJobController extends KeyedController {
  readonly name = "cronjob-controller";
  private readonly cronJobs: Informer;
  private readonly jobs: Informer;
  private readonly recorder: EventRecorder;
  private readonly defaultZone: string;

  constructor(ctx: ControllerContext, opts: CronJobControllerOptions = {}) {
    super(ctx, opts.clock ?? realClock, opts.workers ?? 5);
    this.recorder = ctx.recorder("cronjob-controller");
    this.defaultZone = opts.defaultTimeZone ?? localZone();
    this.cronJobs = this.watch(ctx.informers.informer(CRON_JOBS), {
      add: (obj) => this.queue.add(objectKey(obj)),
      update: (old, cur) => this.updateCronJob(as<CronJob>(old), as<CronJob>(cur)),
    });
    const jobChanged = (job: Job) => {
      const owner = this.owner(job);
      if (owner) this.queue.add(objectKey(owner));
    };
    this.jobs = this.watch(ctx.informers.informer(JOBS), {
      add: (obj) => jobChanged(as<Job>(obj)),
      update: (old, cur) => {
        const oldOwner = this.owner(as<Job>(old));
        if (oldOwner) this.queue.add(objectKey(oldOwner));
        jobChanged(as<Job>(cur));
      },
      delete: (obj) => jobChanged(as<Job>(obj)),
    });
  }

  /** The CronJob that controls a Job, if it still exists. */
  private owner(job: Job): CronJob | undefined {
    const ref = controllerOf(job);
    if (!ref || ref.kind !== "CronJob") return undefined;
    const cj = this.cronJobs.get(`${job.metadata?.namespace}/${ref.name}`);
    return cj && cj.metadata?.uid === ref.uid ? as<CronJob>(cj) : undefined;
  }

  /** A new schedule or zone moves the next wake-up; other changes sync now. */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    const key = objectKey(cur);
    if (old.spec?.schedule === cur.spec?.schedule && old.spec?.timeZone === cur.spec?.timeZone) return this.queue.add(key);
    try {
      const schedule = parseSchedule(this.formatSchedule(cur, false), this.zoneOf(cur));
      this.enqueueAfter(key, nextScheduleDelay(cur, this.clock.now(), schedule));
    } catch {
      this.recorder.event(cur, "Warning", "UnParseableCronJobSchedule", `unparseable schedule for cronjob: ${cur.spec?.schedule}`);
    }
  }

  private zoneOf(cj: CronJob): string {
    return cj.spec?.timeZone ?? this.defaultZone;
  }

  /** The schedule text; a TZ= prefix in it wins over spec.timeZone but is not officially supported. */
  private formatSchedule(cj: CronJob, warn: boolean): string {
    const schedule = cj.spec?.schedule ?? "";
    if (warn && schedule.includes("TZ")) {
      this.recorder.event(cj, "Warning", "UnsupportedSchedule", `CRON_TZ or TZ used in schedule "${schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    return schedule;
  }

  protected async sync(key: string): Promise<void> {
    const cached = this.cronJobs.get(key);
    if (!cached) return;
    const cj = copy<CronJob>(cached);
    cj.apiVersion ??= "batch/v1";
    cj.kind ??= "CronJob";
    cj.status ??= {};
    const { namespace } = splitKey(key);
    const jobs = this.jobs.byIndex(BY_NAMESPACE, namespace).filter((j) => {
      const ref = controllerOf(j);
      return ref?.kind === "CronJob" && ref.name === cj.metadata?.name;
    }) as Job[];
    const cleaned = await this.cleanupFinishedJobs(cj, jobs);
    let requeueMs: number | undefined;
    let changed = false;
    let syncError: unknown;
    try {
      const r = await this.syncCronJob(cj, jobs);
      requeueMs = r.requeueMs;
      changed = r.changed;
    } catch (err) {
      syncError = err;
      changed = true;
    }
    if (cleaned || changed) {
      try {
        await this.ctx.client.update(CRON_JOBS, namespace, cj, { subresource: "status" });
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
        return;
      }
    }
    if (requeueMs !== undefined) {
      this.queue.forget(key);
      this.enqueueAfter(key, requeueMs);
      return;
    }
    if (syncError) throw syncError;
  }

  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<{ requeueMs?: number; changed: boolean }> {
    const now = this.clock.now();
    let changed = false;
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata?.uid ?? "");
      const found = inActive(cj, j.metadata?.uid);
      const finished = finishedType(j);
      if (!found && !finished) {
        // Maybe our status write is newer than the cache: check the live object first.
        const live = as<CronJob>(await this.ctx.client.get(CRON_JOBS, cj.metadata!.namespace!, cj.metadata!.name!));
        if (inActive(live, j.metadata?.uid)) {
          cj.status = live.status ?? {};
          cj.metadata = { ...cj.metadata, resourceVersion: live.metadata?.resourceVersion };
          continue;
        }
        this.recorder.event(cj, "Warning", "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`);
      } else if (found && finished) {
        removeFromActive(cj, j.metadata?.uid);
        this.recorder.event(cj, "Normal", "SawCompletedJob", `Saw completed job: ${j.metadata?.name}, status: ${finished}`);
        changed = true;
      } else if (finished === "Complete") {
        const done = timeOf(j.status?.completionTime);
        if (done && done > timeOf(cj.status?.lastSuccessfulTime)) {
          cj.status!.lastSuccessfulTime = j.status?.completionTime;
          changed = true;
        }
      }
    }
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (children.has(ref.uid ?? "")) continue;
      try {
        await this.ctx.client.get(JOBS, ref.namespace ?? cj.metadata!.namespace!, ref.name ?? "");
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
        this.recorder.event(cj, "Normal", "MissingJob", `Active job went missing: ${ref.name}`);
        removeFromActive(cj, ref.uid);
        changed = true;
      }
    }
    if (cj.metadata?.deletionTimestamp) return { changed };

    const tz = cj.spec?.timeZone;
    if (tz != null) {
      const err = zoneError(tz);
      if (err) {
        this.recorder.event(cj, "Warning", "UnknownTimeZone", `invalid timeZone: "${tz}": ${err}`);
        return { changed };
      }
    }
    if (cj.spec?.suspend === true) return { changed };

    let schedule: Schedule;
    try {
      schedule = parseSchedule(this.formatSchedule(cj, true), this.zoneOf(cj));
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      this.recorder.event(cj, "Warning", "UnparseableSchedule", `unparseable schedule: "${cj.spec?.schedule}" : ${err.message}`);
      return { changed };
    }
    const recent = mostRecentScheduleTime(cj, now, schedule, true);
    if (recent.error) {
      this.recorder.event(cj, "Warning", "InvalidSchedule", `invalid schedule: ${cj.spec?.schedule} : ${recent.error}`);
      return { changed };
    }
    const requeueMs = nextScheduleDelay(cj, now, schedule);
    const scheduled = recent.mostRecent;
    if (scheduled === undefined || scheduled > now) return { requeueMs, changed };
    if (recent.manyMissed) {
      this.recorder.event(cj, "Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    }
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline != null && scheduled + deadline * 1000 < now) {
      this.recorder.event(cj, "Warning", "MissSchedule", `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return { requeueMs, changed };
    }
    const name = jobName(cj, scheduled);
    if ((cj.status?.active ?? []).some((r) => r.name === name) || timeOf(cj.status?.lastScheduleTime) === scheduled) return { requeueMs, changed };
    const policy = cj.spec?.concurrencyPolicy ?? "Allow";
    if (policy === "Forbid" && (cj.status?.active ?? []).length > 0) {
      this.recorder.event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
      return { requeueMs, changed };
    }
    if (policy === "Replace") {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let job: Job;
        try {
          job = as<Job>(await this.ctx.client.get(JOBS, ref.namespace ?? cj.metadata!.namespace!, ref.name ?? ""));
        } catch (err) {
          this.recorder.event(cj, "Warning", "FailedGet", `Get job: ${errorMessage(err)}`);
          throw err;
        }
        if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${job.metadata?.namespace}/${job.metadata?.name}`);
        changed = true;
      }
    }
    const created = await this.createJob(cj, scheduled);
    if (!created) return { changed };
    (cj.status!.active ??= []).push(referenceTo(created));
    cj.status!.lastScheduleTime = rfc3339(scheduled);
    return { requeueMs, changed: true };
  }

  /** Creates the Job for a scheduled time; a Job of that name we already own is taken as ours. */
  private async createJob(cj: CronJob, scheduled: number): Promise<Job | undefined> {
    const template = cj.spec?.jobTemplate ?? {};
    const ns = cj.metadata!.namespace!;
    const job: Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: jobName(cj, scheduled),
        namespace: ns,
        labels: { ...template.metadata?.labels },
        annotations: { ...template.metadata?.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339InZone(scheduled, cj.spec?.timeZone ?? "UTC") },
        ownerReferences: [controllerRef(cj, "batch/v1", "CronJob")],
      },
      spec: structuredClone(template.spec) as Job["spec"],
    };
    try {
      const created = as<Job>(await this.ctx.client.create(JOBS, ns, job));
      this.recorder.event(cj, "Normal", "SuccessfulCreate", `Created job ${created.metadata?.name}`);
      return created;
    } catch (err) {
      if (hasStatusCause(err, "NamespaceTerminating")) throw err;
      if (!isApiError(err, 409)) {
        this.recorder.event(cj, "Warning", "FailedCreate", `Error creating job: ${errorMessage(err)}`);
        throw err;
      }
      // Created before a crash that lost the status write: add it to active again if it is ours.
      const existing = as<Job>(await this.ctx.client.get(JOBS, ns, job.metadata!.name!));
      if (controllerOf(existing)?.uid !== cj.metadata?.uid || inActive(cj, existing.metadata?.uid)) return undefined;
      this.log.info("job already exists", { cronjob: objectKey(cj), job: existing.metadata?.name });
      return existing;
    }
  }

  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.ctx.client.delete(JOBS, job.metadata!.namespace!, job.metadata!.name!, { propagationPolicy: "Background" });
    } catch (err) {
      if (!isApiError(err, 404)) {
        this.recorder.event(cj, "Warning", "FailedDelete", `Deleted job: ${errorMessage(err)}`);
        return false;
      }
    }
    removeFromActive(cj, job.metadata?.uid);
    this.recorder.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${job.metadata?.name}`);
    return true;
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const spec = cj.spec ?? {};
    if (spec.successfulJobsHistoryLimit == null && spec.failedJobsHistoryLimit == null) return false;
    let changed = false;
    const trim = async (list: Job[], limit: number | undefined) => {
      if (limit == null || list.length <= limit) return;
      for (const job of [...list].sort(byStartTime).slice(0, list.length - limit)) if (await this.deleteJob(cj, job)) changed = true;
    };
    await trim(jobs.filter((j) => finishedType(j) === "Complete"), spec.successfulJobsHistoryLimit);
    await trim(jobs.filter((j) => finishedType(j) === "Failed"), spec.failedJobsHistoryLimit);
    return changed;
  }
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}
