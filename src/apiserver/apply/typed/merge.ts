/**
 * Merges an applied configuration into the live object (upstream's Merge): the configuration
 * wins at every leaf; granular maps merge key by key; associative lists merge item by item,
 * the configuration's items in its order and live-only items kept where they were relative to
 * the shared ones. A map or list left empty by the merge is dropped.
 */
import type { JsonValue } from "../../patch/json-value.ts";
import { fieldElement, pathElementString, serializePathElement, type PathElement } from "../fieldpath/path-element.ts";
import { DEDUCED, shapeOf, type ListType, type MapType, type TypeNode } from "../schema/type-node.ts";
import { listItemElement } from "./list-items.ts";
import { TypedValueError } from "./typed-error.ts";

type Value = JsonValue | undefined;

/** `lhs` (live) with `rhs` (configuration) merged in; undefined when both are absent. */
export function mergeValues(node: TypeNode, lhs: Value, rhs: Value): Value {
  return merge(node, lhs, rhs, []);
}

function merge(node: TypeNode, l: Value, r: Value, path: PathElement[]): Value {
  const probe = r !== undefined && r !== null ? r : l !== undefined && l !== null ? l : null;
  const shape = shapeOf(probe);
  if (shape === "list" && node.list) return mergeList(node.list, l, r, path);
  if (shape === "map" && node.map) return mergeMap(node.map, l, r, path);
  return r !== undefined ? r : l;
}

const asList = (v: Value): JsonValue[] | undefined => (Array.isArray(v) ? v : undefined);
const asMap = (v: Value): Record<string, JsonValue> | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined);

function mergeMap(map: MapType, l: Value, r: Value, path: PathElement[]): Value {
  const left = asMap(l);
  const right = asMap(r);
  const leftKeys = left ? Object.keys(left) : [];
  const rightKeys = right ? Object.keys(right) : [];
  if (map.atomic || (leftKeys.length === 0 && rightKeys.length === 0)) return r !== undefined ? r : l;
  const out: Record<string, JsonValue> = {};
  const visit = (key: string) => {
    path.push(fieldElement(key));
    const merged = merge(map.field(key) ?? map.element() ?? DEDUCED, left && Object.hasOwn(left, key) ? left[key] : undefined, right && Object.hasOwn(right, key) ? right[key] : undefined, path);
    path.pop();
    if (merged === undefined) return;
    if (key === "__proto__") Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
    else out[key] = merged;
  };
  for (const key of leftKeys) visit(key);
  for (const key of rightKeys) if (!left || !Object.hasOwn(left, key)) visit(key);
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Indexed {
  elements: PathElement[];
  keys: string[];
  /** Item by element key; a key that occurs more than once maps to null. */
  byKey: Map<string, JsonValue>;
}

function index(list: ListType, items: JsonValue[], path: PathElement[], allowDuplicates: boolean): Indexed {
  const elements: PathElement[] = [];
  const keys: string[] = [];
  const byKey = new Map<string, JsonValue>();
  items.forEach((item, i) => {
    const pe = listItemElement(list, item, path, i);
    const key = serializePathElement(pe);
    if (byKey.has(key)) {
      if (!allowDuplicates) throw new TypedValueError(path, `duplicate entries for key ${pathElementString(pe)}`);
      byKey.set(key, null);
    } else byKey.set(key, item);
    elements.push(pe);
    keys.push(key);
  });
  return { elements, keys, byKey };
}

function mergeList(list: ListType, l: Value, r: Value, path: PathElement[]): Value {
  const left = asList(l) ?? [];
  const right = asList(r) ?? [];
  if (list.atomic || (left.length === 0 && right.length === 0)) return r !== undefined ? r : l;
  const rhs = index(list, right, path, false);
  const lhs = index(list, left, path, true);
  const element = list.element();
  const out: JsonValue[] = [];
  const emit = (pe: PathElement, lv: Value, rv: Value) => {
    path.push(pe);
    const merged = merge(element, lv, rv, path);
    path.pop();
    if (merged !== undefined) out.push(merged);
  };
  // Items both sides have, in the configuration's order: a live item waits for its turn.
  const shared = rhs.keys.filter((k) => lhs.byKey.has(k));
  let nextShared = 0;
  const emitted = new Set<string>();
  let li = 0;
  let ri = 0;
  while (li < lhs.keys.length || ri < rhs.keys.length) {
    if (li < lhs.keys.length && ri < rhs.keys.length) {
      const lk = lhs.keys[li]!;
      if (lk === rhs.keys[ri]) {
        emitted.add(lk);
        emit(lhs.elements[li]!, lhs.byKey.get(lk)!, rhs.byKey.get(lk)!);
        li++;
        ri++;
        nextShared++;
        continue;
      }
      if (rhs.byKey.has(lk) && nextShared < shared.length && shared[nextShared] !== lk) {
        li++;
        continue;
      }
    }
    if (li < lhs.keys.length) {
      const lk = lhs.keys[li]!;
      if (!rhs.byKey.has(lk)) {
        emit(lhs.elements[li]!, left[li]!, undefined);
        li++;
        continue;
      }
      if (emitted.has(lk)) li++;
    }
    if (ri < rhs.keys.length) {
      const rk = rhs.keys[ri]!;
      emitted.add(rk);
      emit(rhs.elements[ri]!, lhs.byKey.has(rk) ? lhs.byKey.get(rk)! : undefined, rhs.byKey.get(rk)!);
      ri++;
      if (nextShared < shared.length && shared[nextShared] === rk) nextShared++;
    }
  }
  return out.length > 0 ? out : undefined;
}
