/**
 * A work queue of object keys, with client-go's guarantees: a key waiting more than once is
 * processed once (duplicates merge), a key is never processed by two workers at once (a key added
 * while in progress is processed again after), failed keys come back after a delay from the rate
 * limiter, and shutdown stops handing out work.
 */
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.ts";

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: re-queued when their worker is done. */
  private readonly dirtyWhileProcessing = new Set<string>();
  /** One timer per delayed key, for the earliest time it is wanted (client-go's delaying queue). */
  private readonly delayed = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  private getters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(private readonly limiter: RateLimiter = defaultControllerRateLimiter()) {}

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    const getter = this.getters.shift();
    if (getter) {
      this.waiting.delete(key);
      this.processing.add(key);
      getter(key);
    } else this.queue.push(key);
  }

  /** Adds the key after `ms`; a key already due sooner keeps its earlier time. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const held = this.delayed.get(key);
    if (held && held.at <= at) return;
    if (held) clearTimeout(held.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Re-queues a failed key after the rate limiter's delay (5 ms, 10 ms, 20 ms, ... up to 1000 s by default). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Forgets a key's failures (after it succeeded). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  /** How many times the key has failed since it was last forgotten. */
  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** The next key to work on, or undefined once shut down. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.waiting.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }
}

/**
 * Runs `workers` loops taking keys from the queue into `reconcile`; a thrown error re-queues the
 * key with backoff, success forgets its failures. Resolves when the queue shuts down.
 */
export async function runWorkers(queue: WorkQueue, workers: number, reconcile: (key: string) => Promise<void>, onError: (key: string, err: unknown) => void): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
