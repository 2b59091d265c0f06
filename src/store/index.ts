/**
 * The store component: a revisioned key-value store with etcd v3 semantics.
 * Everything above it depends on the `Backend` contract only.
 */
export type * from "./types.ts";
export * from "./errors.ts";
export { prefixEnd, registryKey, registryPrefix, keyFromBytes, keyToBytes, inRange, RANGE_ALL } from "./keys.ts";
export { SqliteBackend, type SqliteBackendOptions } from "./sqlite/backend.ts";
export { DEFAULT_COMPACTION, type CompactionPolicy } from "./sqlite/compactor.ts";
export { type SyncMode, DirectoryLock } from "./sqlite/open.ts";
export { snapshotDatabase, restoreSnapshot, snapshotHash } from "./sqlite/snapshot.ts";
export { MAX_TXN_OPS } from "./sqlite/txn.ts";
