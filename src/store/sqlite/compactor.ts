import type { Database } from "bun:sqlite";
import type { Statements } from "./statements.ts";
import type { Writer } from "./writer.ts";
import { CompactedError, FutureRevisionError } from "../errors.ts";
import { META_COMPACT_REV } from "./schema.ts";

/** Log rows examined per write job, so that compaction never holds the writer for long. */
const ROWS_PER_STEP = 1000;
/** Free pages returned to the filesystem per step. */
const VACUUM_PAGES_PER_STEP = 2048;

export interface CompactionPolicy {
  /** History younger than this is always kept. */
  retentionMs: number;
  /** How often to compact. */
  intervalMs: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = { retentionMs: 5 * 60_000, intervalMs: 60_000 };

/**
 * Drops history older than the retention window, then hands the freed pages back to the
 * filesystem and truncates the WAL, so the files stay bounded under endless updates (kine's
 * failure mode was a compaction or checkpoint that silently stopped, letting them grow forever).
 */
export class Compactor {
  private samples: Array<{ at: number; rev: number }> = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private lastRun = 0;
  compacted: number;
  lastError: unknown;

  constructor(
    private readonly db: Database,
    private readonly st: Statements,
    private readonly writer: Writer,
    private readonly policy: CompactionPolicy,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.compacted = st.compactRevision();
  }

  start(): void {
    if (this.timer || this.policy.intervalMs <= 0) return;
    // Sample (time, revision) often enough that the retention boundary is found to ~1/10.
    const every = Math.max(100, Math.min(this.policy.intervalMs, this.policy.retentionMs / 10));
    this.sample();
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Finishes a compaction in progress (used on close). */
  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private tick(): void {
    this.sample();
    if (this.running || this.now() - this.lastRun < this.policy.intervalMs) return;
    const boundary = this.now() - this.policy.retentionMs;
    const eligible = this.samples.filter((s) => s.at <= boundary);
    const target = eligible[eligible.length - 1];
    if (!target || target.rev <= this.compacted) return;
    this.lastRun = this.now();
    this.samples = this.samples.filter((s) => s.at > boundary || s === target);
    this.compact(target.rev).catch((err) => {
      this.lastError = err;
      this.onError(err);
    });
  }

  private sample(): void {
    const rev = this.writer.revision;
    const last = this.samples[this.samples.length - 1];
    // An unchanged revision keeps its oldest sample: it was already current then.
    if (!last || last.rev !== rev) this.samples.push({ at: this.now(), rev });
  }

  /** Compacts to `revision`: reads below it fail with CompactedError from now on. */
  compact(revision: number): Promise<void> {
    const current = this.writer.revision;
    if (revision > current) return Promise.reject(new FutureRevisionError(revision, current));
    if (revision <= this.compacted) return Promise.reject(new CompactedError(revision, this.compacted));
    this.compacted = revision;
    const previous = this.running ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.run(revision));
    this.running = run;
    run
      .finally(() => {
        if (this.running === run) this.running = undefined;
      })
      .catch(() => {});
    return run;
  }

  /**
   * Deletes in steps of about ROWS_PER_STEP log rows. Every compaction scans from the oldest row:
   * rows kept by an earlier compaction (the newest value of each key) may be superseded now.
   */
  private async run(to: number): Promise<void> {
    await this.writer.submit((ctx) => ctx.st.setMeta.run(META_COMPACT_REV, to));
    const end = this.st.firstIdAtOrAfter(to + 1);
    let lo = this.st.firstIdAtOrAfter(0) ?? 0;
    const last = end === undefined ? Number.MAX_SAFE_INTEGER : end - 1;
    while (lo <= last) {
      const hi = Math.min(last, this.st.idAfterRows.get(lo, ROWS_PER_STEP)?.id ?? last);
      const from = lo;
      await this.writer.submit((ctx) => ctx.st.compactBatch.run(from, hi, to));
      if (hi === last) break;
      lo = hi + 1;
    }
    await this.reclaim();
    this.lastError = undefined;
  }

  /**
   * Returns free pages to the filesystem and truncates the WAL. Runs outside any write job: the
   * writer commits synchronously, so no transaction is open between event-loop turns.
   */
  async reclaim(): Promise<void> {
    for (;;) {
      const free = this.db.query<{ freelist_count: number }, []>("PRAGMA freelist_count").get()?.freelist_count ?? 0;
      if (free === 0) break;
      this.db.run(`PRAGMA incremental_vacuum(${VACUUM_PAGES_PER_STEP})`);
      await new Promise((r) => setImmediate(r));
    }
    checkpoint(this.db);
  }
}

/** Copies the WAL into the database and truncates it; gives up at once if a reader holds it. */
export function checkpoint(db: Database): void {
  db.run("PRAGMA busy_timeout = 0");
  try {
    db.query("PRAGMA wal_checkpoint(TRUNCATE)").get();
  } finally {
    db.run("PRAGMA busy_timeout = 10000");
  }
}
