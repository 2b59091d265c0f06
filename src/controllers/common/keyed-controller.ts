/**
 * The shape most controllers share (upstream's informer + work queue + workers pattern): handlers
 * on shared informers turn changes into keys, workers reconcile one key at a time, failures come
 * back with the rate limiter's backoff, and wake-ups at a future time go through the controller's
 * clock (so tests can step time). Subclasses declare informers with `watch` and implement `sync`.
 */
import type { Informer, InformerHandlers } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import { runWorkers, WorkQueue, type RateLimiter } from "../../client/index.ts";
import { realClock, type Clock } from "./clock.ts";

export abstract class KeyedController implements Controller {
  abstract readonly name: string;
  protected readonly queue: WorkQueue;
  protected readonly log: Logger;
  private readonly subscriptions: Array<{ informer: Informer; handlers: InformerHandlers }> = [];
  /** Wake-ups per key: the earliest wanted time and how to cancel it. */
  private readonly wakeups = new Map<string, { at: number; cancel: () => void }>();
  private workers: Promise<void> | undefined;
  private stopped = false;

  constructor(
    protected readonly ctx: ControllerContext,
    protected readonly clock: Clock = realClock,
    private readonly workerCount = 5,
    limiter?: RateLimiter,
  ) {
    this.queue = new WorkQueue(limiter);
    this.log = ctx.log;
  }

  /** Reconciles one key; throwing retries it with backoff. */
  protected abstract sync(key: string): Promise<void>;

  /** Subscribes to a shared informer; handlers are removed again on stop. */
  protected watch(informer: Informer, handlers: InformerHandlers): Informer {
    informer.on(handlers);
    this.subscriptions.push({ informer, handlers });
    return informer;
  }

  /** An informer only read from (its cache, its indexes): started with the watched ones. */
  protected read(informer: Informer): Informer {
    return this.watch(informer, {});
  }

  /** Logs a failed sync that will be retried; controllers whose failures are routine log them quieter. */
  protected syncFailed(key: string, err: unknown): void {
    this.log.warn(`${this.name} sync failed; retrying`, { key, err });
  }

  /** Reconciles `key` after `ms` of the controller's clock; an earlier wake-up already set wins. */
  protected enqueueAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.queue.add(key);
    const at = this.clock.now() + ms;
    const held = this.wakeups.get(key);
    if (held && held.at <= at) return;
    held?.cancel();
    const cancel = this.clock.after(ms, () => {
      this.wakeups.delete(key);
      this.queue.add(key);
    });
    this.wakeups.set(key, { at, cancel });
  }

  async start(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.informer.start()));
    this.workers = runWorkers(this.queue, this.workerCount, (key) => this.sync(key), (key, err) => this.syncFailed(key, err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // The informers are shared: leave them running, the factory stops them.
    for (const s of this.subscriptions) s.informer.off(s.handlers);
    for (const w of this.wakeups.values()) w.cancel();
    this.wakeups.clear();
    this.queue.shutdown();
    await this.workers;
  }
}
