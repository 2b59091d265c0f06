import type { Database, Statement } from "bun:sqlite";
import type { KeyValue, WatchEvent } from "../types.ts";
import type { Statements } from "./statements.ts";
import { StoreClosedError } from "../errors.ts";
import { toKeyValue } from "./statements.ts";
import type { WalSyncer } from "./wal-sync.ts";

/**
 * What a write job sees: the store inside the open write transaction (including the writes of
 * jobs before it in the same batch), and the means to take a revision and announce changes.
 */
export class JobContext {
  private writeRev = 0;
  readonly events: WatchEvent[] = [];

  constructor(
    readonly st: Statements,
    private readonly baseRevision: number,
    readonly compactRevision: number,
  ) {}

  /** Seen inside the write transaction, so a lease granted earlier in the same batch counts. */
  leaseExists(id: number): boolean {
    return this.st.leaseById.get(id) !== null;
  }

  /** Store revision as this job sees it: its own write revision once it has written. */
  revision(): number {
    return this.writeRev || this.baseRevision;
  }

  /** Revision for the job's changes: the first write takes the next revision, later ones share it. */
  writeRevision(): number {
    if (this.writeRev === 0) this.writeRev = this.baseRevision + 1;
    return this.writeRev;
  }

  current(key: string): KeyValue | undefined {
    const row = this.st.current(key);
    return row ? toKeyValue(row) : undefined;
  }

  emit(event: WatchEvent): void {
    this.events.push(event);
  }
}

/** Transaction control, prepared once: re-parsing "SAVEPOINT job" on every job costs more than the job's own bookkeeping. */
class TxnControl {
  readonly begin: Statement;
  readonly commit: Statement;
  readonly rollback: Statement;
  readonly savepoint: Statement;
  readonly release: Statement;
  readonly rollbackTo: Statement;
  constructor(db: Database) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
    this.savepoint = db.prepare("SAVEPOINT job");
    this.release = db.prepare("RELEASE job");
    this.rollbackTo = db.prepare("ROLLBACK TO job");
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };
type BatchOutcome = { outcomes: Outcome[]; events: WatchEvent[]; revision: number };

type Job = {
  run: (ctx: JobContext) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

export interface WriterHooks {
  compactRevision(): number;
  /** When set, callers are answered only once their commit's WAL frames are flushed to disk. */
  syncer?: WalSyncer;
  /** Called after each successful commit, before any caller's promise resolves. */
  committed(events: WatchEvent[], revision: number): void;
  /** Maps SQLite failures (corruption, I/O) to store errors. */
  translateError(err: unknown): unknown;
}

/**
 * The single writer. Jobs submitted during one turn of the event loop are run back to back in
 * one SQLite transaction and committed together (group commit), so concurrent writers never meet
 * "database is locked" and share the cost of each flush. Each job runs under its own savepoint: a
 * job that throws is rolled back alone and its caller gets the error; the others commit. Callers
 * (and watchers) are answered after the commit, and with a WalSyncer only once the commit is on
 * disk, so an acknowledged write survives a crash.
 */
export class Writer {
  private queue: Job[] = [];
  private readonly tx: TxnControl;
  private scheduled = false;
  private closed = false;
  /** Revision of the last committed write. */
  revision: number;
  batches = 0;
  jobs = 0;

  constructor(
    private readonly db: Database,
    private readonly st: Statements,
    initialRevision: number,
    private readonly hooks: WriterHooks,
  ) {
    this.revision = initialRevision;
    this.tx = new TxnControl(db);
  }

  submit<T>(run: (ctx: JobContext) => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued now; used by the scheduler and by close(). */
  flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
    let batch: BatchOutcome;
    try {
      // Jobs almost never throw, so the batch first runs without a savepoint per job (two
      // statements fewer per write); if one does throw, the batch is rolled back and run again
      // with savepoints so that only the failing job is undone. Jobs only touch the database,
      // so running them twice is safe.
      batch = this.runBatch(jobs, false) ?? this.runBatch(jobs, true)!;
    } catch (err) {
      // The transaction itself failed (disk full, I/O error): nothing of this batch happened.
      if (this.db.inTransaction) this.tx.rollback.run();
      const failure = this.hooks.translateError(err);
      for (const job of jobs) job.reject(failure);
      return;
    }
    const { outcomes, events, revision } = batch;
    this.revision = revision;
    this.batches++;
    this.jobs += jobs.length;
    const answer = () => {
      if (events.length > 0) this.hooks.committed(events, revision);
      jobs.forEach((job, i) => {
        const o = outcomes[i]!;
        if (o.ok) job.resolve(o.value);
        else job.reject(o.err);
      });
    };
    if (this.hooks.syncer) this.hooks.syncer.afterSync(answer, jobs.length === 1 && this.queue.length === 0);
    else answer();
  }

  /**
   * Runs jobs in one committed transaction. Without savepoints, returns undefined (after rolling
   * back) as soon as a job throws; with them, a throwing job is undone alone.
   */
  private runBatch(jobs: Job[], savepoints: boolean): BatchOutcome | undefined {
    const outcomes: Outcome[] = [];
    const events: WatchEvent[] = [];
    let revision = this.revision;
    const compactRevision = this.hooks.compactRevision();
    this.tx.begin.run();
    for (const job of jobs) {
      const ctx = new JobContext(this.st, revision, compactRevision);
      if (savepoints) this.tx.savepoint.run();
      try {
        const value = job.run(ctx);
        if (savepoints) this.tx.release.run();
        revision = ctx.revision();
        for (const ev of ctx.events) events.push(ev);
        outcomes.push({ ok: true, value });
      } catch (err) {
        if (!savepoints) {
          this.tx.rollback.run();
          return undefined;
        }
        this.tx.rollbackTo.run();
        this.tx.release.run();
        outcomes.push({ ok: false, err: this.hooks.translateError(err) });
      }
    }
    this.tx.commit.run();
    return { outcomes, events, revision };
  }

  /** Finish queued work, then refuse new work. */
  close(): void {
    this.flush();
    this.hooks.syncer?.drain();
    this.closed = true;
  }
}
