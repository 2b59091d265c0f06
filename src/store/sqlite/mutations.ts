import type { KeyValue, PutRequest } from "../types.ts";
import type { JobContext } from "./writer.ts";
import { KeyNotFoundError, LeaseNotFoundError } from "../errors.ts";

const EMPTY = new Uint8Array(0);

/** Writes a new version of a key inside a write job; returns the new and previous state. */
export function putKey(ctx: JobContext, req: PutRequest): { kv: KeyValue; prevKv?: KeyValue } {
  const prev = ctx.current(req.key);
  if ((req.ignoreValue || req.ignoreLease) && !prev) {
    throw new KeyNotFoundError(req.key);
  }
  const lease = req.ignoreLease ? prev!.lease : (req.lease ?? 0);
  if (lease !== 0 && !ctx.leaseExists(lease)) throw new LeaseNotFoundError(lease);
  const value = req.ignoreValue ? prev!.value : req.value;
  const rev = ctx.writeRevision();
  const kv: KeyValue = {
    key: req.key,
    value,
    createRevision: prev ? prev.createRevision : rev,
    modRevision: rev,
    version: prev ? prev.version + 1 : 1,
    lease,
  };
  const { lastInsertRowid } = ctx.st.insertLog.run(rev, kv.key, kv.createRevision, kv.version, lease, value);
  ctx.st.upsertKv.run(kv.key, Number(lastInsertRowid), lease);
  ctx.emit(prev ? { type: "put", kv, prevKv: prev } : { type: "put", kv });
  return prev ? { kv, prevKv: prev } : { kv };
}

/** Deletes a live key inside a write job, leaving a tombstone in the log. */
export function deleteKey(ctx: JobContext, prev: KeyValue): KeyValue {
  const rev = ctx.writeRevision();
  ctx.st.insertLog.run(rev, prev.key, 0, 0, 0, EMPTY);
  ctx.st.deleteKv.run(prev.key);
  const tombstone: KeyValue = { key: prev.key, value: EMPTY, createRevision: 0, modRevision: rev, version: 0, lease: 0 };
  ctx.emit({ type: "delete", kv: tombstone, prevKv: prev });
  return tombstone;
}
