/**
 * JSON Pointer resolution with the rules of the JSON patch library kube-apiserver uses
 * (evanphx/json-patch v4), quirks included, because clients depend on what the server accepts:
 * - the text before the first "/" is ignored ("a/b" addresses "/b"); a path without "/" fails;
 * - array indices follow Go's strconv.Atoi ("+1", "01") and may be negative (counted from the end);
 * - "~1" decodes to "/" and "~0" to "~", other "~" sequences stay as they are.
 */
import { getOwn, isJsonObject, type JsonObject, type JsonValue } from "./json-value.ts";

export type Container = JsonObject | JsonValue[];

export interface Location {
  container: Container;
  key: string;
}

export function decodeToken(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === "~1" ? "/" : "~"));
}

/** Go's strconv.Atoi for 64-bit ints; undefined where Atoi fails. */
export function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Math.abs(n) <= 2 ** 63 ? n : undefined;
}

/** Index `key` of `arr` for reading, replacing or removing; undefined when out of range. */
export function existingIndex(arr: JsonValue[], key: string): number | undefined {
  let i = atoi(key);
  if (i === undefined || i < -arr.length || i >= arr.length) return undefined;
  if (i < 0) i += arr.length;
  return i;
}

/** Index at which `add` inserts into `arr` ("-" appends); undefined when invalid. */
export function insertIndex(arr: JsonValue[], key: string): number | undefined {
  if (key === "-") return arr.length;
  let i = atoi(key);
  const size = arr.length + 1;
  if (i === undefined || i >= size || i < -size) return undefined;
  if (i < 0) i += size;
  return i;
}

/** The value at `key` of a container: undefined when absent, or when an array index is bad. */
export function childOf(container: Container, key: string): JsonValue | undefined {
  if (Array.isArray(container)) {
    const i = existingIndex(container, key);
    return i === undefined ? undefined : container[i];
  }
  return getOwn(container, key);
}

/** The container holding the value `path` points at, and the value's key in it. */
export function locate(root: Container, path: string): Location | undefined {
  const tokens = path.split("/");
  if (tokens.length < 2) return undefined;
  let container = root;
  for (let i = 1; i < tokens.length - 1; i++) {
    const next = childOf(container, decodeToken(tokens[i]!));
    if (next === undefined || (!Array.isArray(next) && !isJsonObject(next))) return undefined;
    container = next;
  }
  return { container, key: decodeToken(tokens[tokens.length - 1]!) };
}
