import type { Database } from "bun:sqlite";

/**
 * On-disk layout.
 *
 * - `log` is the append-only revision log: one row per key change, in `id` order. A transaction
 *   that writes takes one revision (`rev`), shared by all its rows. A deletion is a tombstone row
 *   (version 0, empty value). Compaction deletes superseded rows and tombstones. Revisions grow
 *   with `id`, so reads by revision binary-search the rowid instead of keeping a revision index
 *   (one index page less to write per commit, measured 10-20% more writes/s). It is a rowid
 *   table so that values up to a page long are stored inline (a WITHOUT ROWID table spills any
 *   row over ~1 KB to an overflow page, quadrupling the file for typical objects).
 * - `kv` points each live key at its newest log row, so current reads never scan history
 *   (kine's MAX(id)/GROUP BY plans degrade as history grows; this index does not).
 * - `lease` holds etcd leases; keys name their lease in `kv.lease`.
 * - `meta` holds the compacted revision and the schema version.
 */
export const SCHEMA_VERSION = 1;

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS log (
     id INTEGER PRIMARY KEY,
     rev INTEGER NOT NULL,
     key TEXT NOT NULL,
     create_rev INTEGER NOT NULL,
     version INTEGER NOT NULL,
     lease INTEGER NOT NULL,
     value BLOB NOT NULL
   )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS log_key_rev ON log (key, rev)`,
  `CREATE TABLE IF NOT EXISTS kv (
     key TEXT PRIMARY KEY,
     id INTEGER NOT NULL,
     lease INTEGER NOT NULL
   ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS kv_lease ON kv (lease) WHERE lease != 0`,
  `CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY, ttl INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
];

export const META_SCHEMA_VERSION = "schema_version";
export const META_COMPACT_REV = "compact_rev";

/** Creates the tables of a new store; returns false if the file holds tables that are not ours. */
export function ensureSchema(db: Database): { ok: true } | { ok: false; reason: string } {
  const tables = db.query<{ name: string }, []>(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all();
  const names = new Set(tables.map((t) => t.name));
  if (names.size > 0 && !names.has("meta")) {
    return { ok: false, reason: `it holds tables (${[...names].slice(0, 5).join(", ")}) but no kts metadata` };
  }
  if (names.has("meta")) {
    const row = db.query<{ value: number }, [string]>(`SELECT value FROM meta WHERE name = ?`).get(META_SCHEMA_VERSION);
    if (!row) return { ok: false, reason: "its metadata has no schema version" };
    if (row.value > SCHEMA_VERSION) {
      return { ok: false, reason: `its schema version ${row.value} is newer than this kts understands (${SCHEMA_VERSION})` };
    }
  }
  db.transaction(() => {
    for (const stmt of DDL) db.run(stmt);
    db.run(`INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)`, [META_SCHEMA_VERSION, SCHEMA_VERSION]);
    db.run(`INSERT OR IGNORE INTO meta (name, value) VALUES (?, 0)`, [META_COMPACT_REV]);
  })();
  return { ok: true };
}
