/**
 * One step of a field path: a struct or map field (`f:name`), an item of a list map by its key
 * fields (`k:{"name":"web"}`), an item of a set by its value (`v:"a"`), or a position in a list
 * (`i:0`). Each element has a canonical serialized form, the key it takes in FieldsV1; equal
 * elements serialize identically, so sets index elements by that string.
 */
import type { JsonValue } from "../../patch/json-value.ts";
import { compareJson, compareStrings, goJson, goJsonString, pathValueString } from "./json-order.ts";

export interface KeyField {
  name: string;
  value: JsonValue;
}

/** `id` caches the serialized form: elements are compared and indexed by it constantly. */
export type PathElement = (
  | { kind: "field"; name: string }
  | { kind: "key"; fields: readonly KeyField[] }
  | { kind: "value"; value: JsonValue }
  | { kind: "index"; index: number }
) & { id?: string };

export type Path = readonly PathElement[];

export const fieldElement = (name: string): PathElement => ({ kind: "field", name });

/** A key element; fields are sorted by name, as upstream keys are. */
export function keyElement(fields: KeyField[]): PathElement {
  return { kind: "key", fields: [...fields].sort((a, b) => compareStrings(a.name, b.name)) };
}

/** A path from field names (tests, fixed paths such as metadata.name). */
export function fieldPath(...names: string[]): Path {
  return names.map(fieldElement);
}

const KIND_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Upstream's order: fields, then keys, then values, then indices; within a kind by content. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] < KIND_ORDER[b.kind] ? -1 : 1;
  switch (a.kind) {
    case "field":
      return compareStrings(a.name, (b as typeof a).name);
    case "key": {
      const x = a.fields;
      const y = (b as typeof a).fields;
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareStrings(x[i]!.name, y[i]!.name) || compareJson(x[i]!.value, y[i]!.value);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case "value":
      return compareJson(a.value, (b as typeof a).value);
    case "index": {
      const j = (b as typeof a).index;
      return a.index < j ? -1 : a.index > j ? 1 : 0;
    }
  }
}

/** The FieldsV1 key of an element. Field names are written raw, as upstream does. */
export function serializePathElement(pe: PathElement): string {
  return (pe.id ??= serialize(pe));
}

function serialize(pe: PathElement): string {
  switch (pe.kind) {
    case "field":
      return `f:${pe.name}`;
    case "key":
      return `k:{${pe.fields.map((f) => `${goJsonString(f.name)}:${goJson(f.value)}`).join(",")}}`;
    case "value":
      return `v:${goJson(pe.value)}`;
    case "index":
      return `i:${pe.index}`;
  }
}

export class PathElementSyntaxError extends Error {}

/**
 * Parses a FieldsV1 key. Returns undefined for a kind this version does not know (upstream
 * skips those, so newer servers' entries survive); throws PathElementSyntaxError for bad syntax.
 */
export function parsePathElement(text: string): PathElement | undefined {
  if (text.length < 2 || text[1] !== ":") throw new PathElementSyntaxError(`invalid path element: ${JSON.stringify(text)}`);
  const rest = text.slice(2);
  switch (text[0]) {
    case "f":
      return { kind: "field", name: rest };
    case "v":
      return { kind: "value", value: parseJson(rest) };
    case "k": {
      const obj = parseJson(rest);
      if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new PathElementSyntaxError(`key path element is not an object: ${rest}`);
      return keyElement(Object.keys(obj).map((name) => ({ name, value: obj[name]! })));
    }
    case "i": {
      if (!/^-?\d+$/.test(rest)) throw new PathElementSyntaxError(`invalid index: ${rest}`);
      return { kind: "index", index: Number(rest) };
    }
    default:
      return undefined;
  }
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new PathElementSyntaxError((err as Error).message);
  }
}

/** How an element prints in a path: `.name`, `[name="web",port=80]`, `[=value]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.kind) {
    case "field":
      return `.${pe.name}`;
    case "key":
      return `[${pe.fields.map((f) => `${f.name}=${pathValueString(f.value)}`).join(",")}]`;
    case "value":
      return `[=${pathValueString(pe.value)}]`;
    case "index":
      return `[${pe.index}]`;
  }
}

export function pathString(path: Path): string {
  return path.map(pathElementString).join("");
}
