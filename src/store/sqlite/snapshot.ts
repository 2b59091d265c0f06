import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SnapshotProgress } from "../types.ts";
import { CorruptDatabaseError, StoreError } from "../errors.ts";
import { DirectoryLock, openDatabase, quickCheck } from "./open.ts";
import { ensureSchema, META_COMPACT_REV } from "./schema.ts";

const ROWS_PER_CHUNK = 5000;
/** etcd appends a SHA-256 of the database to the snapshot stream; a file with it is 32 bytes over a 512 multiple. */
export const SNAPSHOT_HASH_BYTES = 32;

/** Tables copied into a snapshot, with their key columns for keyset paging. */
const TABLES: Array<{ name: string; columns: string[]; order: string[] }> = [
  { name: "meta", columns: ["name", "value"], order: ["name"] },
  { name: "lease", columns: ["id", "ttl", "expires_at"], order: ["id"] },
  { name: "kv", columns: ["key", "id", "lease"], order: ["key"] },
  { name: "log", columns: ["id", "rev", "key", "create_rev", "version", "lease", "value"], order: ["id"] },
];

/**
 * Writes a consistent copy of a live store to `destPath`. It reads through its own connection
 * inside one read transaction (WAL snapshot isolation), so writers keep going and the copy is a
 * single point in time; it yields between chunks and reports progress. The result is a plain,
 * self-contained SQLite file (no WAL), written under a temporary name and renamed when complete.
 */
export async function snapshotDatabase(
  srcPath: string,
  destPath: string,
  onProgress?: (p: SnapshotProgress) => void,
): Promise<{ revision: number; size: number }> {
  const src = openDatabase(srcPath, { readonly: true });
  const tmp = `${destPath}.part`;
  mkdirSync(dirname(destPath), { recursive: true });
  rmSync(tmp, { force: true });
  const dest = new Database(tmp, { create: true, readwrite: true });
  try {
    dest.run("PRAGMA page_size = 4096");
    dest.run("PRAGMA auto_vacuum = INCREMENTAL");
    dest.run("PRAGMA journal_mode = OFF");
    dest.run("PRAGMA synchronous = OFF");
    src.run("BEGIN");
    const total = TABLES.reduce((n, t) => n + (src.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${t.name}`).get()?.n ?? 0), 0);
    const revision = Math.max(
      1,
      src.query<{ r: number }, []>("SELECT rev AS r FROM log ORDER BY id DESC LIMIT 1").get()?.r ?? 0,
      src.query<{ value: number }, [string]>("SELECT value FROM meta WHERE name = ?").get(META_COMPACT_REV)?.value ?? 0,
    );
    const schema = ensureSchema(dest);
    if (!schema.ok) throw new StoreError("invalid-argument", `snapshot target ${destPath}: ${schema.reason}`);
    let done = 0;
    for (const table of TABLES) {
      done = await copyTable(src, dest, table, done, total, onProgress);
    }
    src.run("COMMIT");
    dest.close();
    const fd = openSync(tmp, "r+");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, destPath);
    return { revision, size: statSync(destPath).size };
  } catch (err) {
    if (src.inTransaction) src.run("ROLLBACK");
    try {
      dest.close();
    } catch {}
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    src.close();
  }
}

async function copyTable(
  src: Database,
  dest: Database,
  table: (typeof TABLES)[number],
  doneBefore: number,
  total: number,
  onProgress?: (p: SnapshotProgress) => void,
): Promise<number> {
  const cols = table.columns.join(", ");
  const order = table.order.join(", ");
  const after = table.order.length === 1 ? `${table.order[0]} > ?` : `(${order}) > (${table.order.map(() => "?").join(", ")})`;
  const first = src.query(`SELECT ${cols} FROM ${table.name} ORDER BY ${order} LIMIT ${ROWS_PER_CHUNK}`);
  const next = src.query(`SELECT ${cols} FROM ${table.name} WHERE ${after} ORDER BY ${order} LIMIT ${ROWS_PER_CHUNK}`);
  const insert = dest.prepare(`INSERT OR REPLACE INTO ${table.name} (${cols}) VALUES (${table.columns.map(() => "?").join(", ")})`);
  const orderIdx = table.order.map((c) => table.columns.indexOf(c));
  let done = doneBefore;
  let cursor: unknown[] | undefined;
  for (;;) {
    const rows = (cursor ? next.values(...(cursor as never[])) : first.values()) as unknown[][];
    if (rows.length === 0) break;
    dest.transaction(() => {
      for (const r of rows) insert.run(...(r as never[]));
    })();
    done += rows.length;
    onProgress?.({ done, total });
    const last = rows[rows.length - 1]!;
    cursor = orderIdx.map((i) => last[i]);
    if (rows.length < ROWS_PER_CHUNK) break;
    await new Promise((r) => setImmediate(r));
  }
  return done;
}

/** SHA-256 trailer for a snapshot stream, as etcd appends one. */
export function snapshotHash(path: string): Buffer {
  return createHash("sha256").update(readFileSync(path)).digest();
}

/**
 * Replaces a stopped store's database with a snapshot. The snapshot is verified first (header,
 * SQLite structure, kts schema, and the SHA-256 trailer when an etcd-style stream saved it); the
 * database it replaces is kept beside it as `<db>.pre-restore-<time>`.
 */
export function restoreSnapshot(snapshotPath: string, dbPath: string): { revision: number; keptAs?: string } {
  if (!existsSync(snapshotPath)) throw new StoreError("invalid-argument", `snapshot ${snapshotPath} does not exist`);
  const lock = DirectoryLock.acquire(dbPath);
  const staged = `${dbPath}.restore`;
  try {
    stageSnapshot(snapshotPath, staged);
    const revision = verifySnapshot(staged, snapshotPath);
    let keptAs: string | undefined;
    if (existsSync(dbPath)) {
      keptAs = `${dbPath}.pre-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      renameSync(dbPath, keptAs);
    }
    rmSync(`${dbPath}-wal`, { force: true });
    rmSync(`${dbPath}-shm`, { force: true });
    renameSync(staged, dbPath);
    return keptAs ? { revision, keptAs } : { revision };
  } finally {
    rmSync(staged, { force: true });
    lock.release();
  }
}

/** Copies a snapshot into place, checking and removing an etcd-style SHA-256 trailer. */
function stageSnapshot(snapshotPath: string, staged: string): void {
  const data = readFileSync(snapshotPath);
  let body = data;
  if (data.length % 512 === SNAPSHOT_HASH_BYTES) {
    body = data.subarray(0, data.length - SNAPSHOT_HASH_BYTES);
    const expected = data.subarray(data.length - SNAPSHOT_HASH_BYTES);
    const actual = createHash("sha256").update(body).digest();
    if (!actual.equals(expected)) throw new CorruptDatabaseError(snapshotPath, "its SHA-256 trailer does not match its content");
  }
  writeFileSync(staged, body);
}

function verifySnapshot(staged: string, shownAs: string): number {
  let db: Database;
  try {
    db = openDatabase(staged, { readonly: true });
  } catch (err) {
    if (err instanceof CorruptDatabaseError) throw new CorruptDatabaseError(shownAs, err.message.replace(/^.*?: /, ""));
    throw err;
  }
  try {
    const problems = quickCheck(db);
    if (problems.length > 0) throw new CorruptDatabaseError(shownAs, problems.slice(0, 3).join("; "));
    return Math.max(1, db.query<{ r: number }, []>("SELECT rev AS r FROM log ORDER BY id DESC LIMIT 1").get()?.r ?? 0);
  } finally {
    db.close();
  }
}
