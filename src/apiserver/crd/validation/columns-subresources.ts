/**
 * additionalPrinterColumns and the status/scale subresources (upstream's
 * ValidateCustomResourceColumnDefinition and ValidateCustomResourceDefinitionSubresources).
 * Both only ask for "simple" JSON paths: a leading dot is all upstream checks; anything
 * client-go's JSONPath then fails to parse is printed as an empty column.
 */
import type { FieldError } from "../../api/errors.ts";
import type { CustomResourceColumnDefinition, CustomResourceSubresources } from "../types.ts";
import { field, type FieldPath } from "../../validation/field.ts";

const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];
const COLUMN_FORMATS = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];

/** upstream's validateSimpleJSONPath. */
export function validateSimpleJsonPath(path: string, at: FieldPath | string): FieldError[] {
  if (path.length === 0) return [field.invalid(at, path, "must not be empty")];
  if (path[0] !== ".") return [field.invalid(at, path, "must be a simple json path starting with .")];
  return [];
}

export function validateColumn(col: CustomResourceColumnDefinition, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!col.name) errs.push(field.required(path.child("name"), ""));
  const typeList = `must be one of ${COLUMN_TYPES.join(",")}`;
  if (!col.type) errs.push(field.required(path.child("type"), typeList));
  else if (!COLUMN_TYPES.includes(col.type)) errs.push(field.invalid(path.child("type"), col.type, typeList));
  if (col.format && !COLUMN_FORMATS.includes(col.format)) errs.push(field.invalid(path.child("format"), col.format, `must be one of ${COLUMN_FORMATS.join(",")}`));
  // The internal type names the field JSONPath, and so do upstream's messages.
  if (!col.jsonPath) errs.push(field.required(path.child("JSONPath"), ""));
  else errs.push(...validateSimpleJsonPath(col.jsonPath, path.child("JSONPath")));
  return errs;
}

export function validateSubresources(subresources: CustomResourceSubresources | undefined, path: FieldPath): FieldError[] {
  const scale = subresources?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const under = (value: string | undefined, name: string, prefixes: string[], what: string) => {
    const at = path.child(`scale.${name}`);
    const syntax = validateSimpleJsonPath(value ?? "", at);
    if (syntax.length > 0) errs.push(...syntax);
    else if (!prefixes.some((p) => value!.startsWith(p))) errs.push(field.invalid(at, value, `should be a json path under ${what}`));
  };
  if (!scale.specReplicasPath) errs.push(field.required(path.child("scale.specReplicasPath"), ""));
  else under(scale.specReplicasPath, "specReplicasPath", [".spec."], ".spec");
  if (!scale.statusReplicasPath) errs.push(field.required(path.child("scale.statusReplicasPath"), ""));
  else under(scale.statusReplicasPath, "statusReplicasPath", [".status."], ".status");
  if (scale.labelSelectorPath) under(scale.labelSelectorPath, "labelSelectorPath", [".spec.", ".status."], "either .spec or .status");
  return errs;
}
