/**
 * RFC 7386 JSON merge patch, with the null handling of evanphx/json-patch v4's MergePatch (what
 * kube-apiserver runs): null deletes a member; an object merges into an object; anything else
 * replaces. A value that lands where there was nothing (or a non-object) has its null members
 * dropped, down through nested objects and arrays, so nulls never reach the stored object;
 * a non-object that replaces an object is taken as it is.
 */
import { deleteOwn, getOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from "./json-value.ts";

/** Drops null-valued members of every object inside `v` (array elements stay, even null ones). */
export function pruneNulls(v: JsonValue): JsonValue {
  const stack: JsonValue[] = [v];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (Array.isArray(cur)) {
      for (const x of cur) if (x !== null) stack.push(x);
    } else if (isJsonObject(cur)) {
      for (const k of Object.keys(cur)) {
        if (cur[k] === null) deleteOwn(cur, k);
        else stack.push(cur[k]!);
      }
    }
  }
  return v;
}

function mergeValue(current: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(current)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  return mergeObjects(current, patch);
}

/** Merges `patch` into `target` in place and returns `target`. Both must be owned by the caller. */
export function mergeObjects(target: JsonObject, patch: JsonObject): JsonObject {
  for (const k of Object.keys(patch)) {
    const p = patch[k]!;
    const cur = getOwn(target, k);
    if (p === null) deleteOwn(target, k);
    else if (cur === undefined || cur === null) setOwn(target, k, pruneNulls(p));
    else setOwn(target, k, mergeValue(cur, p));
  }
  return target;
}
