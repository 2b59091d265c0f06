/**
 * How objects are kept in the store: JSON without metadata.resourceVersion (the store's mod
 * revision is the resourceVersion, as upstream's etcd3 storage does it), passed through the
 * resource's value transformer (encryption at rest) when it has one. Decoding is memoised per
 * store key-value, so one change fanned out to many watchers is parsed (and decrypted) once.
 */
import type { KeyValue } from "../../store/index.ts";
import type { KubeObject } from "../api/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const decoded = new WeakMap<KeyValue, KubeObject>();

/**
 * Upstream's value.Transformer: turns serialized objects into stored bytes and back. `key` is the
 * store key, authenticated data for the AEAD providers (a value cannot be moved to another key).
 */
export interface ValueTransformer {
  toStorage(plain: Uint8Array, key: string): Uint8Array;
  /** `stale`: written with a key that is no longer the write key (it would be rewritten by a reencrypt). */
  fromStorage(stored: Uint8Array, key: string): { data: Uint8Array; stale: boolean };
}

export function encodeForStorage(obj: KubeObject, key?: string, transformer?: ValueTransformer): Uint8Array {
  const meta = obj.metadata;
  let bytes: Uint8Array;
  if (!meta || meta.resourceVersion === undefined) bytes = encoder.encode(JSON.stringify(obj));
  else {
    const { resourceVersion: _, ...rest } = meta;
    bytes = encoder.encode(JSON.stringify({ ...obj, metadata: rest }));
  }
  return transformer && key !== undefined ? transformer.toStorage(bytes, key) : bytes;
}

/**
 * The object stored in `kv`, with its resourceVersion. The result is shared between callers:
 * treat it as read-only and `structuredClone` it before changing it.
 */
export function decodeFromStorage(kv: KeyValue, transformer?: ValueTransformer): KubeObject {
  let obj = decoded.get(kv);
  if (!obj) {
    const bytes = transformer ? transformer.fromStorage(kv.value, kv.key).data : kv.value;
    obj = JSON.parse(decoder.decode(bytes)) as KubeObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    decoded.set(kv, obj);
  }
  return obj;
}

/** A private, changeable copy of a stored object. */
export function decodeCopy(kv: KeyValue, transformer?: ValueTransformer): KubeObject {
  return structuredClone(decodeFromStorage(kv, transformer));
}
