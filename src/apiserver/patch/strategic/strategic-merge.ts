/**
 * Strategic merge patch, as kube-apiserver applies it (StrategicMergeMapPatch), on JSON values.
 *
 * Upstream decodes the merged map into the typed Go object, which silently drops whatever is
 * not a field: directive members left inside values taken verbatim from the patch (items of a
 * replaced list, a map under `$patch: replace`, ...) and null members there. An untyped store
 * has no such filter, so after merging, every object that came from the patch is cleaned the
 * same way. Objects of the stored original are left alone: their data is never rewritten.
 */
import { deleteOwn, isJsonObject, type JsonObject, type JsonValue } from "../json-value.ts";
import { isDirectiveKey } from "./directives.ts";
import { mergeMap } from "./merge-map.ts";
import { SchemaCursor, type PatchSchema } from "./schema.ts";

/** Every object and array of a patch, to tell them apart from the original's after merging. */
function containersOf(patch: JsonValue): Set<object> {
  const seen = new Set<object>();
  const stack: JsonValue[] = [patch];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return seen;
}

function clean(obj: JsonObject): void {
  for (const k of Object.keys(obj)) if (obj[k] === null || isDirectiveKey(k)) deleteOwn(obj, k);
}

function cleanPatchObjects(result: JsonObject, fromPatch: Set<object>): void {
  const stack: JsonValue[] = [result];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (isJsonObject(v) && fromPatch.has(v)) clean(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
}

/** Merges `patch` into `original`; both are consumed (mutated), the result is returned. */
export function strategicMerge(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject {
  const fromPatch = containersOf(patch);
  const result = mergeMap(original, patch, new SchemaCursor(schema));
  cleanPatchObjects(result, fromPatch);
  return result;
}
