/**
 * Per-key exponential backoff with client-go's flowcontrol.Backoff semantics (crash loops and
 * image pulls): the first failure starts at `initialMs`, each following one doubles up to `maxMs`,
 * and an entry idle for twice `maxMs` starts over.
 */
interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /** Records a failure at `eventTime`: the delay grows (or starts over). */
  next(key: string, eventTime = this.now()): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.now() });
    else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
      e.lastUpdate = this.now();
    }
  }

  /** Whether an event at `eventTime` is still inside the current delay. */
  inBackoffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  inBackoffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(this.now(), e)) return false;
    return this.now() - e.lastUpdate < e.backoffMs;
  }

  /** Milliseconds until the delay since the last update ends (0 when none). */
  remaining(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lastUpdate + e.backoffMs - this.now()) : 0;
  }

  /** The current delay of a key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries idle long enough to have expired. */
  gc(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (this.expired(now, e)) this.entries.delete(k);
  }
}

/** "10s", "1m20s", "5m0s": a delay the way Go prints a time.Duration of whole seconds or less. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, "")}s`;
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  if (m < 60) return `${m}m${Number.isInteger(rest) ? rest : rest.toFixed(3).replace(/0+$/, "")}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${rest}s`;
}
