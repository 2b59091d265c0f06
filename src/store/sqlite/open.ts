import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { CorruptDatabaseError, StoreLockedError } from "../errors.ts";
import { ensureSchema } from "./schema.ts";

/**
 * "full": every acknowledged commit is flushed to disk (survives power loss, like etcd's
 * default); the backend flushes the WAL itself, off the main thread (see wal-sync.ts).
 * "normal": no flush on commit (survives a killed process, not a lost machine).
 */
export type SyncMode = "full" | "normal";

export interface OpenOptions {
  readonly?: boolean;
}

const SQLITE_MAGIC = "SQLite format 3\0";
const HEADER_BYTES = 100;

/** SQLite result codes (primary) that mean the file itself is bad. */
const CORRUPT_CODES = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_IOERR_SHORT_READ"]);

export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return typeof code === "string" && [...CORRUPT_CODES].some((c) => code.startsWith(c));
}

/**
 * Opens (creating if needed) a store database, with the file checked first so that a damaged
 * file produces an error naming it rather than a crash deep inside a later query.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Database {
  const fresh = !existsSync(path) || statSync(path).size === 0;
  if (!fresh) checkFileHeader(path);
  else if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });

  let db: Database | undefined;
  try {
    db = new Database(path, opts.readonly ? { readonly: true } : { create: true, readwrite: true });
    if (fresh && !opts.readonly) {
      // Must precede the first table: lets compaction hand free pages back to the filesystem.
      db.run("PRAGMA auto_vacuum = INCREMENTAL");
    }
    db.run("PRAGMA busy_timeout = 10000");
    if (!opts.readonly) {
      db.run("PRAGMA journal_mode = WAL");
      // SQLite never fsyncs on commit (it would stop the event loop); WalSyncer flushes instead.
      db.run("PRAGMA synchronous = NORMAL");
      // Bound the WAL file: after a checkpoint resets it, truncate it back to this size.
      db.run("PRAGMA journal_size_limit = 67108864");
    }
    db.run("PRAGMA cache_size = -8192");
    db.run("PRAGMA temp_store = MEMORY");
    if (!opts.readonly) {
      const schema = ensureSchema(db);
      if (!schema.ok) throw new CorruptDatabaseError(path, schema.reason);
    } else {
      db.query("SELECT value FROM meta LIMIT 1").get();
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof CorruptDatabaseError) throw err;
    if (isCorruptionError(err)) throw new CorruptDatabaseError(path, (err as Error).message);
    throw err;
  }
}

/** Cheap structural checks that catch truncation and foreign files before SQLite sees them. */
function checkFileHeader(path: string): void {
  const size = statSync(path).size;
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(path, "r");
  let read: number;
  try {
    read = readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (read < HEADER_BYTES || header.toString("latin1", 0, 16) !== SQLITE_MAGIC) {
    throw new CorruptDatabaseError(path, "it does not start with an SQLite header");
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw new CorruptDatabaseError(path, `its header has an invalid page size ${rawPageSize}`);
  }
  // While a WAL with content exists the main file may legitimately lag its header (a checkpoint
  // interrupted by a crash is finished from the WAL on open), so only judge a checkpointed file.
  const wal = `${path}-wal`;
  const walHasFrames = existsSync(wal) && statSync(wal).size > 32;
  const headerValid = header.readUInt32BE(24) === header.readUInt32BE(92);
  const pages = header.readUInt32BE(28);
  if (!walHasFrames && headerValid && pages > 0 && size < pages * pageSize) {
    throw new CorruptDatabaseError(path, `it is truncated: ${size} bytes, but its header says ${pages} pages of ${pageSize} bytes`);
  }
  if (!walHasFrames && size % pageSize !== 0) {
    throw new CorruptDatabaseError(path, `its size ${size} is not a whole number of ${pageSize}-byte pages`);
  }
}

/** Runs SQLite's structural check; returns the problems found (empty when healthy). */
export function quickCheck(db: Database): string[] {
  const rows = db.query<{ quick_check: string }, []>("PRAGMA quick_check").all();
  return rows.map((r) => r.quick_check).filter((r) => r !== "ok");
}

/**
 * An exclusive, process-lifetime lock on a data directory. It is an SQLite file held in
 * EXCLUSIVE locking mode: the OS drops the lock when the process dies, even by SIGKILL, so a
 * crash never leaves a stale lock behind.
 */
export class DirectoryLock {
  private constructor(
    private readonly db: Database,
    private readonly pidFile: string,
  ) {}

  static acquire(dbPath: string): DirectoryLock {
    const lockPath = `${dbPath}.lock`;
    const pidFile = `${dbPath}.pid`;
    mkdirSync(dirname(lockPath), { recursive: true });
    const db = new Database(lockPath, { create: true, readwrite: true });
    try {
      db.run("PRAGMA busy_timeout = 0");
      db.run("PRAGMA locking_mode = EXCLUSIVE");
      db.run("BEGIN EXCLUSIVE");
      db.run("COMMIT");
    } catch {
      db.close();
      throw new StoreLockedError(dbPath, readPid(pidFile));
    }
    writeFileSync(pidFile, `${process.pid}\n`);
    return new DirectoryLock(db, pidFile);
  }

  /** Whether another process holds the lock (without taking it). */
  static isHeld(dbPath: string): { held: boolean; pid: number } {
    try {
      DirectoryLock.acquire(dbPath).release();
      return { held: false, pid: 0 };
    } catch (err) {
      if (err instanceof StoreLockedError) return { held: true, pid: err.pid };
      throw err;
    }
  }

  release(): void {
    this.db.close();
  }
}

function readPid(pidFile: string): number {
  try {
    return Number.parseInt(readFileSync(pidFile, "utf8").trim(), 10) || 0;
  } catch {
    return 0;
  }
}
