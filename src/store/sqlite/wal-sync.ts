import { closeSync, fdatasync, fdatasyncSync, openSync } from "node:fs";

/**
 * Makes committed WAL frames durable without stopping the event loop: SQLite commits with
 * synchronous=NORMAL (no fsync on the main thread) and this flushes the WAL file with an
 * asynchronous fdatasync on a background thread, one at a time. Callers are answered when the
 * flush that followed their commit completes, so an acknowledged write survives power loss as
 * with synchronous=FULL, while the main thread goes on parsing and committing the next requests
 * during the flush — the next flush then covers all of them (group commit across flushes).
 *
 * fdatasync applies to the file, whichever descriptor names it. A checkpoint that copies frames
 * into the database before the flush syncs the database itself (SQLite does in NORMAL mode), and
 * SQLite never replaces the WAL file while the store holds it open.
 */
export class WalSyncer {
  private fd: number | undefined;
  /** Callbacks in commit order, each with the flush that covers it (0 = none started yet). */
  private pending: Array<{ flush: number; done: () => void }> = [];
  private started = 0;
  private inFlight = 0;
  /** Bumped by drain(): flushes started before it must not answer callbacks again. */
  private epoch = 0;
  flushes = 0;

  /**
   * A commit made while a flush is running starts a flush of its own at once (up to
   * `maxInFlight`) rather than waiting for the running one to end and then for its own: the
   * kernel serves overlapping fdatasyncs of one file, so its callers wait about one flush, not two.
   */
  constructor(
    private readonly walPath: string,
    private readonly onError: (err: unknown) => void,
    private readonly maxInFlight = 2,
  ) {}

  /**
   * Runs `done` once everything committed so far is on disk. `alone` says the commit had no
   * company (one job, nothing else queued): with no flush running either, nobody else is waiting,
   * so the flush runs right here — a background flush's thread hand-off costs a lone writer
   * about 30 µs per write (measured: 153 vs 123 µs per awaited update).
   */
  afterSync(done: () => void, alone = false): void {
    if (alone && this.inFlight === 0 && this.pending.length === 0 && this.flushInline()) {
      done();
      return;
    }
    this.pending.push({ flush: 0, done });
    if (this.inFlight < this.maxInFlight) this.start();
  }

  /** Flushes on this thread; false (nothing done) if the WAL cannot be opened yet. */
  private flushInline(): boolean {
    try {
      this.fd ??= openSync(this.walPath, "r+");
    } catch {
      return false;
    }
    try {
      fdatasyncSync(this.fd);
    } catch (err) {
      this.onError(err);
    }
    this.flushes++;
    return true;
  }

  private start(): void {
    const flush = ++this.started;
    for (let i = this.pending.length - 1; i >= 0 && this.pending[i]!.flush === 0; i--) this.pending[i]!.flush = flush;
    this.inFlight++;
    const epoch = this.epoch;
    let fd: number;
    try {
      fd = this.fd ??= openSync(this.walPath, "r+");
    } catch (err) {
      this.finish(flush, err);
      return;
    }
    fdatasync(fd, (err) => {
      if (epoch !== this.epoch) return;
      this.finish(flush, err);
    });
  }

  /**
   * A completed flush makes durable everything written before it started, which includes what
   * earlier flushes still running were started for: their callers are answered too, in commit
   * order, so watchers still see revisions in order.
   */
  private finish(flush: number, err: unknown): void {
    this.inFlight--;
    this.flushes++;
    // A failed flush leaves the data's fate unknown; report it loudly. The writes stay committed
    // (readers already see them), so their callers are still answered.
    if (err) this.onError(err);
    let answered = 0;
    while (answered < this.pending.length) {
      const p = this.pending[answered]!;
      if (p.flush === 0 || p.flush > flush) break;
      answered++;
    }
    const ready = this.pending.splice(0, answered);
    for (const p of ready) p.done();
    if (this.pending.some((p) => p.flush === 0) && this.inFlight < this.maxInFlight) this.start();
  }

  /** Flushes synchronously and answers everyone still waiting (used when the store closes). */
  drain(): void {
    const pending = this.pending;
    this.pending = [];
    this.inFlight = 0;
    this.epoch++;
    if (pending.length > 0 && this.fd !== undefined) {
      try {
        fdatasyncSync(this.fd);
      } catch (err) {
        this.onError(err);
      }
    }
    for (const p of pending) p.done();
  }

  close(): void {
    this.drain();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
