/**
 * Whether a schema is structural (upstream's ValidateStructural): every node says its type,
 * allOf/anyOf/oneOf/not only restrict values (no types, defaults, extensions of their own) and
 * only talk about fields the structural part declares, metadata at the root says nothing but
 * name/generateName rules. Errors come sorted by their text, as upstream sorts them.
 */
import { fieldErrorMessage, type FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { compareGoStrings } from "./go-format.ts";
import { compileGoRegexp, RegexpError } from "./re2/index.ts";
import { schemaMapOf, schemasOf, str, type Structural } from "./structural.ts";
import { isObject, type JSONSchemaProps } from "./types.ts";

const enum Level {
  Root,
  Item,
  Field,
}

export function validateStructural(s: Structural, path: FieldPath): FieldError[] {
  const errs = [...invariants(s, Level.Root, path), ...completeness(s.raw, s, path, path)];
  return errs.sort((a, b) => compareGoStrings(fieldErrorMessage(a), fieldErrorMessage(b)));
}

/** A keyword counts as set the way Go's zero values do: "" / false / empty lists do not. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function invariants(s: Structural, lvl: Level, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type === "array" && !s.items) errs.push(field.required(path.child("items"), "must be specified"));
  if (s.items) errs.push(...invariants(s.items, Level.Item, path.child("items")));
  if (s.properties) for (const [k, p] of s.properties) errs.push(...invariants(p, Level.Field, path.child("properties").key(k)));
  if (s.additionalProperties) {
    if (lvl === Level.Root) errs.push(field.forbidden(path.child("additionalProperties"), "must not be used at the root"));
    if (s.additionalProperties.schema) errs.push(...invariants(s.additionalProperties.schema, Level.Field, path.child("additionalProperties")));
  }
  if (s.intOrString && s.preserveUnknownFields) {
    errs.push(field.invalid(path.child("x-kubernetes-preserve-unknown-fields"), true, "must be false if x-kubernetes-int-or-string is true"));
  }
  if (s.intOrString && s.embeddedResource) errs.push(field.invalid(path.child("x-kubernetes-embedded-resource"), true, "must be false if x-kubernetes-int-or-string is true"));
  errs.push(...valueValidation(s.raw, isIntOrStringAnyOf(s.raw), isIntOrStringAllOf(s.raw), lvl, path));
  const checkMetadata = lvl === Level.Root || s.embeddedResource;
  if (s.embeddedResource && s.type !== "object") {
    if (s.type === "") errs.push(field.required(path.child("type"), "must be object if x-kubernetes-embedded-resource is true"));
    else errs.push(field.invalid(path.child("type"), s.type, "must be object if x-kubernetes-embedded-resource is true"));
  } else if (s.type === "" && !s.intOrString && !s.preserveUnknownFields) {
    const where = lvl === Level.Root ? "at the root" : lvl === Level.Item ? "for specified array items" : "for specified object fields";
    errs.push(field.required(path.child("type"), `must not be empty ${where}`));
  }
  if (s.embeddedResource && s.additionalProperties) errs.push(field.forbidden(path.child("additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"));
  if (lvl === Level.Root && s.type !== "" && s.type !== "object") errs.push(field.invalid(path.child("type"), s.type, "must be object at the root"));
  for (const k of ["kind", "apiVersion"]) {
    const p = s.properties?.get(k);
    if (p && checkMetadata && p.type !== "string") errs.push(field.invalid(path.child("properties").key(k).child("type"), p.type, "must be string"));
  }
  const metadata = s.properties?.get("metadata");
  if (metadata) errs.push(...metadataInvariants(metadata, checkMetadata, lvl, path.child("properties").key("metadata")));
  if (s.embeddedResource && !s.preserveUnknownFields && !s.properties?.size) {
    errs.push(field.required(path.child("properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
  }
  return errs;
}

/** Keywords metadata at the root may carry: its type, and properties restricting only name and generateName. */
function metadataInvariants(s: Structural, checkMetadata: boolean, lvl: Level, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== "object") errs.push(field.invalid(path.child("type"), s.type, "must be object"));
  if (lvl === Level.Root) {
    const propNames = [...(s.properties?.keys() ?? [])];
    const onlyNames = propNames.every((k) => k === "name" || k === "generateName");
    const extra = Object.entries(s.raw).some(([k, v]) => {
      if (k === "properties") return propNames.length > 0 && !onlyNames;
      if (!STRUCTURAL_KEYWORDS.has(k) || k === "type" || k === "default") return false;
      // Go compares with a zero Structural: empty-but-present lists and strings still count.
      if (k === "required" || k === "x-kubernetes-list-map-keys" || k === "x-kubernetes-validations") return Array.isArray(v);
      if (k === "x-kubernetes-list-type" || k === "x-kubernetes-map-type") return typeof v === "string";
      if (k === "additionalProperties" || k === "items") return v !== undefined && v !== null;
      return isSet(v);
    });
    if (extra) errs.push(field.forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
  }
  return errs;
}

/** The keywords a Structural keeps (example, externalDocs and the like are not part of it). */
const STRUCTURAL_KEYWORDS = new Set([
  "description", "type", "nullable", "format", "title", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "enum", "maxProperties", "minProperties", "required", "items", "allOf", "oneOf",
  "anyOf", "not", "properties", "additionalProperties", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-validations",
]);

/** anyOf: [{type: integer}, {type: string}], the int-or-string shape structural schemas allow. */
function isIntOrStringAnyOf(s: JSONSchemaProps): boolean {
  const anyOf = schemasOf(s.anyOf);
  return anyOf.length === 2 && onlyType(anyOf[0]!, "integer") && onlyType(anyOf[1]!, "string");
}

function isIntOrStringAllOf(s: JSONSchemaProps): boolean {
  const allOf = schemasOf(s.allOf);
  return allOf.length >= 1 && isIntOrStringAnyOf(allOf[0]!);
}

function onlyType(s: JSONSchemaProps, type: string): boolean {
  return s.type === type && Object.entries(s).every(([k, v]) => k === "type" || !STRUCTURAL_KEYWORDS.has(k) || !isSet(v));
}

function valueValidation(s: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) schemasOf(s.anyOf).forEach((sub, i) => errs.push(...nested(sub, false, false, lvl, path.child("anyOf").index(i))));
  schemasOf(s.allOf).forEach((sub, i) => errs.push(...nested(sub, skipFirstAllOfAnyOf && i === 0, false, lvl, path.child("allOf").index(i))));
  schemasOf(s.oneOf).forEach((sub, i) => errs.push(...nested(sub, false, false, lvl, path.child("oneOf").index(i))));
  if (isObject(s.not)) errs.push(...nested(s.not, false, false, lvl, path.child("not")));
  const pattern = str(s.pattern);
  if (pattern) {
    try {
      compileGoRegexp(pattern);
    } catch (e) {
      if (!(e instanceof RegexpError)) throw e;
      errs.push(field.invalid(path.child("pattern"), pattern, `must be a valid regular expression, but isn't: ${e.message}`));
    }
  }
  return errs;
}

function nested(s: JSONSchemaProps, skipAnyOf: boolean, skipAllOfAnyOf: boolean, lvl: Level, path: FieldPath): FieldError[] {
  const errs = valueValidation(s, skipAnyOf, skipAllOfAnyOf, lvl, path);
  if (isObject(s.items)) errs.push(...nested(s.items, false, false, lvl, path.child("items")));
  for (const [k, p] of schemaMapOf(s.properties)) errs.push(...nested(p, false, false, Level.Field, path.child("properties").key(k)));
  if (str(s.type)) errs.push(field.forbidden(path.child("type"), "must be empty to be structural"));
  if (isObject(s.additionalProperties) || s.additionalProperties === true) errs.push(field.forbidden(path.child("additionalProperties"), "must be undefined to be structural"));
  if (s.default !== undefined && s.default !== null) errs.push(field.forbidden(path.child("default"), "must be undefined to be structural"));
  if (str(s.title)) errs.push(field.forbidden(path.child("title"), "must be empty to be structural"));
  if (str(s.description)) errs.push(field.forbidden(path.child("description"), "must be empty to be structural"));
  if (s.nullable === true) errs.push(field.forbidden(path.child("nullable"), "must be false to be structural"));
  if (s["x-kubernetes-preserve-unknown-fields"] === true) errs.push(field.forbidden(path.child("x-kubernetes-preserve-unknown-fields"), "must be false to be structural"));
  if (s["x-kubernetes-embedded-resource"] === true) errs.push(field.forbidden(path.child("x-kubernetes-embedded-resource"), "must be false to be structural"));
  if (s["x-kubernetes-int-or-string"] === true) errs.push(field.forbidden(path.child("x-kubernetes-int-or-string"), "must be false to be structural"));
  if (isSet(s["x-kubernetes-list-map-keys"])) errs.push(field.forbidden(path.child("x-kubernetes-list-map-keys"), "must be empty to be structural"));
  if (typeof s["x-kubernetes-list-type"] === "string") errs.push(field.forbidden(path.child("x-kubernetes-list-type"), "must be undefined to be structural"));
  if (typeof s["x-kubernetes-map-type"] === "string") errs.push(field.forbidden(path.child("x-kubernetes-map-type"), "must be undefined to be structural"));
  if (isSet(s["x-kubernetes-validations"])) errs.push(field.forbidden(path.child("x-kubernetes-validations"), "must be empty to be structural"));
  if (isObject(s.properties) && isObject(s.properties.metadata)) errs.push(field.forbidden(path.child("properties").key("metadata"), "must not be specified in a nested context"));
  return errs;
}

/** Value validations may only mention properties and items the structural part declares. */
function completeness(v: JSONSchemaProps, s: Structural | undefined, sPath: FieldPath, vPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const branches: Array<[JSONSchemaProps, FieldPath]> = [];
  if (isObject(v.not)) branches.push([v.not, vPath.child("not")]);
  schemasOf(v.allOf).forEach((b, i) => branches.push([b, vPath.child("allOf").index(i)]));
  schemasOf(v.anyOf).forEach((b, i) => branches.push([b, vPath.child("anyOf").index(i)]));
  schemasOf(v.oneOf).forEach((b, i) => branches.push([b, vPath.child("oneOf").index(i)]));
  if (branches.length && !s) return [field.required(sPath, `because it is defined in ${vPath}`)];
  for (const [b, p] of branches) errs.push(...nestedCompleteness(b, s!, sPath, p));
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps, s: Structural | undefined, sPath: FieldPath, vPath: FieldPath): FieldError[] {
  if (!s) return [field.required(sPath, `because it is defined in ${vPath}`)];
  const errs = completeness(v, s, sPath, vPath);
  if (isObject(v.items)) errs.push(...nestedCompleteness(v.items, s.items, sPath.child("items"), vPath.child("items")));
  for (const [k, p] of schemaMapOf(v.properties)) {
    const sp = s.properties?.get(k);
    const kPath = vPath.child("properties").key(k);
    if (!sp) errs.push(field.required(sPath.child("properties").key(k), `because it is defined in ${kPath}`));
    else errs.push(...nestedCompleteness(p, sp, sPath.child("properties").key(k), kPath));
  }
  return errs;
}
