/**
 * The fields a value sets, as server-side apply counts them (upstream's ToFieldSet): every
 * scalar, atomic list or map, empty map and null is a leaf; granular maps contribute their keys
 * (keys that are not declared fields are owned as a whole too); associative lists contribute
 * each item, owned as a whole and field by field. Items that appear twice are owned only as a
 * whole, never looked into.
 */
import { isJsonObject, type JsonValue } from "../../patch/json-value.ts";
import { FieldSet } from "../fieldpath/field-set.ts";
import { fieldElement, serializePathElement, type PathElement } from "../fieldpath/path-element.ts";
import { DEDUCED, listOf, mapOf, type TypeNode } from "../schema/type-node.ts";
import { listItemElement } from "./list-items.ts";

export function toFieldSet(node: TypeNode, value: JsonValue): FieldSet {
  const set = new FieldSet();
  walk(node, value, [], set);
  return set;
}

function walk(node: TypeNode, v: JsonValue, path: PathElement[], set: FieldSet): void {
  const list = listOf(node, v);
  if (list) {
    if (list.atomic) return set.insert(path);
    const items = v as JsonValue[];
    const elements = items.map((item, i) => listItemElement(list, item, path, i));
    const seen = new Set<string>();
    const duplicated = new Set<string>();
    for (const pe of elements) {
      const key = serializePathElement(pe);
      if (seen.has(key) && !duplicated.has(key)) {
        duplicated.add(key);
        path.push(pe);
        set.insert(path);
        path.pop();
      }
      seen.add(key);
    }
    const element = list.element();
    elements.forEach((pe, i) => {
      if (duplicated.size > 0 && duplicated.has(serializePathElement(pe))) return;
      path.push(pe);
      walk(element, items[i]!, path, set);
      set.insert(path);
      path.pop();
    });
    return;
  }
  const map = mapOf(node, v);
  if (map) {
    if (map.atomic) return set.insert(path);
    const obj = v as Record<string, JsonValue>;
    for (const key of Object.keys(obj)) {
      const declared = map.field(key);
      const child = obj[key]!;
      path.push(fieldElement(key));
      walk(declared ?? map.element() ?? DEDUCED, child, path, set);
      if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !declared) set.insert(path);
      path.pop();
    }
    return;
  }
  set.insert(path);
}
