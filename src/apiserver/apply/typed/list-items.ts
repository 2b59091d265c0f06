/**
 * Which path element names an item of an associative list: for a list map, its key fields
 * (with schema defaults for keys it leaves out); for a set, its value.
 */
import { isJsonObject, type JsonValue } from "../../patch/json-value.ts";
import { keyElement, type KeyField, type Path, type PathElement } from "../fieldpath/path-element.ts";
import type { ListType } from "../schema/type-node.ts";
import { TypedValueError } from "./typed-error.ts";

export function listItemElement(list: ListType, item: JsonValue, path: Path, index: number): PathElement {
  const fail = (detail: string) => new TypedValueError(path, `element ${index}: ${detail}`);
  if (list.keys.length > 0) {
    if (item === null) throw fail("associative list with keys may not have a null element");
    if (!isJsonObject(item)) throw fail("associative list with keys may not have non-map elements");
    const fields: KeyField[] = [];
    for (const name of list.keys) {
      if (Object.hasOwn(item, name)) {
        fields.push({ name, value: item[name]! });
        continue;
      }
      const fallback = list.keyDefault(name);
      if (fallback === undefined || fallback === null) throw fail(`associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)`);
      fields.push({ name, value: fallback });
    }
    return keyElement(fields);
  }
  if (item === null) throw fail("associative list without keys has an element that's an explicit null");
  if (Array.isArray(item)) throw fail("not supported: associative list with lists as elements");
  if (typeof item === "object") throw fail("associative list without keys has an element that's a map type");
  return { kind: "value", value: item };
}
