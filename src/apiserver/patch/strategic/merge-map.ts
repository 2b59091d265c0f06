/**
 * Merging a patch object into an object, as strategicpatch's mergeMap does on the server
 * (MergeParallelList and IgnoreUnmatchedNulls both on): `$patch` on the object, `$retainKeys`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`, then every other member:
 * null deletes, objects merge (unless the field's strategy is replace), lists merge per their
 * strategy, anything else replaces. `original` and `patch` are mutated; the caller owns both.
 */
import { pruneNulls } from "../merge-patch.ts";
import { deleteOwn, getOwn, hasOwn, isJsonObject, jsonKind, setOwn, type JsonObject, type JsonValue } from "../json-value.ts";
import { DELETE, DELETE_FROM_PRIMITIVE_LIST, directiveTarget, PATCH_DIRECTIVE, REPLACE, RETAIN_KEYS, removeDirectives, SET_ELEMENT_ORDER } from "./directives.ts";
import { mergeOrderedLists } from "./set-element-order.ts";
import { mergeListField } from "./merge-list.ts";
import { effectiveStrategy, type SchemaCursor } from "./schema.ts";
import { smpErrors } from "./smp-errors.ts";

export function mergeMap(original: JsonObject | undefined, patch: JsonObject, cursor: SchemaCursor): JsonObject {
  if (hasOwn(patch, PATCH_DIRECTIVE)) return objectDirective(patch);
  const target = original ?? {};
  applyRetainKeys(target, patch);
  mergeOrderedLists(target, patch, cursor);
  for (const key of Object.keys(patch)) mergeMember(target, key, patch[key]!, cursor);
  return target;
}

/** `$patch: replace` keeps just the patch's members; `$patch: delete` empties the object. */
function objectDirective(patch: JsonObject): JsonObject {
  const directive = patch[PATCH_DIRECTIVE]!;
  if (directive === REPLACE) {
    deleteOwn(patch, PATCH_DIRECTIVE);
    return patch;
  }
  if (directive === DELETE) return {};
  throw smpErrors.badPatchType(directive, patch);
}

/**
 * `$retainKeys: [a, b]` clears every member of the original not listed; each member the patch
 * sets must be listed too.
 */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS]!;
  deleteOwn(patch, RETAIN_KEYS);
  if (!Array.isArray(list)) throw smpErrors.badRetainKeysFormat();
  const retained = new Set<JsonValue>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw smpErrors.badRetainKeysFormat();
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) deleteOwn(original, k);
}

/** Takes a patch value as it is: its nulls and `$patch`-marked maps are dropped. */
function adopt(target: JsonObject, key: string, value: JsonValue): void {
  const kept = removeDirectives(pruneNulls(value));
  if (kept === undefined) deleteOwn(target, key);
  else setOwn(target, key, kept);
}

function mergeMember(target: JsonObject, rawKey: string, patchValue: JsonValue, cursor: SchemaCursor): void {
  const isDeleteList = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
  const key = isDeleteList ? directiveTarget(rawKey, DELETE_FROM_PRIMITIVE_LIST) : rawKey;
  if (patchValue === null) return deleteOwn(target, key);
  const current = getOwn(target, key);
  // A delete list only ever removes from an existing list of the same kind.
  if (current === undefined || jsonKind(current) !== jsonKind(patchValue)) {
    if (!isDeleteList) adopt(target, key, patchValue);
    return;
  }
  const meta = cursor.meta(key);
  if (isJsonObject(current) && isJsonObject(patchValue)) {
    const merged = effectiveStrategy(meta) === REPLACE ? patchValue : mergeMap(current, patchValue, cursor.child(key));
    return setOwn(target, key, merged);
  }
  if (Array.isArray(current) && Array.isArray(patchValue)) {
    return setOwn(target, key, mergeListField(current, patchValue, cursor.child(key), meta, isDeleteList));
  }
  const kept = removeDirectives(patchValue);
  if (kept !== undefined) setOwn(target, key, kept);
}
