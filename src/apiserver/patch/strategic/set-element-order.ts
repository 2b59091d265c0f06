/**
 * `$setElementOrder/<list>`: the order kubectl's client-side apply wants a merged list in
 * (strategicpatch's mergePatchIntoOriginal). It names the list's items (by merge key, or by
 * value for scalars) in their final order; items the server has and the order does not name
 * keep their place relative to the others. The list's patch is merged first, then ordered.
 */
import { deleteOwn, getOwn, hasOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from "../json-value.ts";
import { directiveTarget, hasPatchDirective, removeDirectives, SET_ELEMENT_ORDER } from "./directives.ts";
import { normalizeElementOrder, partitionByPresence, splitDeletions } from "./list-order.ts";
import { elementType, isMapType, mergeListField } from "./merge-list.ts";
import type { SchemaCursor } from "./schema.ts";
import { LIST_TYPE, MAP_TYPE, smpErrors } from "./smp-errors.ts";

/** Processes every `$setElementOrder/` member of `patch`, removing it and its list from `patch`. */
export function mergeOrderedLists(original: JsonObject, patch: JsonObject, cursor: SchemaCursor): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key]!;
    deleteOwn(patch, key);
    if (!Array.isArray(order)) throw smpErrors.badArgType(LIST_TYPE, order);
    const field = directiveTarget(key, SET_ELEMENT_ORDER);
    const merged = mergeOrderedList(original, patch, field, order, cursor);
    if (merged !== undefined) setOwn(original, field, merged);
    deleteOwn(patch, field);
  }
}

function listMember(obj: JsonObject, field: string): JsonValue[] | undefined {
  if (!hasOwn(obj, field)) return undefined;
  const v = obj[field]!;
  if (!Array.isArray(v)) throw smpErrors.badArgType(LIST_TYPE, v);
  return v;
}

function mergeOrderedList(original: JsonObject, patch: JsonObject, field: string, order: JsonValue[], cursor: SchemaCursor): JsonValue[] | undefined {
  const current = listMember(original, field);
  const patchList = listMember(patch, field);
  const meta = cursor.meta(field);
  const mergeKey = meta?.mergeKey ?? "";
  checkPatchFollowsOrder(patchList ?? [], order, mergeKey);
  let merged: JsonValue[];
  if (current !== undefined && patchList !== undefined) merged = mergeListField(current, patchList, cursor.child(field), meta, false);
  else if (current !== undefined) merged = current;
  else if (patchList !== undefined) merged = removeDirectives(patchList) as JsonValue[];
  else return undefined;
  const [named, serverOnly] = partitionByPresence(merged, order, mergeKey);
  const isMap = isMapType(elementType(current ?? [], patchList ?? []));
  return normalizeElementOrder(named, serverOnly, order, current ?? [], mergeKey, isMap);
}

/** Whether two items are the same item: equal merge key values, or equal scalars. */
function sameItem(a: JsonValue, b: JsonValue, mergeKey: string): boolean {
  if (mergeKey === "") return a === b;
  for (const item of [a, b]) {
    if (!isJsonObject(item)) throw smpErrors.badArgType(MAP_TYPE, item);
    if (!hasOwn(item, mergeKey)) throw smpErrors.noMergeKey(item, mergeKey);
  }
  return getOwn(a as JsonObject, mergeKey) === getOwn(b as JsonObject, mergeKey);
}

/**
 * The patch's items (deletions and other directive items aside) must all appear in the order
 * list, in the same relative order.
 */
function checkPatchFollowsOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey === "" ? patchList : splitDeletions(patchList)[0];
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (hasPatchDirective(items[p])) {
      p++;
      continue;
    }
    if (sameItem(items[p]!, order[o]!, mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) throw smpErrors.orderMismatch(patchList, order);
}

