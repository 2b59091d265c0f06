import type { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import type {
  Backend,
  GetOptions,
  KeyValue,
  LeaseInfo,
  ListOptions,
  ListResult,
  RangeRequest,
  RangeResult,
  SnapshotProgress,
  StoreStatus,
  Txn,
  TxnResult,
  Watch,
  WatchOptions,
  WriteOptions,
  WriteResult,
  DeleteOptions,
} from "../types.ts";
import type { CompactionPolicy } from "./compactor.ts";
import type { SyncMode } from "./open.ts";
import { CorruptDatabaseError, MAX_VALUE_BYTES, StoreClosedError, StoreError, ValueTooLargeError } from "../errors.ts";
import { prefixEnd } from "../keys.ts";
import { checkpoint, Compactor, DEFAULT_COMPACTION } from "./compactor.ts";
import { LeaseManager } from "./leases.ts";
import { deleteKey, putKey } from "./mutations.ts";
import { DirectoryLock, isCorruptionError, openDatabase } from "./open.ts";
import { readRange } from "./reads.ts";
import { snapshotDatabase } from "./snapshot.ts";
import { Statements } from "./statements.ts";
import { applyTxn, validateTxn } from "./txn.ts";
import { WatchHub } from "./watch-hub.ts";
import { WalSyncer } from "./wal-sync.ts";
import { Writer } from "./writer.ts";

export interface SqliteBackendOptions {
  /** Path of the database file (e.g. <data-dir>/server/db/state.db). */
  path: string;
  sync?: SyncMode;
  compaction?: Partial<CompactionPolicy>;
  /** Events a watcher may hold unread before it is moved to catch-up reads (tests lower it). */
  watchQueueLimit?: number;
  /** Reports background failures (compaction, lease expiry); the store keeps serving. */
  onBackgroundError?: (what: string, err: unknown) => void;
}

/**
 * The SQLite storage engine: an append-only revision log with etcd semantics, one group-committing
 * writer, in-process watch fan-out, automatic compaction and leases.
 */
export class SqliteBackend implements Backend {
  private readonly st: Statements;
  private readonly writer: Writer;
  private readonly hub: WatchHub;
  private readonly leases: LeaseManager;
  private readonly compactor: Compactor;
  private readonly syncer: WalSyncer | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly db: Database,
    private readonly lock: DirectoryLock,
    opts: SqliteBackendOptions,
  ) {
    const report = opts.onBackgroundError ?? (() => {});
    this.st = new Statements(db);
    this.syncer = opts.sync === "normal" ? undefined : new WalSyncer(`${path}-wal`, (err) => report("flushing the WAL", err));
    const initialRevision = Math.max(1, this.st.lastRevision.get()?.rev ?? 0, this.st.compactRevision());
    this.writer = new Writer(db, this.st, initialRevision, {
      syncer: this.syncer,
      compactRevision: () => this.compactor.compacted,
      committed: (events) => this.hub.publish(events),
      translateError: (err) => this.translate(err),
    });
    this.hub = new WatchHub(
      { st: this.st, currentRevision: () => this.writer.revision, compactRevision: () => this.compactor.compacted },
      opts.watchQueueLimit,
    );
    this.leases = new LeaseManager(this.st, this.writer, (id, err) => report(`expiring lease ${id}`, err));
    this.compactor = new Compactor(db, this.st, this.writer, { ...DEFAULT_COMPACTION, ...opts.compaction }, (err) =>
      report("compaction", err),
    );
  }

  /** Opens the store at `opts.path`, taking the directory lock; starts compaction and lease expiry. */
  static open(opts: SqliteBackendOptions): SqliteBackend {
    const lock = DirectoryLock.acquire(opts.path);
    let db: Database;
    try {
      db = openDatabase(opts.path);
    } catch (err) {
      lock.release();
      throw err;
    }
    const backend = new SqliteBackend(opts.path, db, lock, opts);
    backend.compactor.start();
    backend.leases.start();
    return backend;
  }

  // ---- reads ----

  async get(key: string, opts: GetOptions = {}): Promise<{ revision: number; kv?: KeyValue }> {
    const res = this.read(() => readRange(this.st, { key, revision: opts.revision }, this.writer.revision, this.compactor.compacted));
    return res.kvs[0] ? { revision: res.revision, kv: res.kvs[0] } : { revision: res.revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const end = prefixEnd(prefix);
    const start = opts.from && opts.from > prefix ? opts.from : prefix;
    const res = await this.range({ key: start, end, limit: opts.limit, revision: opts.revision, keysOnly: opts.keysOnly });
    if (!res.more) return { revision: res.revision, kvs: res.kvs, remaining: 0 };
    const continueFrom = res.kvs[res.kvs.length - 1]!.key + "\0";
    return { revision: res.revision, kvs: res.kvs, continueFrom, remaining: res.count - res.kvs.length };
  }

  async count(prefix: string): Promise<{ revision: number; count: number }> {
    const res = await this.range({ key: prefix, end: prefixEnd(prefix), countOnly: true });
    return { revision: res.revision, count: res.count };
  }

  async range(req: RangeRequest): Promise<RangeResult> {
    return this.read(() => readRange(this.st, req, this.writer.revision, this.compactor.compacted));
  }

  // ---- writes ----

  create(key: string, value: Uint8Array, opts: WriteOptions = {}): Promise<WriteResult> {
    this.checkValue(key, value);
    return this.writer.submit((ctx) => {
      const existing = ctx.current(key);
      if (existing) return { succeeded: false, revision: ctx.revision(), kv: existing };
      const { kv } = putKey(ctx, { key, value, lease: opts.lease });
      return { succeeded: true, revision: kv.modRevision, kv };
    });
  }

  update(key: string, value: Uint8Array, modRevision: number, opts: WriteOptions = {}): Promise<WriteResult> {
    this.checkValue(key, value);
    return this.writer.submit((ctx) => {
      const existing = ctx.current(key);
      if (!existing || existing.modRevision !== modRevision) {
        return existing ? { succeeded: false, revision: ctx.revision(), kv: existing } : { succeeded: false, revision: ctx.revision() };
      }
      const { kv } = putKey(ctx, { key, value, lease: opts.lease });
      return { succeeded: true, revision: kv.modRevision, kv };
    });
  }

  delete(key: string, opts: DeleteOptions = {}): Promise<WriteResult> {
    this.checkOpen();
    return this.writer.submit((ctx) => {
      const existing = ctx.current(key);
      if (!existing || (opts.modRevision !== undefined && existing.modRevision !== opts.modRevision)) {
        return existing ? { succeeded: false, revision: ctx.revision(), kv: existing } : { succeeded: false, revision: ctx.revision() };
      }
      const tombstone = deleteKey(ctx, existing);
      return { succeeded: true, revision: tombstone.modRevision, kv: existing };
    });
  }

  txn(txn: Txn): Promise<TxnResult> {
    this.checkOpen();
    validateTxn(txn);
    return this.writer.submit((ctx) => applyTxn(ctx, txn));
  }

  // ---- watch ----

  watch(opts: WatchOptions): Watch {
    this.checkOpen();
    return this.hub.open(opts);
  }

  get watcherCount(): number {
    return this.hub.size;
  }

  // ---- maintenance ----

  compact(revision: number): Promise<void> {
    this.checkOpen();
    return this.compactor.compact(revision);
  }

  currentRevision(): number {
    return this.writer.revision;
  }

  compactRevision(): number {
    return this.compactor.compacted;
  }

  status(): StoreStatus {
    const pragma = (name: string) => (this.db.query(`PRAGMA ${name}`).values()[0]?.[0] as number | undefined) ?? 0;
    const pageSize = pragma("page_size");
    const fileSize = fileBytes(this.path);
    const walSize = fileBytes(`${this.path}-wal`);
    return {
      revision: this.writer.revision,
      compactRevision: this.compactor.compacted,
      dbSize: fileSize + walSize,
      dbSizeInUse: (pragma("page_count") - pragma("freelist_count")) * pageSize,
      walSize,
      keys: this.st.countAll.get()?.n ?? 0,
    };
  }

  /** Group-commit figures: write jobs, the transactions that carried them, and WAL flushes (full durability). */
  writerStats(): { jobs: number; batches: number; flushes: number } {
    return { jobs: this.writer.jobs, batches: this.writer.batches, flushes: this.syncer?.flushes ?? 0 };
  }

  async defragment(): Promise<void> {
    this.checkOpen();
    await this.compactor.idle();
    this.read(() => {
      this.db.run("VACUUM");
      checkpoint(this.db);
    });
  }

  snapshot(path: string, onProgress?: (p: SnapshotProgress) => void): Promise<{ revision: number; size: number }> {
    this.checkOpen();
    return snapshotDatabase(this.path, path, onProgress);
  }

  // ---- leases ----

  grantLease(ttlSeconds: number, id?: number): Promise<LeaseInfo> {
    this.checkOpen();
    return this.leases.grant(ttlSeconds, id);
  }
  revokeLease(id: number): Promise<{ revision: number }> {
    this.checkOpen();
    return this.leases.revoke(id);
  }
  keepAliveLease(id: number): Promise<LeaseInfo> {
    this.checkOpen();
    return this.leases.keepAlive(id);
  }
  leaseTimeToLive(id: number, withKeys?: boolean): LeaseInfo {
    return this.leases.timeToLive(id, withKeys);
  }
  listLeases(): number[] {
    return this.leases.list();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    this.leases.stop();
    await this.compactor.idle();
    this.writer.close();
    this.syncer?.close();
    this.hub.closeAll();
    try {
      checkpoint(this.db);
    } catch {
      // A reader in another process may hold the WAL; it is replayed on the next open.
    }
    this.db.close();
    this.lock.release();
  }

  // ---- helpers ----

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private checkValue(key: string, value: Uint8Array): void {
    this.checkOpen();
    if (value.byteLength > MAX_VALUE_BYTES) throw new ValueTooLargeError(key, value.byteLength);
  }

  private read<T>(fn: () => T): T {
    this.checkOpen();
    try {
      return fn();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    if (err instanceof StoreError) return err;
    if (isCorruptionError(err)) return new CorruptDatabaseError(this.path, (err as Error).message);
    return err;
  }
}

function fileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
