/**
 * x-kubernetes-list-type invariants (upstream's listtype.ValidateListSetsAndMaps): items of a
 * `set` list are unique, items of a `map` list are objects with unique key fields. Each repeat
 * is reported once, at its first repeated index, as "Duplicate value".
 */
import type { FieldError } from "../../api/errors.ts";
import { FieldPath, field } from "../../validation/field.ts";
import { badValue, compareGoStrings } from "./go-format.ts";
import type { Structural } from "./structural.ts";
import { hasKey, isObject, type JsonObject } from "./types.ts";

type Path = FieldPath | undefined;

const child = (p: Path, name: string): FieldPath => (p ? p.child(name) : FieldPath.root(name));
const key = (p: Path, k: string): FieldPath => (p ? p.key(k) : FieldPath.root("").key(k));
const index = (p: Path, i: number): FieldPath => (p ? p.index(i) : FieldPath.root("").index(i));

export function validateListTypes(obj: unknown, s: Structural | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (isObject(obj)) walkMap(undefined, s, obj, errs);
  return errs;
}

function walkMap(path: Path, s: Structural | undefined, obj: JsonObject, errs: FieldError[]): void {
  if (!s) return;
  const ap = s.additionalProperties?.schema;
  if (ap) for (const k of Object.keys(obj)) walkValue(key(path, k), ap, obj[k], errs);
  if (s.properties) {
    for (const k of Object.keys(obj)) {
      const sub = s.properties.get(k);
      if (sub) walkValue(child(path, k), sub, obj[k], errs);
    }
  }
}

function walkValue(path: FieldPath, s: Structural, v: unknown, errs: FieldError[]): void {
  if (Array.isArray(v)) walkArray(path, s, v, errs);
  else if (isObject(v)) walkMap(path, s, v, errs);
}

function walkArray(path: FieldPath, s: Structural, list: unknown[], errs: FieldError[]): void {
  if (s.listType === "set") {
    for (const i of repeats(list.map(identity))) errs.push(field.duplicate(index(path, i), badValue(list[i])));
  } else if (s.listType === "map") {
    errs.push(...validateMapList(path, s, list));
  }
  if (s.items) list.forEach((item, i) => walkValue(index(path, i), s.items!, item, errs));
}

/** A value's identity for uniqueness: scalars by Go type and value, compounds by sorted-key JSON. */
export function identity(v: unknown): string {
  if (v === null || v === undefined) return "n:";
  switch (typeof v) {
    case "boolean":
      return `b:${v}`;
    case "number":
      return Number.isInteger(v) ? `i:${v}` : `f:${v}`;
    case "string":
      return `s:${v}`;
  }
  return `c:${canonicalJSON(v)}`;
}

export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(",")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Indices where a value is seen for the second time (later repeats are not reported again). */
function repeats(ids: string[]): number[] {
  if (ids.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  ids.forEach((id, i) => {
    const n = seen.get(id) ?? 0;
    if (n === 1) out.push(i);
    seen.set(id, n + 1);
  });
  return out;
}

const UNSPECIFIED = Symbol("unspecified");

function validateMapList(path: FieldPath, s: Structural, list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObject(x)) return [field.invalid(index(path, i), badValue(x), "must be an object for an array of list-type map")];
  }
  if (list.length <= 1) return [];
  const keyFields = s.listMapKeys ?? [];
  if (keyFields.length === 1) {
    const kf = keyFields[0]!;
    const keys = list.map((x) => (isObject(x) && hasKey(x, kf) ? x[kf] : UNSPECIFIED));
    return repeats(keys.map((k) => (k === UNSPECIFIED ? "u:" : identity(k)))).map((i) =>
      field.duplicate(index(path, i), badValue(keys[i] === UNSPECIFIED ? {} : { [kf]: keys[i] })),
    );
  }
  const keys = list.map((x) => {
    const k: JsonObject = {};
    if (isObject(x)) for (const f of keyFields) if (hasKey(x, f)) k[f] = x[f];
    return k;
  });
  return repeats(keys.map(identity)).map((i) => field.duplicate(index(path, i), badValue(keys[i])));
}
