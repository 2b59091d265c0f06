/**
 * The order of a merged list (strategicpatch's normalizeElementOrder and friends). Items named
 * by the patch (or by `$setElementOrder`) keep the patch's order, the server's other items keep
 * theirs, and the two runs are interleaved by the server's order where both sides know it.
 * A consequence kept from upstream: a new item the server has never seen goes before the
 * server-only items that follow it, so adding to a list without `$setElementOrder` prepends.
 */
import { getOwn, hasOwn, isJsonObject, type JsonObject, type JsonValue } from "../json-value.ts";
import { DELETE, PATCH_DIRECTIVE } from "./directives.ts";
import { MAP_TYPE, smpErrors } from "./smp-errors.ts";

/** What identifies an item: its merge key value for lists of objects, itself otherwise. */
function identity(item: JsonValue, mergeKey: string, isMap: boolean): JsonValue | undefined {
  if (!isMap) return item;
  return isJsonObject(item) ? getOwn(item, mergeKey) : undefined;
}

/** Position of each identity's first occurrence in `order`. */
function positions(order: JsonValue[], mergeKey: string, isMap: boolean): (item: JsonValue) => number {
  const at = new Map<JsonValue | undefined, number>();
  order.forEach((v, i) => {
    const id = identity(v, mergeKey, isMap);
    if (!at.has(id)) at.set(id, i);
  });
  return (item) => at.get(identity(item, mergeKey, isMap)) ?? -1;
}

/** Splits `items` into those `by` names (by merge key, or by value for scalars) and the rest. */
export function partitionByPresence(items: JsonValue[], by: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const named: JsonValue[] = [];
  const rest: JsonValue[] = [];
  if (mergeKey === "") {
    const present = new Set(by);
    for (const v of items) (present.has(v) ? named : rest).push(v);
    return [named, rest];
  }
  for (const v of items) {
    if (!isJsonObject(v)) throw smpErrors.badArgType(MAP_TYPE, v);
    if (!hasOwn(v, mergeKey)) throw smpErrors.noMergeKey(v, mergeKey);
    (isNamedBy(by, mergeKey, v[mergeKey]!) ? named : rest).push(v);
  }
  return [named, rest];
}

function isNamedBy(list: JsonValue[], mergeKey: string, value: JsonValue): boolean {
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    if (!isJsonObject(m)) throw smpErrors.notAMap(i);
    if (hasOwn(m, mergeKey) && m[mergeKey] === value) return true;
  }
  return false;
}

function requireMergeKeys(mergeKey: string, ...lists: JsonValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw smpErrors.badArgType(MAP_TYPE, item);
      if (!hasOwn(item, mergeKey)) throw smpErrors.noMergeKey(item, mergeKey);
    }
  }
}

/** Splits off the `$patch: delete` items, which always sort last. */
export function splitDeletions(list: JsonValue[]): [JsonObject[], JsonObject[]] {
  const keep: JsonObject[] = [];
  const deletions: JsonObject[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw smpErrors.badArgType(MAP_TYPE, v);
    (getOwn(v, PATCH_DIRECTIVE) === DELETE ? deletions : keep).push(v);
  }
  return [keep, deletions];
}

/**
 * Stable sort by position in `order`. Upstream's comparator calls an item that `order` lacks
 * "less" than anything; only Go's insertion sort (which it uses for short lists) gives that a
 * defined meaning, so such lists are sorted the same way.
 */
function sortByOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, isMap: boolean): JsonValue[] {
  const pos = positions(order, mergeKey, isMap);
  const at = items.map(pos);
  const idx = items.map((_, i) => i);
  if (at.every((p) => p >= 0)) return idx.sort((a, b) => at[a]! - at[b]!).map((i) => items[i]!);
  const less = (a: number, b: number) => (at[a]! >= 0 && at[b]! >= 0 ? at[a]! < at[b]! : true);
  for (let i = 1; i < idx.length; i++) {
    for (let j = i; j > 0 && less(idx[j]!, idx[j - 1]!); j--) [idx[j], idx[j - 1]] = [idx[j - 1]!, idx[j]!];
  }
  return idx.map((i) => items[i]!);
}

function normalizeSliceOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, isMap: boolean): JsonValue[] {
  if (!isMap) return sortByOrder(items, order, mergeKey, false);
  requireMergeKeys(mergeKey, items, order);
  const [keep, deletions] = splitDeletions(items);
  return [...sortByOrder(keep, order, mergeKey, true), ...deletions];
}

/** Interleaves the server-only run into the patch run, by server order where both are known. */
function interleave(serverOnly: JsonValue[], named: JsonValue[], serverOrder: JsonValue[], mergeKey: string, isMap: boolean): JsonValue[] {
  const pos = positions(serverOrder, mergeKey, isMap);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]!);
    else if (i >= serverOnly.length) out.push(named[j++]!);
    else {
      const li = pos(serverOnly[i]!);
      const ri = pos(named[j]!);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]!);
      else out.push(named[j++]!);
    }
  }
  return out;
}

export function normalizeElementOrder(named: JsonValue[], serverOnly: JsonValue[], patchOrder: JsonValue[], serverOrder: JsonValue[], mergeKey: string, isMap: boolean): JsonValue[] {
  const sortedNamed = normalizeSliceOrder(named, patchOrder, mergeKey, isMap);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, isMap);
  return interleave(sortedServer, sortedNamed, serverOrder, mergeKey, isMap);
}
