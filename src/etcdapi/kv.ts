/**
 * The KV service: Range, Put, DeleteRange, Txn, Compact. Writes go through the store's
 * transaction (Put and DeleteRange are one-op transactions), so every etcd option the store
 * supports maps directly; Range sorting and revision filters, which the store does not do, are
 * applied here after reading, exactly as etcd does (it too reads the whole range first).
 */
import type { Compare, CompareResult, CompareTarget, RangeRequest, RangeResult, Txn, TxnOp, TxnOpResponse, TxnResult } from "../store/index.ts";
import type { EtcdContext } from "./context.ts";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import type { Method, UnaryContext } from "./grpc/server.ts";
import { MAX_REQUEST_BYTES } from "./context.ts";
import { keyOf, kvToPb, rangeEndOf, requiredKey } from "./convert.ts";
import { EtcdErrors } from "./errors.ts";
import { unary } from "./grpc/server.ts";
import { GrpcError, Status } from "./grpc/status.ts";
import { CompareResult as PbResult, CompareTarget as PbTarget, SortOrder, SortTarget } from "./proto/messages.ts";

export function kvMethods(ctx: EtcdContext): Array<[string, Method]> {
  const c = ctx.codecs;
  return [
    ["/etcdserverpb.KV/Range", unary(c.RangeRequest, c.RangeResponse, (req) => range(ctx, req))],
    ["/etcdserverpb.KV/Put", unary(c.PutRequest, c.PutResponse, (req, call) => put(ctx, req, call))],
    ["/etcdserverpb.KV/DeleteRange", unary(c.DeleteRangeRequest, c.DeleteRangeResponse, (req, call) => deleteRange(ctx, req, call))],
    ["/etcdserverpb.KV/Txn", unary(c.TxnRequest, c.TxnResponse, (req, call) => txn(ctx, req, call))],
    ["/etcdserverpb.KV/Compact", unary(c.CompactionRequest, c.CompactionResponse, (req) => compact(ctx, req))],
  ];
}

/** etcd measures a write against --max-request-bytes before it reaches the store. */
function checkWriteSize(call: UnaryContext): void {
  if (call.requestBytes > MAX_REQUEST_BYTES) throw EtcdErrors.requestTooLarge();
}

// ---- Range ----

/** A range as the store reads it, plus the listener-side steps etcd's options still need. */
interface RangePlan {
  store: RangeRequest;
  finish(res: RangeResult): RangeResult;
}

function planRange(req: M.RangeRequest): RangePlan {
  const store: RangeRequest = {
    key: requiredKey(req.key),
    end: rangeEndOf(req.range_end),
    limit: req.limit,
    revision: req.revision,
    keysOnly: req.keys_only,
    countOnly: req.count_only,
  };
  if (!isEnumValue(req.sort_order, SortOrder) || !isEnumValue(req.sort_target, SortTarget)) {
    throw new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: invalid sort option");
  }
  // etcd: a sort target without an order means ascending; ascending by key is the store's order.
  const order = req.sort_order === SortOrder.NONE && req.sort_target !== SortTarget.KEY ? SortOrder.ASCEND : req.sort_order;
  const sorted = !(order === SortOrder.NONE || (order === SortOrder.ASCEND && req.sort_target === SortTarget.KEY));
  const filtered = req.min_mod_revision > 0 || req.max_mod_revision > 0 || req.min_create_revision > 0 || req.max_create_revision > 0;
  if (req.count_only || (!sorted && !filtered)) return { store, finish: (res) => res };
  // Sorting or filtering needs the whole range; the limit is applied afterwards.
  return {
    store: { ...store, limit: 0 },
    finish(res) {
      let kvs = filtered ? res.kvs.filter((kv) => passesFilters(req, kv)) : res.kvs;
      if (sorted) kvs = sortKvs(kvs, req.sort_target, order === SortOrder.DESCEND);
      const more = req.limit > 0 && kvs.length > req.limit;
      if (more) kvs = kvs.slice(0, req.limit);
      return { revision: res.revision, kvs, more, count: res.count };
    },
  };
}

function isEnumValue(value: number, values: Record<string, number>): boolean {
  return Object.values(values).includes(value);
}

function passesFilters(req: M.RangeRequest, kv: RangeResult["kvs"][number]): boolean {
  if (req.min_mod_revision > 0 && kv.modRevision < req.min_mod_revision) return false;
  if (req.max_mod_revision > 0 && kv.modRevision > req.max_mod_revision) return false;
  if (req.min_create_revision > 0 && kv.createRevision < req.min_create_revision) return false;
  if (req.max_create_revision > 0 && kv.createRevision > req.max_create_revision) return false;
  return true;
}

function sortKvs(kvs: RangeResult["kvs"], target: number, descending: boolean): RangeResult["kvs"] {
  type KV = RangeResult["kvs"][number];
  const by: Record<number, (a: KV, b: KV) => number> = {
    [SortTarget.KEY]: (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    [SortTarget.VERSION]: (a, b) => a.version - b.version,
    [SortTarget.CREATE]: (a, b) => a.createRevision - b.createRevision,
    [SortTarget.MOD]: (a, b) => a.modRevision - b.modRevision,
    [SortTarget.VALUE]: (a, b) => Buffer.compare(a.value, b.value),
  };
  const cmp = by[target]!;
  // Array.sort is stable: equal elements keep key order, whatever the direction.
  return [...kvs].sort(descending ? (a, b) => cmp(b, a) : cmp);
}

function rangeResponse(header: Wire<M.ResponseHeader>, res: RangeResult): Wire<M.RangeResponse> {
  return { header, kvs: res.kvs.map(kvToPb), more: res.more, count: res.count };
}

async function range(ctx: EtcdContext, req: M.RangeRequest): Promise<Wire<M.RangeResponse>> {
  const plan = planRange(req);
  const res = plan.finish(await ctx.backend.range(plan.store));
  return rangeResponse(ctx.header(res.revision), res);
}

// ---- Put, DeleteRange ----

function putOp(req: M.PutRequest): TxnOp {
  const key = requiredKey(req.key);
  if (req.ignore_value && req.value.length > 0) throw EtcdErrors.valueProvided();
  if (req.ignore_lease && req.lease !== 0) throw EtcdErrors.leaseProvided();
  return {
    put: { key, value: req.value, lease: req.lease, prevKv: req.prev_kv, ignoreValue: req.ignore_value, ignoreLease: req.ignore_lease },
  };
}

function deleteOp(req: M.DeleteRangeRequest): TxnOp {
  return { deleteRange: { key: requiredKey(req.key), end: rangeEndOf(req.range_end), prevKv: req.prev_kv } };
}

async function put(ctx: EtcdContext, req: M.PutRequest, call: UnaryContext): Promise<Wire<M.PutResponse>> {
  checkWriteSize(call);
  const res = await ctx.backend.txn({ compare: [], success: [putOp(req)], failure: [] });
  const op = res.responses[0];
  const prevKv = op && "put" in op ? op.put.prevKv : undefined;
  return { header: ctx.header(res.revision), prev_kv: prevKv ? kvToPb(prevKv) : null };
}

async function deleteRange(ctx: EtcdContext, req: M.DeleteRangeRequest, call: UnaryContext): Promise<Wire<M.DeleteRangeResponse>> {
  checkWriteSize(call);
  const res = await ctx.backend.txn({ compare: [], success: [deleteOp(req)], failure: [] });
  const op = res.responses[0];
  const deleted = op && "deleteRange" in op ? op.deleteRange : { deleted: 0, prevKvs: [] };
  return { header: ctx.header(res.revision), deleted: deleted.deleted, prev_kvs: deleted.prevKvs.map(kvToPb) };
}

// ---- Txn ----

/** A transaction for the store, with the range plans needed to finish its responses. */
interface TxnPlan {
  txn: Txn;
  success: OpPlan[];
  failure: OpPlan[];
}
type OpPlan = { range: RangePlan } | { nested: TxnPlan } | { write: true };

const RESULTS: Record<number, CompareResult> = { [PbResult.EQUAL]: "=", [PbResult.GREATER]: ">", [PbResult.LESS]: "<", [PbResult.NOT_EQUAL]: "!=" };
const TARGETS: Record<number, CompareTarget> = {
  [PbTarget.VERSION]: "version",
  [PbTarget.CREATE]: "create",
  [PbTarget.MOD]: "mod",
  [PbTarget.VALUE]: "value",
  [PbTarget.LEASE]: "lease",
};

function compareOf(c: M.Compare): Compare {
  const result = RESULTS[c.result];
  const target = TARGETS[c.target];
  if (!result || !target) throw new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: invalid compare");
  const operands: Record<CompareTarget, number | Uint8Array> = {
    version: c.version,
    create: c.create_revision,
    mod: c.mod_revision,
    value: c.value,
    lease: c.lease,
  };
  return { key: keyOf(c.key), end: rangeEndOf(c.range_end), target, result, operand: operands[target] };
}

function planOp(op: M.RequestOp): { op: TxnOp; plan: OpPlan } {
  if (op.request_range) {
    const range = planRange(op.request_range);
    return { op: { range: range.store }, plan: { range } };
  }
  if (op.request_put) return { op: putOp(op.request_put), plan: { write: true } };
  if (op.request_delete_range) return { op: deleteOp(op.request_delete_range), plan: { write: true } };
  if (op.request_txn) {
    const nested = planTxn(op.request_txn);
    return { op: { txn: nested.txn }, plan: { nested } };
  }
  // An empty RequestOp: etcd answers this, oddly, with "key not found".
  throw new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: key not found");
}

function planTxn(req: M.TxnRequest): TxnPlan {
  const success = req.success.map(planOp);
  const failure = req.failure.map(planOp);
  return {
    txn: { compare: req.compare.map(compareOf), success: success.map((s) => s.op), failure: failure.map((f) => f.op) },
    success: success.map((s) => s.plan),
    failure: failure.map((f) => f.plan),
  };
}

/** The response to a (possibly nested) transaction; nested responses carry only the revision in their header. */
function txnResponse(plan: TxnPlan, res: TxnResult, header: Wire<M.ResponseHeader>): Wire<M.TxnResponse> {
  const plans = res.succeeded ? plan.success : plan.failure;
  const nestedHeader = { revision: res.revision };
  return {
    header,
    succeeded: res.succeeded,
    responses: res.responses.map((r, i) => responseOp(plans[i]!, r, nestedHeader)),
  };
}

function responseOp(plan: OpPlan, r: TxnOpResponse, header: Wire<M.ResponseHeader>): Wire<M.ResponseOp> {
  if ("range" in r) {
    const finished = "range" in plan ? plan.range.finish(r.range) : r.range;
    return { response_range: rangeResponse({ revision: finished.revision }, finished) };
  }
  if ("put" in r) return { response_put: { header, prev_kv: r.put.prevKv ? kvToPb(r.put.prevKv) : null } };
  if ("deleteRange" in r) {
    return { response_delete_range: { header, deleted: r.deleteRange.deleted, prev_kvs: r.deleteRange.prevKvs.map(kvToPb) } };
  }
  const nested = "nested" in plan ? plan.nested : { txn: { compare: [], success: [], failure: [] }, success: [], failure: [] };
  return { response_txn: txnResponse(nested, r.txn, header) };
}

async function txn(ctx: EtcdContext, req: M.TxnRequest, call: UnaryContext): Promise<Wire<M.TxnResponse>> {
  checkWriteSize(call);
  const plan = planTxn(req);
  const res = await ctx.backend.txn(plan.txn);
  return txnResponse(plan, res, ctx.header(res.revision));
}

// ---- Compact ----

async function compact(ctx: EtcdContext, req: M.CompactionRequest): Promise<Wire<M.HeaderOnly>> {
  const done = ctx.backend.compact(req.revision);
  if (req.physical) {
    await done;
  } else {
    // etcd answers once the compaction is decided (reads below it fail from then on) and removes
    // the history in the background: wait only for the checks that reject the request at once.
    let answered = false;
    done.catch((err: unknown) => {
      if (answered) ctx.log.warn("compaction failed", { revision: req.revision, err });
    });
    try {
      await Promise.race([done, new Promise((resolve) => setImmediate(resolve))]);
    } finally {
      answered = true;
    }
  }
  return { header: ctx.header() };
}
