/**
 * Merging a patch list into a list (strategicpatch's mergeSliceHandler and mergeSlice). Lists
 * with the merge strategy merge: lists of objects by their merge key, honouring `$patch: delete`
 * and `$patch: replace` items; lists of scalars as sets. `$deleteFromPrimitiveList` removes
 * scalars whatever the strategy. Other lists are replaced by the patch.
 */
import { goTypeName } from "../go-format.ts";
import { getOwn, hasOwn, isJsonObject, type JsonObject, type JsonValue } from "../json-value.ts";
import { DELETE, MERGE, PATCH_DIRECTIVE, REPLACE } from "./directives.ts";
import { normalizeElementOrder, partitionByPresence } from "./list-order.ts";
import { mergeMap } from "./merge-map.ts";
import { effectiveStrategy, type FieldPatchMeta, type SchemaCursor } from "./schema.ts";
import { smpErrors } from "./smp-errors.ts";

export function mergeListField(current: JsonValue[], patch: JsonValue[], cursor: SchemaCursor, meta: FieldPatchMeta | undefined, isDeleteList: boolean): JsonValue[] {
  if (effectiveStrategy(meta) !== MERGE && !isDeleteList) return patch;
  return mergeList(current, patch, cursor, meta?.mergeKey ?? "", isDeleteList);
}

/**
 * The one element type of all the lists' elements, as Go names it; lists of lists and mixed
 * lists are errors.
 */
export function elementType(...lists: JsonValue[][]): string {
  let type: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goTypeName(v);
      if (type === undefined) {
        if (Array.isArray(v)) throw smpErrors.listOfLists();
        type = t;
      } else if (t !== type) throw smpErrors.mixedElementTypes(lists);
    }
  }
  if (type === undefined) throw smpErrors.noElements();
  return type;
}

export const isMapType = (type: string) => type === "map[string]interface {}";

function mergeList(current: JsonValue[], patch: JsonValue[], cursor: SchemaCursor, mergeKey: string, isDeleteList: boolean): JsonValue[] {
  if (current.length === 0 && patch.length === 0) return current;
  const type = elementType(current, patch);
  if (!isMapType(type)) {
    if (isDeleteList) return withoutValues(current, patch);
    const merged = uniqueScalars([...current, ...patch]);
    const [inPatch, serverOnly] = partitionByPresence(merged, patch, "");
    return normalizeElementOrder(inPatch, serverOnly, patch, current, "", false);
  }
  if (mergeKey === "") throw smpErrors.noMergeKeyForList();
  const special = applySpecialItems(current as JsonObject[], patch as JsonObject[], mergeKey);
  const merged = mergeByKey(special.current, special.patch, mergeKey, cursor);
  const [inPatch, serverOnly] = partitionByPresence(merged, special.patch, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, special.patch, special.current, mergeKey, true);
}

function withoutValues(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  const drop = new Set(toDelete);
  return current.filter((v) => !drop.has(v));
}

function uniqueScalars(values: JsonValue[]): JsonValue[] {
  return [...new Set(values)];
}

/**
 * Handles the patch items carrying `$patch`: `delete` removes every current item with that
 * merge key value, `replace` makes the rest of the patch the whole list.
 */
function applySpecialItems(current: JsonObject[], patch: JsonObject[], mergeKey: string): { current: JsonObject[]; patch: JsonObject[] } {
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!hasOwn(item, PATCH_DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE]!;
    if (directive === DELETE) {
      if (!hasOwn(item, mergeKey)) throw smpErrors.noMergeKey(item, mergeKey);
      current = current.filter((c) => getOwn(c, mergeKey) !== item[mergeKey]);
    } else if (directive === REPLACE) replace = true;
    else if (directive === MERGE) throw smpErrors.mergeDirectiveInList();
    else throw smpErrors.badPatchType(directive, item);
  }
  return replace ? { current: plain, patch: [] } : { current, patch: plain };
}

/** Merges each patch item into the current item with the same merge key value, or appends it. */
function mergeByKey(current: JsonObject[], patch: JsonObject[], mergeKey: string, cursor: SchemaCursor): JsonValue[] {
  const merged: JsonValue[] = [...current];
  for (const item of patch) {
    if (!hasOwn(item, mergeKey)) throw smpErrors.noMergeKey(item, mergeKey);
    const i = merged.findIndex((m) => isJsonObject(m) && hasOwn(m, mergeKey) && m[mergeKey] === item[mergeKey]);
    if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, item, cursor);
    else merged.push(item);
  }
  return merged;
}
