import type { Compare, KeyValue, Txn, TxnOp, TxnOpResponse, TxnResult } from "../types.ts";
import type { JobContext } from "./writer.ts";
import { InvalidArgumentError, MAX_VALUE_BYTES, ValueTooLargeError } from "../errors.ts";
import { inRange } from "../keys.ts";
import { deleteKey, putKey } from "./mutations.ts";
import { readRange } from "./reads.ts";

/** etcd's default --max-txn-ops. */
export const MAX_TXN_OPS = 128;

/**
 * Checks a transaction before it is queued, as etcd does on receipt: op counts, value sizes, and
 * that no branch writes one key twice (puts, or a put inside a deleted range).
 */
export function validateTxn(txn: Txn): void {
  if (txn.compare.length > MAX_TXN_OPS || txn.success.length > MAX_TXN_OPS || txn.failure.length > MAX_TXN_OPS) {
    throw new InvalidArgumentError("etcdserver: too many operations in txn request");
  }
  for (const branch of [txn.success, txn.failure]) checkBranch(branch);
}

function checkBranch(ops: TxnOp[]): void {
  const puts = new Set<string>();
  const deletes: Array<{ key: string; end?: string }> = [];
  const collect = (list: TxnOp[]) => {
    for (const op of list) {
      if ("put" in op) {
        if (op.put.value.byteLength > MAX_VALUE_BYTES) throw new ValueTooLargeError(op.put.key, op.put.value.byteLength);
        if (puts.has(op.put.key)) throw new InvalidArgumentError("etcdserver: duplicate key given in txn request");
        puts.add(op.put.key);
      } else if ("deleteRange" in op) {
        deletes.push(op.deleteRange);
      } else if ("txn" in op) {
        validateTxn(op.txn);
        // Nested branches may both run only one at a time; etcd checks each against the outer ops.
        collect(op.txn.success);
        collect(op.txn.failure);
      }
    }
  };
  collect(ops);
  for (const d of deletes) {
    for (const key of puts) {
      if (inRange(key, d.key, d.end)) throw new InvalidArgumentError("etcdserver: duplicate key given in txn request");
    }
  }
}

/** Evaluates and applies a transaction inside a write job. */
export function applyTxn(ctx: JobContext, txn: Txn): TxnResult {
  const succeeded = txn.compare.every((c) => evaluateCompare(ctx, c));
  const responses = (succeeded ? txn.success : txn.failure).map((op) => applyOp(ctx, op));
  return { revision: ctx.revision(), succeeded, responses };
}

function applyOp(ctx: JobContext, op: TxnOp): TxnOpResponse {
  if ("range" in op) return { range: readRange(ctx.st, op.range, ctx.revision(), ctx.compactRevision) };
  if ("put" in op) {
    const { prevKv } = putKey(ctx, op.put);
    return { put: op.put.prevKv && prevKv ? { prevKv } : {} };
  }
  if ("deleteRange" in op) {
    const { kvs } = readRange(ctx.st, { key: op.deleteRange.key, end: op.deleteRange.end }, ctx.revision(), ctx.compactRevision);
    for (const kv of kvs) deleteKey(ctx, kv);
    return { deleteRange: { deleted: kvs.length, prevKvs: op.deleteRange.prevKv ? kvs : [] } };
  }
  return { txn: applyTxn(ctx, op.txn) };
}

const ABSENT: KeyValue = { key: "", value: new Uint8Array(0), createRevision: 0, modRevision: 0, version: 0, lease: 0 };

/** etcd compare: every key of the range must satisfy it; a missing key compares as all zeroes. */
export function evaluateCompare(ctx: JobContext, c: Compare): boolean {
  const { kvs } = readRange(ctx.st, { key: c.key, end: c.end }, ctx.revision(), ctx.compactRevision);
  if (kvs.length === 0) {
    if (c.target === "value") return false;
    return compareOne(ABSENT, c);
  }
  return kvs.every((kv) => compareOne(kv, c));
}

function compareOne(kv: KeyValue, c: Compare): boolean {
  let order: number;
  if (c.target === "value") {
    if (!(c.operand instanceof Uint8Array)) throw new InvalidArgumentError("a value compare needs a byte operand");
    order = Buffer.compare(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength), Buffer.from(c.operand));
  } else {
    if (typeof c.operand !== "number") throw new InvalidArgumentError(`a ${c.target} compare needs a numeric operand`);
    const actual = { version: kv.version, create: kv.createRevision, mod: kv.modRevision, lease: kv.lease }[c.target];
    order = Math.sign(actual - c.operand);
  }
  switch (c.result) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case ">":
      return order > 0;
  }
}
