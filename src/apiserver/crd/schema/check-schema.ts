/**
 * Validation of one CRD version's openAPIV3Schema, as apiextensions'
 * validateCustomResourceDefinitionValidation runs it for v1 CRDs (structural schemas, pruned
 * and valid defaults, list/map extension rules, compiled CEL rules). Paths are under `path`,
 * the schema's own path (e.g. spec.versions[0].schema.openAPIV3Schema).
 */
import { GoFormattedValue, type FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { validateDefaults } from "./check-defaults.ts";
import { checkOpenAPISchema, costErrorMessage, ESTIMATED_CRD_COST_LIMIT } from "./check-openapi.ts";
import { validateStructural } from "./check-structural.ts";
import { newStructural, type Structural } from "./structural.ts";
import type { JSONSchemaProps } from "./types.ts";

export interface CheckSchemaOptions {
  /** The version serves a status subresource: the root may only use keywords that survive extracting properties.status. */
  hasStatusSubresource: boolean;
  /** Accepted for the lifecycle's convenience; upstream checks scale paths apart from the schema. */
  hasScaleSubresource?: boolean;
}

/** JSONSchemaProps fields in Go's declaration order, with the JSON key and whether a root status schema may use it. */
const ROOT_FIELDS: Array<[string, string, boolean]> = [
  ["ID", "id", false],
  ["Schema", "$schema", false],
  ["Ref", "$ref", false],
  ["Description", "description", true],
  ["Type", "type", true],
  ["Nullable", "nullable", false],
  ["Format", "format", true],
  ["Title", "title", true],
  ["Default", "default", false],
  ["Maximum", "maximum", true],
  ["ExclusiveMaximum", "exclusiveMaximum", true],
  ["Minimum", "minimum", true],
  ["ExclusiveMinimum", "exclusiveMinimum", true],
  ["MaxLength", "maxLength", true],
  ["MinLength", "minLength", true],
  ["Pattern", "pattern", true],
  ["MaxItems", "maxItems", true],
  ["MinItems", "minItems", true],
  ["UniqueItems", "uniqueItems", true],
  ["MultipleOf", "multipleOf", true],
  ["Enum", "enum", false],
  ["MaxProperties", "maxProperties", false],
  ["MinProperties", "minProperties", false],
  ["Required", "required", true],
  ["Items", "items", true],
  ["AllOf", "allOf", false],
  ["OneOf", "oneOf", false],
  ["AnyOf", "anyOf", false],
  ["Not", "not", false],
  ["Properties", "properties", true],
  ["AdditionalProperties", "additionalProperties", false],
  ["PatternProperties", "patternProperties", false],
  ["Dependencies", "dependencies", false],
  ["AdditionalItems", "additionalItems", false],
  ["Definitions", "definitions", false],
  ["ExternalDocs", "externalDocs", true],
  ["Example", "example", true],
  ["XPreserveUnknownFields", "x-kubernetes-preserve-unknown-fields", true],
  ["XEmbeddedResource", "x-kubernetes-embedded-resource", false],
  ["XIntOrString", "x-kubernetes-int-or-string", false],
  ["XListMapKeys", "x-kubernetes-list-map-keys", false],
  ["XListType", "x-kubernetes-list-type", false],
  ["XMapType", "x-kubernetes-map-type", false],
  ["XValidations", "x-kubernetes-validations", true],
];

const ALLOWED_AT_ROOT = ROOT_FIELDS.filter((f) => f[2]).map((f) => f[0]);

/** Whether a keyword is set the way Go's zero-value test sees it (false, "" and null are unset; [] is set). */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== "";
}

function statusRootErrors(s: JSONSchemaProps, path: FieldPath): FieldError[] {
  for (const [name, key, allowed] of ROOT_FIELDS) {
    const v = s[key];
    if (!isSet(v)) continue;
    if (name === "Type") {
      if (v !== "object") return [field.invalid(path.child("type"), v, `only "object" is allowed as the type at the root of the schema if the status subresource is enabled`)];
      continue;
    }
    if (!allowed) {
      return [field.invalid(path, new GoFormattedValue(JSON.stringify(s), s), `only [${ALLOWED_AT_ROOT.join(" ")}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

export function checkSchema(schema: JSONSchemaProps, path: FieldPath, opts: CheckSchemaOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (opts.hasStatusSubresource) errs.push(...statusRootErrors(schema, path));
  if (schema.nullable === true) errs.push(field.forbidden(path.child("nullable"), "nullable cannot be true at the root"));
  let initErrors: FieldError[] = [];
  let celRoot: Structural | undefined;
  const st = newStructural(schema);
  if (!st.ok) initErrors = [field.invalid(path, "", st.error)];
  else {
    const structural = validateStructural(st.schema, path);
    if (structural.length) errs.push(...structural);
    else {
      const defaults = validateDefaults(st.schema, path);
      if (defaults.length) errs.push(...defaults);
      else celRoot = st.schema;
    }
  }
  const openapi = checkOpenAPISchema(schema, path, celRoot);
  errs.push(...openapi.schemaErrors, ...openapi.celErrors);
  // NewStructural's refusals repeat what the keyword checks say; upstream shows them only alone.
  if (errs.length === 0) errs.push(...initErrors);
  if (openapi.totalCost > ESTIMATED_CRD_COST_LIMIT) {
    for (const r of openapi.mostExpensive) errs.push(field.forbidden(r.path, "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"));
    errs.push(field.forbidden(path, costErrorMessage("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", openapi.totalCost, ESTIMATED_CRD_COST_LIMIT)));
  }
  return errs;
}
