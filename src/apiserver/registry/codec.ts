/**
 * How objects are kept in the store: JSON without metadata.resourceVersion (the store's mod
 * revision is the resourceVersion, as upstream's etcd3 storage does it). Decoding is memoised per
 * store key-value, so one change fanned out to many watchers is parsed once.
 */
import type { KeyValue } from "../../store/index.ts";
import type { KubeObject } from "../api/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const decoded = new WeakMap<KeyValue, KubeObject>();

export function encodeForStorage(obj: KubeObject): Uint8Array {
  const meta = obj.metadata;
  if (!meta || meta.resourceVersion === undefined) return encoder.encode(JSON.stringify(obj));
  const { resourceVersion: _, ...rest } = meta;
  return encoder.encode(JSON.stringify({ ...obj, metadata: rest }));
}

/**
 * The object stored in `kv`, with its resourceVersion. The result is shared between callers:
 * treat it as read-only and `structuredClone` it before changing it.
 */
export function decodeFromStorage(kv: KeyValue): KubeObject {
  let obj = decoded.get(kv);
  if (!obj) {
    obj = JSON.parse(decoder.decode(kv.value)) as KubeObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    decoded.set(kv, obj);
  }
  return obj;
}

/** A private, changeable copy of a stored object. */
export function decodeCopy(kv: KeyValue): KubeObject {
  return structuredClone(decodeFromStorage(kv));
}
