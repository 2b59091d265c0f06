/**
 * What changed between two values of a type, as sets of field paths (upstream's Compare):
 * leaves (scalars, atomic lists and maps, empty ones) are added, removed or modified; a granular
 * map or associative list that appears or disappears is itself added or removed as well as its
 * contents, which is where FieldsV1's "." entries come from. A null counts as present, so a map
 * replacing a null is not "added" as a whole.
 */
import { jsonEqual, type JsonValue } from "../../patch/json-value.ts";
import { FieldSet } from "../fieldpath/field-set.ts";
import { fieldElement, serializePathElement, type PathElement } from "../fieldpath/path-element.ts";
import { DEDUCED, shapeOf, type ListType, type MapType, type TypeNode } from "../schema/type-node.ts";
import { listItemElement } from "./list-items.ts";

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function emptyComparison(c: Comparison): boolean {
  return c.added.empty() && c.modified.empty() && c.removed.empty();
}

/** Compares `lhs` (before) with `rhs` (after); undefined stands for an absent value. */
export function compareValues(node: TypeNode, lhs: JsonValue | undefined, rhs: JsonValue | undefined): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  if (lhs !== undefined || rhs !== undefined) compare(node, lhs, rhs, [], out);
  return out;
}

type Value = JsonValue | undefined;

function compare(node: TypeNode, l: Value, r: Value, path: PathElement[], out: Comparison): void {
  // The shape to compare by: the new value's, else the old one's.
  const probe = r !== undefined && r !== null ? r : l !== undefined && l !== null ? l : null;
  const shape = shapeOf(probe);
  let leaf: boolean;
  if (shape === "list" && node.list) {
    leaf = compareList(node.list, sameShape(l, shape), sameShape(r, shape), l, r, path, out);
  } else if (shape === "map" && node.map) {
    leaf = compareMap(node.map, sameShape(l, shape), sameShape(r, shape), l, r, path, out);
  } else {
    compareLeaf(l, r, path, out);
    leaf = true;
  }
  if (leaf) return;
  // A value of another shape on the old side (untyped fields) changed as a whole.
  if (l !== undefined && l !== null && r !== undefined && r !== null && shapeOf(l) !== shapeOf(r)) out.modified.insert(path);
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
}

/** The value if it has the shape being compared; null, absent or another shape count as nothing. */
function sameShape(v: Value, shape: string): Value {
  return v !== undefined && v !== null && shapeOf(v) === shape ? v : undefined;
}

function compareLeaf(l: Value, r: Value, path: PathElement[], out: Comparison): void {
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
  else if (!jsonEqual(l, r)) out.modified.insert(path);
}

/** Returns whether the list was compared as a leaf. */
function compareList(list: ListType, lhs: Value, rhs: Value, l: Value, r: Value, path: PathElement[], out: Comparison): boolean {
  const left = (lhs as JsonValue[] | undefined) ?? [];
  const right = (rhs as JsonValue[] | undefined) ?? [];
  if (list.atomic || (left.length === 0 && right.length === 0)) {
    compareLeaf(l, r, path, out);
    return true;
  }
  const groups = new Map<string, { pe: PathElement; left: JsonValue[]; right: JsonValue[] }>();
  const group = (pe: PathElement) => {
    const key = serializePathElement(pe);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { pe, left: [], right: [] }));
    return g;
  };
  left.forEach((item, i) => group(listItemElement(list, item, path, i)).left.push(item));
  right.forEach((item, i) => group(listItemElement(list, item, path, i)).right.push(item));
  const element = list.element();
  for (const g of groups.values()) {
    path.push(g.pe);
    if (g.left.length <= 1 && g.right.length <= 1) {
      compare(element, g.left[0], g.right[0], path, out);
    } else if (g.left.length >= 2 && g.right.length >= 2) {
      // Duplicated on both sides: compared as a whole.
      if (!jsonEqual(g.left, g.right)) out.modified.insert(path);
    } else if (g.left.length >= 2) {
      if (g.right.length === 1) compare(element, undefined, g.right[0], path, out);
      out.removed.insert(path);
    } else {
      if (g.left.length === 1) compare(element, g.left[0], undefined, path, out);
      out.added.insert(path);
    }
    path.pop();
  }
  return false;
}

/** Returns whether the map was compared as a leaf. */
function compareMap(map: MapType, lhs: Value, rhs: Value, l: Value, r: Value, path: PathElement[], out: Comparison): boolean {
  const left = lhs as Record<string, JsonValue> | undefined;
  const right = rhs as Record<string, JsonValue> | undefined;
  const leftKeys = left ? Object.keys(left) : [];
  const rightKeys = right ? Object.keys(right) : [];
  if (map.atomic || (leftKeys.length === 0 && rightKeys.length === 0)) {
    compareLeaf(l, r, path, out);
    return true;
  }
  const visit = (key: string) => {
    path.push(fieldElement(key));
    compare(map.field(key) ?? map.element() ?? DEDUCED, left && Object.hasOwn(left, key) ? left[key] : undefined, right && Object.hasOwn(right, key) ? right[key] : undefined, path, out);
    path.pop();
  };
  for (const key of leftKeys) visit(key);
  for (const key of rightKeys) if (!left || !Object.hasOwn(left, key)) visit(key);
  return false;
}
