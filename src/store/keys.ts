/**
 * Key helpers. Store keys are binary strings (one char per byte, see types.ts); Kubernetes keys
 * are laid out as /registry/<resource>/<namespace>/<name> like upstream's etcd3 storage.
 */

/** etcd's "no upper bound" marker for range_end. */
export const RANGE_ALL = "\0";

/** Upper bound (exclusive) of all keys starting with `prefix`; RANGE_ALL if there is none. */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return RANGE_ALL;
}

/** The storage key of an object: /registry/<resource>/<name> or /registry/<resource>/<namespace>/<name>. */
export function registryKey(resource: string, namespace: string | undefined, name: string): string {
  return namespace ? `/registry/${resource}/${namespace}/${name}` : `/registry/${resource}/${name}`;
}

/** Prefix of every object of a resource, optionally within one namespace (trailing slash included). */
export function registryPrefix(resource: string, namespace?: string): string {
  return namespace ? `/registry/${resource}/${namespace}/` : `/registry/${resource}/`;
}

/** Bytes to a binary-string key, losslessly. */
export function keyFromBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** A binary-string key back to its bytes. */
export function keyToBytes(key: string): Buffer {
  return Buffer.from(key, "latin1");
}

/** Whether `key` lies in the etcd range [start, end) (end undefined = exactly start; RANGE_ALL = open). */
export function inRange(key: string, start: string, end: string | undefined): boolean {
  if (end === undefined || end === "") return key === start;
  if (end === RANGE_ALL) return key >= start;
  return key >= start && key < end;
}
