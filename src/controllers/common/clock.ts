/**
 * The time controllers read and wait on. Upstream's controllers take a clock (k8s.io/utils/clock)
 * so tests can step time instead of sleeping; kts's do the same: the real clock is wall time and
 * setTimeout, the fake clock only moves when a test advances it, firing the timers that fall due.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once `ms` of this clock's time have passed; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

interface FakeTimer {
  at: number;
  fn: () => void;
  id: number;
}

/** A clock that stands still until advanced (upstream's testing clock). */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = [];
  private nextId = 0;

  constructor(private current: number = Date.now()) {}

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.current + Math.max(0, ms), fn, id: this.nextId++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(ms: number): void {
    this.current = ms;
    const due = this.timers.filter((t) => t.at <= ms).sort((a, b) => a.at - b.at || a.id - b.id);
    this.timers = this.timers.filter((t) => t.at > ms);
    for (const t of due) t.fn();
  }

  /** Timers waiting (tests check a controller scheduled its next wake-up). */
  get pending(): number {
    return this.timers.length;
  }
}
