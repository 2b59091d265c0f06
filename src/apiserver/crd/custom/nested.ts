/**
 * unstructured.NestedInt64 / NestedString over a decoded object: a missing field is not an
 * error, a field of the wrong type is, worded as apimachinery words it (the scale subresource's
 * checks quote these messages).
 */
import type { JsonValue } from "../../patch/json-value.ts";
import { goTypeName, goValue } from "../../patch/go-format.ts";

type Found<T> = { value: T; found: boolean } | { error: string };

const dotted = (fields: readonly string[]) => `.${fields.join(".")}`;
/** %T: a nil interface prints as <nil>. */
const typeName = (v: JsonValue) => (v === null ? "<nil>" : goTypeName(v));

function nestedField(obj: unknown, fields: readonly string[]): Found<JsonValue | undefined> {
  let cur: unknown = obj;
  for (let i = 0; i < fields.length; i++) {
    if (cur === null) return { value: undefined, found: false };
    if (typeof cur !== "object" || Array.isArray(cur)) {
      return { error: `${dotted(fields.slice(0, i + 1))} accessor error: ${goValue(cur as JsonValue)} is of the type ${typeName(cur as JsonValue)}, expected map[string]interface{}` };
    }
    const map = cur as Record<string, unknown>;
    if (!Object.hasOwn(map, fields[i]!)) return { value: undefined, found: false };
    cur = map[fields[i]!];
  }
  return { value: cur as JsonValue, found: true };
}

/** A path as the scale subresource names it (".spec.replicas"), as fields. */
export function pathFields(path: string): string[] {
  return path.replace(/^\./, "").split(".");
}

export function nestedInt64(obj: unknown, fields: readonly string[]): Found<number> {
  const f = nestedField(obj, fields);
  if ("error" in f) return f;
  if (!f.found) return { value: 0, found: false };
  const v = f.value!;
  // Upstream's JSON decoding gives int64 for integral numbers only.
  if (typeof v !== "number" || !Number.isInteger(v)) return { error: `${dotted(fields)} accessor error: ${goValue(v)} is of the type ${typeName(v)}, expected int64` };
  return { value: v, found: true };
}

export function nestedString(obj: unknown, fields: readonly string[]): Found<string> {
  const f = nestedField(obj, fields);
  if ("error" in f) return f;
  if (!f.found) return { value: "", found: false };
  const v = f.value!;
  if (typeof v !== "string") return { error: `${dotted(fields)} accessor error: ${goValue(v)} is of the type ${typeName(v)}, expected string` };
  return { value: v, found: true };
}
