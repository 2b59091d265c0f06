/**
 * The TTL-after-finished controller (kube-controller-manager's "ttl-after-finished-controller"):
 * a Job with spec.ttlSecondsAfterFinished is deleted (with its pods, in the foreground) that many
 * seconds after it finished — after its Complete or Failed condition's transition time. Before
 * deleting, it re-reads the Job so a TTL changed meanwhile is honoured, and deletes with the read
 * resourceVersion as precondition.
 */
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey, splitKey } from "../../client/index.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { as, isApiError, JOBS, timeOf, type Job } from "../common/types.ts";

export interface TtlAfterFinishedOptions {
  workers?: number;
  clock?: Clock;
}

/** When the Job finished (its terminal condition's transition), or undefined while it runs. */
function finishedAt(job: Job): number | undefined {
  const c = job.status?.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
  return c ? timeOf(c.lastTransitionTime) : undefined;
}

function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished != null && finishedAt(job) !== undefined && !job.metadata?.deletionTimestamp;
}

export class TtlAfterFinishedController extends KeyedController {
  readonly name = "ttl-after-finished-controller";
  private readonly jobs: Informer;

  constructor(ctx: ControllerContext, opts: TtlAfterFinishedOptions = {}) {
    super(ctx, opts.clock ?? realClock, opts.workers ?? 5);
    const consider = (obj: Parameters<typeof objectKey>[0]) => {
      if (needsCleanup(as<Job>(obj))) this.queue.add(objectKey(obj));
    };
    this.jobs = this.watch(ctx.informers.informer(JOBS), { add: consider, update: (_, cur) => consider(cur) });
  }

  /** Milliseconds until the Job expires (<= 0 once expired), undefined when it needs no cleanup. */
  private remaining(job: Job): number | undefined {
    if (!needsCleanup(job)) return undefined;
    return finishedAt(job)! + job.spec!.ttlSecondsAfterFinished! * 1000 - this.clock.now();
  }

  protected async sync(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    if (!cached) return;
    const left = this.remaining(as<Job>(cached));
    if (left === undefined) return;
    if (left > 0) return this.enqueueAfter(key, left);
    const { namespace, name } = splitKey(key);
    let fresh: Job;
    try {
      fresh = as<Job>(await this.ctx.client.get(JOBS, namespace, name));
    } catch (err) {
      if (isApiError(err, 404)) return;
      throw err;
    }
    const freshLeft = this.remaining(fresh);
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return this.enqueueAfter(key, freshLeft);
    this.log.v(2).info("cleaning up finished Job past its TTL", { job: key });
    try {
      await this.ctx.client.delete(JOBS, namespace, name, { propagationPolicy: "Foreground", preconditions: { uid: fresh.metadata?.uid, resourceVersion: fresh.metadata?.resourceVersion } });
    } catch (err) {
      // Gone already, or changed since the read: the change brings it back here.
      if (!isApiError(err, 404) && !isApiError(err, 409)) throw err;
    }
  }
}
