import type { SQLQueryBindings, Statement } from "bun:sqlite";
import type { KeyValue, RangeRequest, RangeResult, WatchEvent } from "../types.ts";
import type { KvRow, Statements } from "./statements.ts";
import { CompactedError, FutureRevisionError } from "../errors.ts";
import { RANGE_ALL } from "../keys.ts";
import { toKeyValue } from "./statements.ts";

/** Rows of a statement as positional arrays (cheaper than objects on large lists). */
export function rows<R, P extends SQLQueryBindings[]>(stmt: Statement<R, P>, ...params: P): R[] {
  return stmt.values(...params) as unknown as R[];
}

/** Checks a requested read revision against the retained window; returns the revision to read at. */
export function resolveReadRevision(requested: number | undefined, current: number, compacted: number): number {
  if (!requested || requested <= 0) return current;
  if (requested > current) throw new FutureRevisionError(requested, current);
  if (requested < compacted) throw new CompactedError(requested, compacted);
  return requested;
}

function isSingleKey(end: string | undefined): end is undefined | "" {
  return end === undefined || end === "";
}

/** etcd Range at the current revision or a retained older one. */
export function readRange(st: Statements, req: RangeRequest, current: number, compacted: number): RangeResult {
  const rev = resolveReadRevision(req.revision, current, compacted);
  const atHead = rev === current;
  if (isSingleKey(req.end)) {
    const row = atHead ? st.current(req.key) : rows(st.getAt, req.key, rev).find((r) => r[3] > 0);
    const kvs = row && !req.countOnly ? [shape(toKeyValue(row), req.keysOnly)] : [];
    return { revision: current, kvs, more: false, count: row ? 1 : 0 };
  }
  const open = req.end === RANGE_ALL;
  const end = req.end as string;
  if (req.countOnly) return { revision: current, kvs: [], more: false, count: countRange(st, req.key, end, open, atHead, rev) };

  const limit = req.limit && req.limit > 0 ? req.limit : -1;
  const fetch = limit > 0 ? limit + 1 : -1;
  let found: KvRow[];
  if (atHead) {
    const keysOnly = req.keysOnly === true;
    found = open
      ? rows(keysOnly ? st.rangeCurrentKeysOpen : st.rangeCurrentOpen, req.key, fetch)
      : rows(keysOnly ? st.rangeCurrentKeys : st.rangeCurrent, req.key, end, fetch);
  } else {
    found = open ? rows(st.rangeAtOpen, req.key, rev, fetch) : rows(st.rangeAt, req.key, end, rev, fetch);
  }
  const more = limit > 0 && found.length > limit;
  if (more) found.pop();
  const kvs = found.map((r) => shape(toKeyValue(r), req.keysOnly));
  const count = more ? countRange(st, req.key, end, open, atHead, rev) : kvs.length;
  return { revision: current, kvs, more, count };
}

function countRange(st: Statements, key: string, end: string, open: boolean, atHead: boolean, rev: number): number {
  if (atHead) return (open ? st.countCurrentOpen.get(key) : st.countCurrent.get(key, end))?.n ?? 0;
  return (open ? st.countAtOpen.get(key, rev) : st.countAt.get(key, end, rev))?.n ?? 0;
}

const EMPTY = new Uint8Array(0);
function shape(kv: KeyValue, keysOnly: boolean | undefined): KeyValue {
  if (keysOnly) kv.value = EMPTY;
  return kv;
}

/**
 * Changes in [fromRev, toRev] for a key range, read back from the log, in order, at most about
 * `max` rows but never splitting one revision across calls. Returns the events and the last
 * revision fully covered.
 */
export function readEvents(
  st: Statements,
  range: { key: string; end?: string },
  fromRev: number,
  toRev: number,
  max: number,
  withPrev: boolean,
): { events: WatchEvent[]; through: number } {
  const single = isSingleKey(range.end);
  const start = range.key;
  const read = (from: number, to: number, limit: number): KvRow[] => {
    if (single) return rows(st.eventsOfKey, from, to, start, limit);
    const firstId = st.firstIdAtOrAfter(from);
    if (firstId === undefined) return [];
    return range.end === RANGE_ALL
      ? rows(st.eventsFromOpen, firstId, to, start, limit)
      : rows(st.eventsFrom, firstId, to, start, range.end as string, limit);
  };
  const found = read(fromRev, toRev, max + 1);
  let through = toRev;
  if (found.length > max) {
    // Stop before the last revision seen so that a revision is never split between two reads;
    // if a single revision alone exceeds `max`, take all of it.
    const lastRev = found[found.length - 1]![2];
    const cut = found.findIndex((r) => r[2] === lastRev);
    if (cut > 0) {
      found.length = cut;
      through = lastRev - 1;
    } else {
      found.splice(0, found.length, ...read(lastRev, lastRev, -1));
      through = lastRev;
    }
  }
  const events = found.map((r) => toEvent(st, r, withPrev));
  return { events, through };
}

function toEvent(st: Statements, r: KvRow, withPrev: boolean): WatchEvent {
  const kv = toKeyValue(r);
  const type = kv.version === 0 ? "delete" : "put";
  if (!withPrev) return { type, kv };
  const prev = rows(st.previousOf, kv.key, kv.modRevision)[0];
  return prev && prev[3] > 0 ? { type, kv, prevKv: toKeyValue(prev) } : { type, kv };
}
