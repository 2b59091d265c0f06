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
  private inFlight: Array<() => void> | undefined;
  private waiting: Array<() => void> = [];
  /** Bumped by drain(): a flush started before it must not answer its callbacks again. */
  private epoch = 0;
  flushes = 0;

  constructor(
    private readonly walPath: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs `done` once everything committed so far is on disk. */
  afterSync(done: () => void): void {
    this.waiting.push(done);
    if (!this.inFlight) this.start();
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.inFlight = batch;
    const epoch = this.epoch;
    let fd: number;
    try {
      fd = this.fd ??= openSync(this.walPath, "r+");
    } catch (err) {
      this.finish(batch, err);
      return;
    }
    fdatasync(fd, (err) => {
      if (epoch !== this.epoch) return;
      this.finish(batch, err);
    });
  }

  private finish(batch: Array<() => void>, err: unknown): void {
    this.inFlight = undefined;
    this.flushes++;
    // A failed flush leaves the data's fate unknown; report it loudly. The writes stay committed
    // (readers already see them), so their callers are still answered.
    if (err) this.onError(err);
    for (const done of batch) done();
    if (this.waiting.length > 0) this.start();
  }

  /** Flushes synchronously and answers everyone still waiting (used when the store closes). */
  drain(): void {
    const pending = [...(this.inFlight ?? []), ...this.waiting];
    this.inFlight = undefined;
    this.waiting = [];
    this.epoch++;
    if (pending.length > 0 && this.fd !== undefined) {
      try {
        fdatasyncSync(this.fd);
      } catch (err) {
        this.onError(err);
      }
    }
    for (const done of pending) done();
  }

  close(): void {
    this.drain();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
