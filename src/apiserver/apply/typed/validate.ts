/**
 * Checks an applied configuration against its type before anything is merged, as upstream does
 * when it turns the request into a typed value: scalars of the right kind, list-map items with
 * their keys and without duplicates, and no fields the schema does not declare. The first
 * problem is thrown as a TypedValueError.
 */
import type { JsonValue } from "../../patch/json-value.ts";
import { goTypeName, goValue } from "../../patch/go-format.ts";
import { fieldElement, pathElementString, serializePathElement, type PathElement } from "../fieldpath/path-element.ts";
import { listOf, mapOf, type TypeNode } from "../schema/type-node.ts";
import { listItemElement } from "./list-items.ts";
import { TypedValueError } from "./typed-error.ts";

export function validateApplied(node: TypeNode, value: JsonValue): void {
  walk(node, value, []);
}

function walk(node: TypeNode, v: JsonValue, path: PathElement[]): void {
  if (v === null) return;
  const list = listOf(node, v);
  if (list) {
    const items = v as JsonValue[];
    const seen = new Set<string>();
    const element = list.element();
    items.forEach((item, i) => {
      // Items of atomic lists are still checked, addressed by position.
      let pe: PathElement = { kind: "index", index: i };
      if (!list.atomic) {
        pe = listItemElement(list, item, path, i);
        const key = serializePathElement(pe);
        if (seen.has(key)) throw new TypedValueError(path, `duplicate entries for key ${pathElementString(pe)}`);
        seen.add(key);
      }
      path.push(pe);
      walk(element, item, path);
      path.pop();
    });
    return;
  }
  const map = mapOf(node, v);
  // Atomic maps are checked field by field all the same.
  if (map) {
    const obj = v as Record<string, JsonValue>;
    for (const key of Object.keys(obj)) {
      const child = map.field(key) ?? map.element();
      path.push(fieldElement(key));
      if (!child) throw new TypedValueError(path, "field not declared in schema");
      walk(child, obj[key]!, path);
      path.pop();
    }
    return;
  }
  checkScalar(node, v, path);
}

function checkScalar(node: TypeNode, v: JsonValue, path: PathElement[]): void {
  switch (node.scalar) {
    case "numeric":
      if (typeof v !== "number") throw new TypedValueError(path, `expected numeric (int or float), got ${goTypeName(v)}`);
      return;
    case "string":
      if (typeof v !== "string") throw new TypedValueError(path, `expected string, got ${goSharpValue(v)}`);
      return;
    case "boolean":
      if (typeof v !== "boolean") throw new TypedValueError(path, `expected boolean, got ${goValue(v)}`);
      return;
    case "untyped":
      return;
    case undefined:
      // A value of another shape where a map or a list belongs.
      throw new TypedValueError(path, `expected ${node.map ? "map" : "list"}, got ${goValue(v)}`);
  }
}

/** Go's %#v of a decoded JSON value, for the string check's message. */
function goSharpValue(v: JsonValue): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : goValue(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpValue).join(", ")}}`;
  if (v !== null && typeof v === "object") {
    const body = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goSharpValue(v[k]!)}`)
      .join(", ");
    return `map[string]interface {}{${body}}`;
  }
  return JSON.stringify(v);
}
