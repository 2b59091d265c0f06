/**
 * selectableFields: each a dotted path (no array notation) to a string, boolean or integer
 * field the version's schema declares, outside metadata, at most 8 distinct ones (upstream's
 * ValidateCustomResourceSelectableFields with CEL's ValidFieldPath).
 */
import type { FieldError } from "../../api/errors.ts";
import type { JSONSchemaProps, SelectableField } from "../types.ts";
import { field, type FieldPath } from "../../validation/field.ts";

export const MAX_SELECTABLE_FIELDS = 8;

/** The schema a path leads to, and the path as a field path; or why the path is invalid. */
export function resolveFieldPath(jsonPath: string, schema: JSONSchemaProps): { path: string[]; schema: JSONSchemaProps } | { error: string } {
  const tokens = jsonPath.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]]+/g) ?? [];
  const path: string[] = [];
  let cur: JSONSchemaProps | undefined = schema;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "[") return { error: "array notation is not allowed" };
    if (tok !== ".") return { error: `expected [ or . but got: ${tok}` };
    const name = tokens[++i];
    if (name === undefined) return { error: "unexpected end of JSON path" };
    if (!cur) return { error: "does not refer to a valid field" };
    if (cur.properties) {
      cur = Object.hasOwn(cur.properties, name) ? cur.properties[name] : undefined;
      if (!cur) return { error: "does not refer to a valid field" };
    } else if (cur.additionalProperties !== undefined && typeof cur.additionalProperties === "object") {
      cur = cur.additionalProperties;
    } else return { error: "does not refer to a valid field" };
    path.push(name);
  }
  return { path, schema: cur ?? {} };
}

export function validateSelectableFields(fields: readonly SelectableField[], schema: JSONSchemaProps, at: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const p = at.index(i).child("jsonPath");
    if (!f.jsonPath) {
      errs.push(field.required(p, ""));
      return;
    }
    const found = resolveFieldPath(f.jsonPath, schema);
    if ("error" in found) {
      errs.push(field.invalid(p, f.jsonPath, `is an invalid path: ${found.error}`));
      return;
    }
    if (found.path[0] === "metadata") errs.push(field.invalid(p, f.jsonPath, "must not point to fields in metadata"));
    if (!["string", "boolean", "integer"].includes(found.schema.type ?? "")) {
      errs.push(field.invalid(p, f.jsonPath, "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed."));
    }
    const key = found.path.join(".");
    if (seen.has(key)) errs.push(field.duplicate(p, f.jsonPath));
    else seen.add(key);
  });
  if (seen.size > MAX_SELECTABLE_FIELDS) errs.push(field.tooMany(at, seen.size, MAX_SELECTABLE_FIELDS));
  return errs;
}
