/** Conversions between protobuf messages (bytes keys) and the store's types (binary-string keys). */
import { keyFromBytes, keyToBytes, type KeyValue } from "../store/index.ts";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import { EtcdErrors } from "./errors.ts";

/** A request key as a store key. */
export function keyOf(bytes: Uint8Array): string {
  return bytes.length === 0 ? "" : keyFromBytes(bytes);
}

/** A non-empty request key; etcd rejects empty ones. */
export function requiredKey(bytes: Uint8Array): string {
  if (bytes.length === 0) throw EtcdErrors.emptyKey();
  return keyFromBytes(bytes);
}

/** etcd range_end to the store's: empty = single key (undefined), "\0" = no upper bound (same in both). */
export function rangeEndOf(bytes: Uint8Array): string | undefined {
  return bytes.length === 0 ? undefined : keyFromBytes(bytes);
}

export function kvToPb(kv: KeyValue): Wire<M.KeyValue> {
  return {
    key: keyToBytes(kv.key),
    create_revision: kv.createRevision,
    mod_revision: kv.modRevision,
    version: kv.version,
    value: kv.value,
    lease: kv.lease,
  };
}
