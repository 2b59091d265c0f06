/**
 * TypeScript shapes of the etcd v3 messages in rpc.proto and kv.proto, with protobuf field names.
 * Decoded messages have every scalar field (absent ones read as 0, false or empty bytes) and
 * int64/uint64 as JS numbers: every revision, lease and member id kts uses is below 2^53.
 * Absent sub-messages decode as null.
 */

export type Bytes = Uint8Array;

/** What an encoder accepts: any field may be left out (or null); proto3 then sends the default. */
export type Wire<T> = T extends Uint8Array
  ? Uint8Array
  : T extends Array<infer U>
    ? Array<Wire<U>>
    : T extends object
      ? { [K in keyof T]?: Wire<T[K]> | null }
      : T;

// ---- mvccpb ----

export interface KeyValue {
  key: Bytes;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Bytes;
  lease: number;
}

export const EventType = { PUT: 0, DELETE: 1 } as const;

export interface Event {
  type: number;
  kv: KeyValue | null;
  prev_kv: KeyValue | null;
}

// ---- etcdserverpb: KV ----

export interface ResponseHeader {
  cluster_id: number;
  member_id: number;
  revision: number;
  raft_term: number;
}

export const SortOrder = { NONE: 0, ASCEND: 1, DESCEND: 2 } as const;
export const SortTarget = { KEY: 0, VERSION: 1, CREATE: 2, MOD: 3, VALUE: 4 } as const;

export interface RangeRequest {
  key: Bytes;
  range_end: Bytes;
  limit: number;
  revision: number;
  sort_order: number;
  sort_target: number;
  serializable: boolean;
  keys_only: boolean;
  count_only: boolean;
  min_mod_revision: number;
  max_mod_revision: number;
  min_create_revision: number;
  max_create_revision: number;
}

export interface RangeResponse {
  header: ResponseHeader | null;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Bytes;
  value: Bytes;
  lease: number;
  prev_kv: boolean;
  ignore_value: boolean;
  ignore_lease: boolean;
}

export interface PutResponse {
  header: ResponseHeader | null;
  prev_kv: KeyValue | null;
}

export interface DeleteRangeRequest {
  key: Bytes;
  range_end: Bytes;
  prev_kv: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader | null;
  deleted: number;
  prev_kvs: KeyValue[];
}

export interface RequestOp {
  request_range: RangeRequest | null;
  request_put: PutRequest | null;
  request_delete_range: DeleteRangeRequest | null;
  request_txn: TxnRequest | null;
}

export interface ResponseOp {
  response_range: RangeResponse | null;
  response_put: PutResponse | null;
  response_delete_range: DeleteRangeResponse | null;
  response_txn: TxnResponse | null;
}

export const CompareResult = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } as const;
export const CompareTarget = { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3, LEASE: 4 } as const;

export interface Compare {
  result: number;
  target: number;
  key: Bytes;
  /** target_union: only the member named by `target` is meaningful. */
  version: number;
  create_revision: number;
  mod_revision: number;
  value: Bytes;
  lease: number;
  range_end: Bytes;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader | null;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  physical: boolean;
}

export interface HeaderOnly {
  header: ResponseHeader | null;
}

// ---- Watch ----

export const FilterType = { NOPUT: 0, NODELETE: 1 } as const;

export interface WatchCreateRequest {
  key: Bytes;
  range_end: Bytes;
  start_revision: number;
  progress_notify: boolean;
  filters: number[];
  prev_kv: boolean;
  watch_id: number;
  fragment: boolean;
}

export interface WatchRequest {
  create_request: WatchCreateRequest | null;
  cancel_request: { watch_id: number } | null;
  progress_request: object | null;
}

export interface WatchResponse {
  header: ResponseHeader | null;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  fragment: boolean;
  events: Event[];
}

// ---- Lease ----

export interface LeaseGrantRequest {
  TTL: number;
  ID: number;
}

export interface LeaseGrantResponse {
  header: ResponseHeader | null;
  ID: number;
  TTL: number;
  error: string;
}

export interface LeaseIdRequest {
  ID: number;
}

export interface LeaseKeepAliveResponse {
  header: ResponseHeader | null;
  ID: number;
  TTL: number;
}

export interface LeaseTimeToLiveRequest {
  ID: number;
  keys: boolean;
}

export interface LeaseTimeToLiveResponse {
  header: ResponseHeader | null;
  ID: number;
  TTL: number;
  grantedTTL: number;
  keys: Bytes[];
}

export interface LeaseLeasesResponse {
  header: ResponseHeader | null;
  leases: Array<{ ID: number }>;
}

// ---- Cluster ----

export interface Member {
  ID: number;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberListResponse {
  header: ResponseHeader | null;
  members: Member[];
}

// ---- Maintenance ----

export const AlarmAction = { GET: 0, ACTIVATE: 1, DEACTIVATE: 2 } as const;

export interface AlarmRequest {
  action: number;
  memberID: number;
  alarm: number;
}

export interface AlarmResponse {
  header: ResponseHeader | null;
  alarms: Array<{ memberID: number; alarm: number }>;
}

export interface StatusResponse {
  header: ResponseHeader | null;
  version: string;
  dbSize: number;
  leader: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  errors: string[];
  dbSizeInUse: number;
  isLearner: boolean;
}

export interface HashResponse {
  header: ResponseHeader | null;
  hash: number;
}

export interface HashKVRequest {
  revision: number;
}

export interface HashKVResponse {
  header: ResponseHeader | null;
  hash: number;
  compact_revision: number;
}

export interface SnapshotResponse {
  header: ResponseHeader | null;
  remaining_bytes: number;
  blob: Bytes;
}

export type Empty = Record<string, never>;
