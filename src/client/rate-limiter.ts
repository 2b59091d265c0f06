/**
 * Rate limiters for work queues (client-go's util/workqueue): how long a failed key waits before
 * it is tried again. The default for controllers is the larger of a per-key exponential backoff
 * (5 ms doubling to 1000 s) and an overall token bucket (10 per second, burst 100), so one bad key
 * backs off alone while a storm of failures cannot turn into a storm of retries.
 */
export interface RateLimiter {
  /** The delay before the key's next try; counts a failure. */
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

export class ExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2**n overflows into Infinity long before it matters; the cap keeps it finite.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** A token bucket shared by all keys: each retry takes a token; without one, it waits for the next. */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly perSecond = 10,
    private readonly burst = 100,
  ) {
    this.tokens = burst;
  }

  when(): number {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    // Reserve a token now even if it only exists later (golang.org/x/time/rate's Reserve).
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(key)));
  }
}

/** client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter(): RateLimiter {
  return new MaxOfRateLimiter(new ExponentialRateLimiter(5, 1_000_000), new BucketRateLimiter(10, 100));
}
