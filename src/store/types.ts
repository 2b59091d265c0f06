/**
 * The contract between the store and everything above it (the API server, the etcd v3 listener).
 *
 * Semantics follow etcd v3: one global revision counter, bumped once per write transaction;
 * every key carries its create revision, mod revision, version (number of puts since creation)
 * and lease. Keys are "binary strings": each character is one byte (0-255), so arbitrary etcd
 * keys round-trip losslessly while the API server's ASCII keys need no conversion. String order
 * of such keys equals byte order.
 */

export interface KeyValue {
  key: string;
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
  /** Number of puts since the key was (re)created; 0 on a deletion tombstone. */
  version: number;
  /** Lease id the key is attached to, 0 for none. */
  lease: number;
}

export interface WatchEvent {
  type: "put" | "delete";
  /** For deletes: key and modRevision (the deleting revision) only, like etcd tombstones. */
  kv: KeyValue;
  /** The key's previous state, when the watch asked for it and it is still retained. */
  prevKv?: KeyValue;
}

// ---- Ranges, reads -------------------------------------------------------------------------

/** etcd-style key range: `end` undefined = the single key; "\0" = every key >= key. */
export interface KeyRange {
  key: string;
  end?: string;
}

export interface RangeRequest extends KeyRange {
  /** Maximum number of keys returned; 0 or undefined = no limit. */
  limit?: number;
  /** Read at this revision (0 or undefined = current). */
  revision?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResult {
  revision: number;
  kvs: KeyValue[];
  /** More keys exist in the range beyond `limit`. */
  more: boolean;
  /** Number of keys in the whole range at that revision (ignores limit). */
  count: number;
}

export interface GetOptions {
  revision?: number;
}

export interface ListOptions {
  /** Maximum number of items; 0 or undefined = all. */
  limit?: number;
  /** Continue from this key (inclusive): pass back `ListResult.continueFrom`. */
  from?: string;
  /** Read at this revision (0 or undefined = current). Continuations should pin the first page's revision. */
  revision?: number;
  keysOnly?: boolean;
}

export interface ListResult {
  revision: number;
  kvs: KeyValue[];
  /** Present when more items follow: the key to continue from. */
  continueFrom?: string;
  /** Items left after this page (only computed when continueFrom is set). */
  remaining: number;
}

// ---- Writes and transactions ---------------------------------------------------------------

export interface PutRequest {
  key: string;
  value: Uint8Array;
  lease?: number;
  prevKv?: boolean;
  /** Keep the current value (etcd ignore_value); the key must exist. */
  ignoreValue?: boolean;
  /** Keep the current lease (etcd ignore_lease); the key must exist. */
  ignoreLease?: boolean;
}

export interface DeleteRangeRequest extends KeyRange {
  prevKv?: boolean;
}

export type CompareTarget = "version" | "create" | "mod" | "value" | "lease";
export type CompareResult = "=" | "!=" | "<" | ">";

export interface Compare extends KeyRange {
  target: CompareTarget;
  result: CompareResult;
  /** A number for version/create/mod/lease targets, bytes for value. */
  operand: number | Uint8Array;
}

export type TxnOp =
  | { range: RangeRequest }
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: Txn };

export interface Txn {
  compare: Compare[];
  success: TxnOp[];
  failure: TxnOp[];
}

export interface PutResponse {
  prevKv?: KeyValue;
}
export interface DeleteRangeResponse {
  deleted: number;
  prevKvs: KeyValue[];
}

export type TxnOpResponse =
  | { range: RangeResult }
  | { put: PutResponse }
  | { deleteRange: DeleteRangeResponse }
  | { txn: TxnResult };

export interface TxnResult {
  /** Store revision after the transaction (unchanged if it wrote nothing). */
  revision: number;
  succeeded: boolean;
  responses: TxnOpResponse[];
}

/** Outcome of a conditional write: on failure, `kv` is the key's current state (undefined if absent). */
export interface WriteResult {
  succeeded: boolean;
  revision: number;
  kv?: KeyValue;
}

export interface WriteOptions {
  lease?: number;
}

export interface DeleteOptions {
  /** Only delete if the key's mod revision equals this (compare-and-delete). */
  modRevision?: number;
}

// ---- Watch ---------------------------------------------------------------------------------

export interface WatchOptions extends KeyRange {
  /** First revision to deliver (inclusive); 0 or undefined = only changes after now. */
  startRevision?: number;
  prevKv?: boolean;
}

/**
 * One delivery to a watcher. Events are in revision order with no gaps or duplicates for the
 * watched range; all events of one revision arrive in the same batch. A batch with no events is a
 * progress notification: every change up to `revision` has been delivered.
 */
export interface WatchBatch {
  revision: number;
  events: WatchEvent[];
}

/**
 * A watch stream. Iterate it with `for await`. The iterator throws CompactedError when the
 * watcher's position has been compacted away (the API turns that into 410 Gone); it never skips
 * events. A slow consumer is caught up from the revision log instead of being dropped.
 */
export interface Watch extends AsyncIterable<WatchBatch> {
  readonly id: number;
  /** Ask for a progress notification (an empty batch at the current revision) once caught up. */
  requestProgress(): void;
  close(): void;
}

// ---- Leases --------------------------------------------------------------------------------

export interface LeaseInfo {
  id: number;
  /** Granted time-to-live, seconds. */
  grantedTtl: number;
  /** Remaining seconds (-1 if expired or unknown). */
  ttl: number;
  keys?: string[];
}

// ---- Status and maintenance ----------------------------------------------------------------

export interface StoreStatus {
  revision: number;
  compactRevision: number;
  /** Bytes of the database file plus its WAL. */
  dbSize: number;
  /** Bytes of the database file in use (excluding free pages). */
  dbSizeInUse: number;
  walSize: number;
  keys: number;
}

/** Rows copied so far out of the rows to copy. */
export interface SnapshotProgress {
  done: number;
  total: number;
}

/**
 * The storage engine behind the API server. kts ships one implementation (SQLite); others can
 * implement the same contract.
 */
export interface Backend {
  get(key: string, opts?: GetOptions): Promise<{ revision: number; kv?: KeyValue }>;
  /** Keys starting with `prefix`, in key order, paginated by `limit` and `from`. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<{ revision: number; count: number }>;
  /** etcd Range over an arbitrary key range. */
  range(req: RangeRequest): Promise<RangeResult>;

  /** Create the key; fails (succeeded=false, kv=current) if it exists. */
  create(key: string, value: Uint8Array, opts?: WriteOptions): Promise<WriteResult>;
  /** Compare-and-swap on the mod revision; fails (succeeded=false, kv=current) on mismatch or absence. */
  update(key: string, value: Uint8Array, modRevision: number, opts?: WriteOptions): Promise<WriteResult>;
  /** Delete the key (optionally only at a given mod revision); on success kv is the deleted value. */
  delete(key: string, opts?: DeleteOptions): Promise<WriteResult>;
  /** General etcd transaction: compares, then the success or failure ops, atomically at one revision. */
  txn(txn: Txn): Promise<TxnResult>;

  watch(opts: WatchOptions): Watch;

  /** Drop history at or below `revision` (the latest value of each live key is kept). */
  compact(revision: number): Promise<void>;
  currentRevision(): number;
  compactRevision(): number;
  status(): StoreStatus;

  grantLease(ttlSeconds: number, id?: number): Promise<LeaseInfo>;
  revokeLease(id: number): Promise<{ revision: number }>;
  keepAliveLease(id: number): Promise<LeaseInfo>;
  leaseTimeToLive(id: number, withKeys?: boolean): LeaseInfo;
  listLeases(): number[];

  /** Rewrite the database to reclaim free space (etcd defragment). */
  defragment(): Promise<void>;
  /** Write a consistent copy of the database to `path` while serving. */
  snapshot(path: string, onProgress?: (p: SnapshotProgress) => void): Promise<{ revision: number; size: number }>;

  close(): Promise<void>;
}
