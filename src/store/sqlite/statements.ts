import type { Database, Statement } from "bun:sqlite";
import type { KeyValue } from "../types.ts";
import { META_COMPACT_REV } from "./schema.ts";

/** Column order of every statement that returns key-values: see `toKeyValue`. */
const KV_COLUMNS = "l.key, l.create_rev, l.rev, l.version, l.lease, l.value";
const KV_COLUMNS_NO_VALUE = "l.key, l.create_rev, l.rev, l.version, l.lease, X''";

export type KvRow = [key: string, createRev: number, rev: number, version: number, lease: number, value: Uint8Array];

const EMPTY = new Uint8Array(0);

export function toKeyValue(r: KvRow): KeyValue {
  return { key: r[0], createRevision: r[1], modRevision: r[2], version: r[3], lease: r[4], value: r[5] ?? EMPTY };
}

/**
 * Every SQL statement the store runs, prepared once. Range statements come in pairs for a bounded
 * range ([start, end)) and an open one (>= start), because etcd's "\0" range end means "no bound".
 */
export class Statements {
  // --- current state (kv -> log) ---
  private readonly kvId: Statement<[id: number], [string]>;
  private readonly logById: Statement<KvRow, [number]>;
  readonly rangeCurrent: Statement<KvRow, [string, string, number]>;
  readonly rangeCurrentOpen: Statement<KvRow, [string, number]>;
  readonly rangeCurrentKeys: Statement<KvRow, [string, string, number]>;
  readonly rangeCurrentKeysOpen: Statement<KvRow, [string, number]>;
  readonly countCurrent: Statement<{ n: number }, [string, string]>;
  readonly countCurrentOpen: Statement<{ n: number }, [string]>;
  readonly countAll: Statement<{ n: number }, []>;

  // --- history (log at a revision) ---
  readonly getAt: Statement<KvRow, [string, number]>;
  readonly rangeAt: Statement<KvRow, [string, string, number, number]>;
  readonly rangeAtOpen: Statement<KvRow, [string, number, number]>;
  readonly countAt: Statement<{ n: number }, [string, string, number]>;
  readonly countAtOpen: Statement<{ n: number }, [string, number]>;
  readonly eventsFrom: Statement<KvRow, [number, number, string, string, number]>;
  readonly eventsOfKey: Statement<KvRow, [number, number, string, number]>;
  readonly eventsFromOpen: Statement<KvRow, [number, number, string, number]>;
  readonly previousOf: Statement<KvRow, [string, number]>;
  readonly lastRevision: Statement<{ rev: number }, []>;
  private readonly firstRowFrom: Statement<{ id: number; rev: number }, [number]>;
  private readonly idBounds: Statement<{ lo: number | null; hi: number | null }, []>;

  // --- writes ---
  readonly insertLog: Statement<unknown, [number, string, number, number, number, Uint8Array]>;
  readonly upsertKv: Statement<unknown, [string, number, number]>;
  readonly deleteKv: Statement<unknown, [string]>;
  readonly keysWithLease: Statement<{ key: string }, [number]>;

  // --- leases ---
  readonly allLeases: Statement<{ id: number; ttl: number; expires_at: number }, []>;
  readonly upsertLease: Statement<unknown, [number, number, number]>;
  readonly deleteLease: Statement<unknown, [number]>;
  readonly leaseById: Statement<{ id: number }, [number]>;

  // --- compaction and meta ---
  readonly compactBatch: Statement<unknown, [number, number, number]>;
  readonly idAfterRows: Statement<{ id: number }, [number, number]>;
  readonly getMeta: Statement<{ value: number }, [string]>;
  readonly setMeta: Statement<unknown, [string, number]>;

  constructor(db: Database) {
    const current = `FROM kv JOIN log l ON l.id = kv.id`;
    this.kvId = db.prepare(`SELECT id FROM kv WHERE key = ?`);
    this.logById = db.prepare(`SELECT ${KV_COLUMNS} FROM log l WHERE l.id = ?`);
    this.rangeCurrent = db.prepare(`SELECT ${KV_COLUMNS} ${current} WHERE kv.key >= ? AND kv.key < ? ORDER BY kv.key LIMIT ?`);
    this.rangeCurrentOpen = db.prepare(`SELECT ${KV_COLUMNS} ${current} WHERE kv.key >= ? ORDER BY kv.key LIMIT ?`);
    this.rangeCurrentKeys = db.prepare(`SELECT ${KV_COLUMNS_NO_VALUE} ${current} WHERE kv.key >= ? AND kv.key < ? ORDER BY kv.key LIMIT ?`);
    this.rangeCurrentKeysOpen = db.prepare(`SELECT ${KV_COLUMNS_NO_VALUE} ${current} WHERE kv.key >= ? ORDER BY kv.key LIMIT ?`);
    this.countCurrent = db.prepare(`SELECT count(*) AS n FROM kv WHERE key >= ? AND key < ?`);
    this.countCurrentOpen = db.prepare(`SELECT count(*) AS n FROM kv WHERE key >= ?`);
    this.countAll = db.prepare(`SELECT count(*) AS n FROM kv`);

    // The newest row of each key at or below a revision, unless it is a tombstone.
    const latestAt = (rev: string) => `l.version > 0 AND l.rev = (SELECT max(m.rev) FROM log m WHERE m.key = l.key AND m.rev <= ${rev})`;
    this.getAt = db.prepare(`SELECT ${KV_COLUMNS} FROM log l WHERE l.key = ?1 AND l.rev <= ?2 ORDER BY l.rev DESC LIMIT 1`);
    this.rangeAt = db.prepare(
      `SELECT ${KV_COLUMNS} FROM log l WHERE l.key >= ?1 AND l.key < ?2 AND l.rev <= ?3 AND ${latestAt("?3")} ORDER BY l.key LIMIT ?4`,
    );
    this.rangeAtOpen = db.prepare(
      `SELECT ${KV_COLUMNS} FROM log l WHERE l.key >= ?1 AND l.rev <= ?2 AND ${latestAt("?2")} ORDER BY l.key LIMIT ?3`,
    );
    this.countAt = db.prepare(`SELECT count(*) AS n FROM log l WHERE l.key >= ?1 AND l.key < ?2 AND l.rev <= ?3 AND ${latestAt("?3")}`);
    this.countAtOpen = db.prepare(`SELECT count(*) AS n FROM log l WHERE l.key >= ?1 AND l.rev <= ?2 AND ${latestAt("?2")}`);
    // Catch-up reads walk the log from a row id (?1, see firstIdAtOrAfter) up to revision ?2:
    // "+l.key" keeps the planner off the key index, which would visit the whole history of every
    // key in the range and then sort it.
    this.eventsFrom = db.prepare(
      `SELECT ${KV_COLUMNS} FROM log l WHERE l.id >= ?1 AND l.rev <= ?2 AND +l.key >= ?3 AND +l.key < ?4 ORDER BY l.id LIMIT ?5`,
    );
    this.eventsFromOpen = db.prepare(
      `SELECT ${KV_COLUMNS} FROM log l WHERE l.id >= ?1 AND l.rev <= ?2 AND +l.key >= ?3 ORDER BY l.id LIMIT ?4`,
    );
    // A single key's history is best read from the key index.
    this.eventsOfKey = db.prepare(`SELECT ${KV_COLUMNS} FROM log l WHERE l.key = ?3 AND l.rev >= ?1 AND l.rev <= ?2 ORDER BY l.rev LIMIT ?4`);
    this.previousOf = db.prepare(`SELECT ${KV_COLUMNS} FROM log l WHERE l.key = ?1 AND l.rev < ?2 ORDER BY l.rev DESC LIMIT 1`);
    this.lastRevision = db.prepare(`SELECT rev FROM log ORDER BY id DESC LIMIT 1`);
    this.firstRowFrom = db.prepare(`SELECT id, rev FROM log WHERE id >= ? ORDER BY id LIMIT 1`);
    this.idBounds = db.prepare(`SELECT min(id) AS lo, max(id) AS hi FROM log`);

    this.insertLog = db.prepare(`INSERT INTO log (rev, key, create_rev, version, lease, value) VALUES (?, ?, ?, ?, ?, ?)`);
    // An upsert updates the row in place; INSERT OR REPLACE would delete and re-insert it.
    this.upsertKv = db.prepare(`INSERT INTO kv (key, id, lease) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id, lease = excluded.lease`);
    this.deleteKv = db.prepare(`DELETE FROM kv WHERE key = ?`);
    this.keysWithLease = db.prepare(`SELECT key FROM kv WHERE lease = ? ORDER BY key`);

    this.allLeases = db.prepare(`SELECT id, ttl, expires_at FROM lease`);
    this.upsertLease = db.prepare(`INSERT OR REPLACE INTO lease (id, ttl, expires_at) VALUES (?, ?, ?)`);
    this.deleteLease = db.prepare(`DELETE FROM lease WHERE id = ?`);
    this.leaseById = db.prepare(`SELECT id FROM lease WHERE id = ?`);

    // Within row ids [?1, ?2] of a compaction to revision ?3: drop rows superseded at or below ?3,
    // and tombstones below it (a tombstone exactly at the compact revision is kept so that a
    // watch starting there still sees the deletion).
    this.compactBatch = db.prepare(
      `DELETE FROM log WHERE id >= ?1 AND id <= ?2 AND rev <= ?3 AND (
         (version = 0 AND rev < ?3)
         OR EXISTS (SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= ?3))`,
    );
    // The id `?2` rows past id ?1: the end of one compaction step.
    this.idAfterRows = db.prepare(`SELECT id FROM log WHERE id >= ?1 ORDER BY id LIMIT 1 OFFSET ?2`);
    this.getMeta = db.prepare(`SELECT value FROM meta WHERE name = ?`);
    this.setMeta = db.prepare(`INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)`);
  }

  /**
   * The live row of a key. Two indexed lookups: measured twice as fast as the same lookup written
   * as a join (bun:sqlite, SQLite 3.54), and this sits on every write's path.
   */
  current(key: string): KvRow | undefined {
    const id = (this.kvId.values(key) as unknown as Array<[number]>)[0];
    return id ? (this.logById.values(id[0]) as unknown as KvRow[])[0] : undefined;
  }

  /**
   * The id of the first log row at or after revision `rev` (undefined if none): a binary search
   * over row ids, valid because revisions never decrease as ids grow. Ids may have holes where
   * compaction deleted rows, so each probe asks for the first row at or after an id.
   */
  firstIdAtOrAfter(rev: number): number | undefined {
    const { lo, hi } = this.idBounds.get() ?? { lo: null, hi: null };
    if (lo === null || hi === null) return undefined;
    let low = lo;
    let high = hi + 1; // invariant: the answer is in [low, high]; high = none
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const row = this.firstRowFrom.get(mid);
      if (!row || row.rev >= rev) high = mid;
      else low = row.id + 1;
    }
    return this.firstRowFrom.get(low)?.id;
  }

  compactRevision(): number {
    return this.getMeta.get(META_COMPACT_REV)?.value ?? 0;
  }
}
