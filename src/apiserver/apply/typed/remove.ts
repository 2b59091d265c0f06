/**
 * A value without the given fields (upstream's RemoveItems): a path in the set removes that
 * field or list item entirely; paths below it remove only those parts. Maps and lists emptied
 * this way are dropped.
 */
import type { JsonValue } from "../../patch/json-value.ts";
import type { FieldSet } from "../fieldpath/field-set.ts";
import { fieldElement, type PathElement } from "../fieldpath/path-element.ts";
import { DEDUCED, listOf, mapOf, type TypeNode } from "../schema/type-node.ts";
import { listItemElement } from "./list-items.ts";

export function removeFields(node: TypeNode, value: JsonValue, remove: FieldSet): JsonValue | undefined {
  if (remove.empty()) return value;
  return walk(node, value, remove, []);
}

function walk(node: TypeNode, v: JsonValue, remove: FieldSet, path: PathElement[]): JsonValue | undefined {
  const list = listOf(node, v);
  if (list) {
    // Only its own path can remove an atomic list, and that is decided one level up.
    if (list.atomic) return v;
    const items = v as JsonValue[];
    const element = list.element();
    const out: JsonValue[] = [];
    items.forEach((item, i) => {
      const pe = listItemElement(list, item, path, i);
      if (remove.hasMember(pe)) return;
      const below = remove.withPrefix(pe);
      if (below.empty()) {
        out.push(item);
        return;
      }
      path.push(pe);
      const kept = walk(element, item, below, path);
      path.pop();
      if (kept !== undefined) out.push(kept);
    });
    return out.length > 0 ? out : undefined;
  }
  const map = mapOf(node, v);
  if (map) {
    if (map.atomic) return v;
    const obj = v as Record<string, JsonValue>;
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(obj)) {
      const pe = fieldElement(key);
      if (remove.hasMember(pe)) continue;
      const below = remove.withPrefix(pe);
      let kept: JsonValue | undefined = obj[key]!;
      if (!below.empty()) {
        path.push(pe);
        kept = walk(map.field(key) ?? map.element() ?? DEDUCED, kept, below, path);
        path.pop();
      }
      if (kept === undefined) continue;
      if (key === "__proto__") Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
      else out[key] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return v;
}
