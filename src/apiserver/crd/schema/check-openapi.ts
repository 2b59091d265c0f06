/**
 * The keyword checks apiextensions applies to every node of an openAPIV3Schema
 * (ValidateCustomResourceDefinitionOpenAPISchema): unsupported keywords, defaults where they
 * may not be, list and map type extensions, x-kubernetes-validations well-formedness, and the
 * compilation of CEL rules (only where the schema around them has no errors). Schema errors
 * come before CEL errors, as upstream orders them.
 */
import { GoFormattedValue, type FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { compileRules } from "./cel-rules.ts";
import { declType, newSelfTypeName } from "./cel/index.ts";
import { MAX_REQUEST_BYTES } from "./cel/decl.ts";
import { goQuote } from "../../validation/go-quote.ts";
import { validFieldPath } from "./rule-field-path.ts";
import { escapeName } from "./cel/decl.ts";
import { newStructural, schemaMapOf, schemasOf, str, validationsOf, type Structural } from "./structural.ts";
import { isObject, type JSONSchemaProps, type ValidationRule } from "./types.ts";

const OPENAPI_V3_TYPES = ["array", "boolean", "integer", "number", "object", "string"];
const META_FIELDS = new Set(["metadata", "kind", "apiVersion"]);
const SUPPORTED_REASONS = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"];

/** The per-node state upstream's specStandardValidatorV3 carries down the tree. */
interface Context {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
  /** Where oldSelf stops being usable (set lists, atomic lists, odd map types), if above this node. */
  uncorrelatablePath?: FieldPath;
}

export interface SchemaCheck {
  schemaErrors: FieldError[];
  celErrors: FieldError[];
  /** Estimated cost of all rules, and the most expensive rules (top 4, each at least 1% of the CRD limit). */
  totalCost: number;
  mostExpensive: Array<{ path: FieldPath; cost: number }>;
}

/** StaticEstimatedCostLimit and StaticEstimatedCRDCostLimit. */
export const ESTIMATED_COST_LIMIT = 10_000_000;
export const ESTIMATED_CRD_COST_LIMIT = 100_000_000;

/** upstream's getCostErrorMessage. */
export function costErrorMessage(what: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const text = factor > 100 ? "more than 100x" : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${what} exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

function observeCost(out: SchemaCheck, path: FieldPath, cost: number): void {
  out.totalCost = Math.min(out.totalCost + cost, 1.8446744073709552e19);
  if (cost < ESTIMATED_CRD_COST_LIMIT / 100) return;
  out.mostExpensive.push({ path, cost });
  out.mostExpensive.sort((a, b) => b.cost - a.cost);
  if (out.mostExpensive.length > 4) out.mostExpensive.length = 4;
}

/** How many times a node can occur in one object (upstream's MaxCardinality); undefined when unbounded. */
type Cardinality = number | undefined;

/** extractMaxElements: the factor a node multiplies its children's cardinality by. */
function childCardinality(parent: Cardinality, s: JSONSchemaProps): Cardinality {
  if (parent === undefined) return undefined;
  let factor: number | undefined = 1;
  if (s.type === "object" && s.additionalProperties !== undefined && s.additionalProperties !== null) factor = typeof s.maxProperties === "number" ? Math.max(0, s.maxProperties) : undefined;
  else if (s.type === "array") factor = typeof s.maxItems === "number" ? Math.max(0, s.maxItems) : undefined;
  return factor === undefined ? undefined : Math.min(parent * factor, 1.8446744073709552e19);
}

/** `structural` is the node's structural view when CEL rules can be compiled (the schema is structural and its defaults valid). */
export function checkOpenAPISchema(s: JSONSchemaProps, path: FieldPath, structural: Structural | undefined): SchemaCheck {
  const out: SchemaCheck = { schemaErrors: [], celErrors: [], totalCost: 0, mostExpensive: [] };
  visit(s, path, { allowDefaults: true, disallowDefaultsReason: "", insideResourceMeta: false }, true, structural, structural ? declType(structural, true, newSelfTypeName()) : undefined, 1, out);
  return out;
}

type CelTypeOf = ReturnType<typeof declType>;

function withForbiddenDefaults(c: Context, reason: string): Context {
  return { ...c, allowDefaults: false, disallowDefaultsReason: reason };
}

function withForbidOldSelf(c: Context, path: FieldPath): Context {
  return c.uncorrelatablePath ? c : { ...c, uncorrelatablePath: path };
}

function standardChecks(s: JSONSchemaProps, path: FieldPath, c: Context): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s.type);
  if (type && !OPENAPI_V3_TYPES.includes(type)) errs.push(field.notSupported(path.child("type"), type, OPENAPI_V3_TYPES));
  if (s.default !== undefined && !c.allowDefaults) {
    errs.push(field.forbidden(path.child("default"), `must not be set${c.disallowDefaultsReason ? ` ${c.disallowDefaultsReason}` : ""}`));
  }
  if (str(s.id)) errs.push(field.forbidden(path.child("id"), "id is not supported"));
  if (s.additionalItems !== undefined && s.additionalItems !== null) errs.push(field.forbidden(path.child("additionalItems"), "additionalItems is not supported"));
  if (schemaMapOf(s.patternProperties).length) errs.push(field.forbidden(path.child("patternProperties"), "patternProperties is not supported"));
  if (schemaMapOf(s.definitions).length) errs.push(field.forbidden(path.child("definitions"), "definitions is not supported"));
  if (isObject(s.dependencies)) errs.push(field.forbidden(path.child("dependencies"), "dependencies is not supported"));
  if (typeof s.$ref === "string") errs.push(field.forbidden(path.child("$ref"), "$ref is not supported"));
  if (type === "null") errs.push(field.forbidden(path.child("type"), "type cannot be set to null, use nullable as an alternative"));
  if (Array.isArray(s.items) && s.items.length) errs.push(field.forbidden(path.child("items"), "items must be a schema object and not an array"));
  if (c.insideResourceMeta && s["x-kubernetes-embedded-resource"] === true) {
    errs.push(field.forbidden(path.child("x-kubernetes-embedded-resource"), "must not be used inside of resource meta"));
  }
  return errs;
}

function visit(s: JSONSchemaProps, path: FieldPath, c: Context, isRoot: boolean, st: Structural | undefined, celType: CelTypeOf, card: Cardinality, out: SchemaCheck): void {
  const childCard = childCardinality(card, s);
  const schemaErrsBefore = out.schemaErrors.length;
  const errs = out.schemaErrors;
  errs.push(...standardChecks(s, path, c));
  if (s.uniqueItems === true) errs.push(field.forbidden(path.child("uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  const props = schemaMapOf(s.properties);
  const ap = s.additionalProperties;
  if (ap !== undefined && ap !== null) {
    if (props.length && (ap === false || isObject(ap))) errs.push(field.forbidden(path.child("additionalProperties"), "additionalProperties and properties are mutual exclusive"));
    if (isObject(ap)) {
      const sub = c.insideResourceMeta ? withForbiddenDefaults(c, "inside additionalProperties applying to object metadata") : c;
      const elem = celType?.kind === "map" ? celType.value : undefined;
      visit(ap, path.child("additionalProperties"), sub, false, st?.additionalProperties?.schema, elem, childCard, out);
    }
  }
  const mapType = s["x-kubernetes-map-type"];
  for (const [name, prop] of props) {
    let sub = c;
    if (mapType !== undefined && mapType !== "granular" && mapType !== "atomic") sub = withForbidOldSelf(sub, path);
    if ((isRoot || s["x-kubernetes-embedded-resource"] === true) && META_FIELDS.has(name)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = withForbiddenDefaults(sub, `in top-level ${name}`);
    }
    const propSt = st?.properties?.get(name);
    visit(prop, path.child("properties").key(name), sub, false, propSt, fieldCelType(celType, name, propSt), childCard, out);
  }
  // Value-validation branches never compile CEL rules.
  if (isObject(s.not)) visit(s.not, path.child("not"), c, false, undefined, undefined, undefined, out);
  schemasOf(s.allOf).forEach((x, i) => visit(x, path.child("allOf").index(i), c, false, undefined, undefined, undefined, out));
  schemasOf(s.oneOf).forEach((x, i) => visit(x, path.child("oneOf").index(i), c, false, undefined, undefined, undefined, out));
  schemasOf(s.anyOf).forEach((x, i) => visit(x, path.child("anyOf").index(i), c, false, undefined, undefined, undefined, out));
  for (const [k, d] of schemaMapOf(s.definitions)) visit(d, path.child("definitions").key(k), c, false, undefined, undefined, undefined, out);
  const listType = s["x-kubernetes-list-type"];
  if (s.items !== undefined && s.items !== null) {
    const sub = listType !== "map" ? withForbidOldSelf(c, path) : c;
    const elem = celType?.kind === "list" ? celType.elem : undefined;
    if (isObject(s.items)) visit(s.items, path.child("items"), sub, false, st?.items, elem, childCard, out);
    else if (Array.isArray(s.items)) schemasOf(s.items).forEach((x, i) => visit(x, path.child("items").index(i), sub, false, undefined, undefined, undefined, out));
  }
  if (isObject(s.dependencies)) {
    for (const [k, d] of Object.entries(s.dependencies)) if (isObject(d)) visit(d as JSONSchemaProps, path.child("dependencies").key(k), c, false, undefined, undefined, undefined, out);
  }
  extensionChecks(s, path, errs);
  ruleChecks(s, path, errs);
  const rules = validationsOf(s);
  if (rules.length && out.schemaErrors.length === schemaErrsBefore && st) {
    out.celErrors.push(...compileChecks(rules, path, c, st, celType, card, out));
  }
}

function fieldCelType(parent: CelTypeOf, name: string, st: Structural | undefined): CelTypeOf {
  const escaped = escapeName(name);
  if (escaped !== undefined) return parent?.kind === "object" ? parent.fields.get(escaped) : undefined;
  return st ? declType(st, st.embeddedResource, newSelfTypeName()) : undefined;
}

function extensionChecks(s: JSONSchemaProps, path: FieldPath, errs: FieldError[]): void {
  const type = str(s.type);
  if (s["x-kubernetes-preserve-unknown-fields"] === false) errs.push(field.invalid(path.child("x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"));
  const mapType = s["x-kubernetes-map-type"];
  if (typeof mapType === "string" && type !== "object") {
    if (!type) errs.push(field.required(path.child("type"), "must be object if x-kubernetes-map-type is specified"));
    else errs.push(field.invalid(path.child("type"), type, "must be object if x-kubernetes-map-type is specified"));
  }
  if (typeof mapType === "string" && mapType !== "atomic" && mapType !== "granular") errs.push(field.notSupported(path.child("x-kubernetes-map-type"), mapType, ["atomic", "granular"]));
  const listType = s["x-kubernetes-list-type"];
  const items = isObject(s.items) ? (s.items as JSONSchemaProps) : undefined;
  if (typeof listType === "string" && type !== "array") {
    if (!type) errs.push(field.required(path.child("type"), "must be array if x-kubernetes-list-type is specified"));
    else errs.push(field.invalid(path.child("type"), type, "must be array if x-kubernetes-list-type is specified"));
  } else if (listType === "set" && items) {
    const itemListType = items["x-kubernetes-list-type"];
    if (items.type === "array" && typeof itemListType === "string" && itemListType !== "atomic") {
      errs.push(field.invalid(path.child("items").child("x-kubernetes-list-type"), itemListType, "must be atomic as item of a list with x-kubernetes-list-type=set"));
    } else if (items.type === "object" && items["x-kubernetes-map-type"] !== "atomic") {
      // Upstream reports the item's list type as the value here ("null" when unset).
      errs.push(field.invalid(path.child("items").child("x-kubernetes-map-type"), typeof itemListType === "string" ? itemListType : "null", "must be atomic as item of a list with x-kubernetes-list-type=set"));
    }
  }
  if (typeof listType === "string" && listType !== "atomic" && listType !== "set" && listType !== "map") errs.push(field.notSupported(path.child("x-kubernetes-list-type"), listType, ["atomic", "set", "map"]));
  const keys = Array.isArray(s["x-kubernetes-list-map-keys"]) ? s["x-kubernetes-list-map-keys"].filter((k): k is string => typeof k === "string") : [];
  if (keys.length) {
    if (typeof listType !== "string") errs.push(field.required(path.child("x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty"));
    else if (listType !== "map") errs.push(field.invalid(path.child("x-kubernetes-list-type"), listType, "must be map if x-kubernetes-list-map-keys is non-empty"));
  }
  if (listType === "map") {
    if (!keys.length) errs.push(field.required(path.child("x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"));
    if (s.items === undefined || s.items === null) errs.push(field.required(path.child("items"), "must have a schema if x-kubernetes-list-type is map"));
    if (Array.isArray(s.items)) errs.push(field.invalid(path.child("items"), new GoFormattedValue(JSON.stringify(s.items), s.items), "must only have a single schema if x-kubernetes-list-type is map"));
    if (items && items.type !== "object") errs.push(field.invalid(path.child("items").child("type"), str(items.type), "must be object if parent array's x-kubernetes-list-type is map"));
    if (items && items.type === "object") {
      const seen = new Set<string>();
      const itemProps = new Map(schemaMapOf(items.properties));
      for (const k of keys) {
        const p = itemProps.get(k);
        if (p) {
          if (p.type === "array" || p.type === "object") errs.push(field.invalid(path.child("items").child("properties").key(k).child("type"), str(items.type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        } else errs.push(field.invalid(path.child("x-kubernetes-list-map-keys"), new GoFormattedValue(goStrings(keys), keys), "entries must all be names of item properties"));
        if (seen.has(k)) errs.push(field.invalid(path.child("x-kubernetes-list-map-keys"), new GoFormattedValue(goStrings(keys), keys), "must not contain duplicate entries"));
        seen.add(k);
      }
    }
  }
  // Set and map list items, and map keys, must be usable as identities.
  if (items && (listType === "set" || listType === "map")) {
    if (items.nullable === true) errs.push(field.forbidden(path.child("items").child("nullable"), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === "map") {
      const required = new Set(Array.isArray(items.required) ? items.required : []);
      const itemProps = new Map(schemaMapOf(items.properties));
      for (const k of keys) {
        const p = itemProps.get(k);
        if (!p) continue;
        if (!required.has(k) && p.default === undefined) {
          errs.push(field.required(path.child("items").child("properties").key(k).child("default"), "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
        }
        if (p.nullable === true) errs.push(field.forbidden(path.child("items").child("properties").key(k).child("nullable"), "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
      }
    }
  }
}

/** `[]string{"a", "b"}`, as Go prints a []string value. */
function goStrings(xs: string[]): string {
  return `[]string{${xs.map(goQuote).join(", ")}}`;
}

function ruleChecks(s: JSONSchemaProps, path: FieldPath, errs: FieldError[]): void {
  validationsOf(s).forEach((rule, i) => {
    const p = path.child("x-kubernetes-validations").index(i);
    const text = typeof rule.rule === "string" ? rule.rule : "";
    const message = typeof rule.message === "string" ? rule.message : "";
    const trimmedRule = text.trim();
    const trimmedMsg = message.trim();
    if (trimmedRule === "") errs.push(field.required(p.child("rule"), "rule is not specified"));
    else if (message.length > 0 && trimmedMsg === "") errs.push(field.invalid(p.child("message"), message, "message must be non-empty if specified"));
    else if (/[\n\r]/.test(trimmedMsg)) errs.push(field.invalid(p.child("message"), message, "message must not contain line breaks"));
    else if (/[\n\r]/.test(trimmedRule) && trimmedMsg === "") errs.push(field.required(p.child("message"), "message must be specified if rule contains line breaks"));
    const msgExpr = typeof rule.messageExpression === "string" ? rule.messageExpression : "";
    if (msgExpr.length > 0 && msgExpr.trim() === "") errs.push(field.required(p.child("messageExpression"), "messageExpression must be non-empty if specified"));
    if (typeof rule.reason === "string" && !SUPPORTED_REASONS.includes(rule.reason)) errs.push(field.notSupported(p.child("reason"), rule.reason, SUPPORTED_REASONS));
    const fp = typeof rule.fieldPath === "string" ? rule.fieldPath : "";
    if (fp.length > 0 && fp.trim() === "") errs.push(field.invalid(p.child("fieldPath"), fp, "fieldPath must be non-empty if specified"));
    if (/[\n\r]/.test(fp)) errs.push(field.invalid(p.child("fieldPath"), fp, "fieldPath must not contain line breaks"));
    if (fp.length > 0 && !fieldPathValid(s, fp)) errs.push(field.invalid(p.child("fieldPath"), fp, "fieldPath must be a valid path"));
  });
}

function fieldPathValid(s: JSONSchemaProps, fp: string): boolean {
  // Upstream only checks the path when the node has a structural view.
  const st = structuralOf(s);
  return !st || validFieldPath(fp, st).ok;
}

function structuralOf(s: JSONSchemaProps): Structural | undefined {
  const r = newStructural(s);
  return r.ok ? r.schema : undefined;
}

/** Go's %#v of an apiextensions.ValidationRule, the value upstream reports compile errors with. */
export function goValidationRule(r: ValidationRule): GoFormattedValue {
  const ptr = (type: string, set: boolean) => (set ? `(*${type})(0xc000000000)` : `(*${type})(nil)`);
  const s = (v: unknown) => goQuote(typeof v === "string" ? v : "");
  const text = `apiextensions.ValidationRule{Rule:${s(r.rule)}, Message:${s(r.message)}, MessageExpression:${s(r.messageExpression)}, Reason:${ptr("apiextensions.FieldValueErrorReason", typeof r.reason === "string")}, FieldPath:${s(r.fieldPath)}, OptionalOldSelf:${ptr("bool", typeof r.optionalOldSelf === "boolean")}}`;
  return new GoFormattedValue(text, r);
}

function compileChecks(rules: ValidationRule[], path: FieldPath, c: Context, st: Structural, celType: CelTypeOf, card: Cardinality, out: SchemaCheck): FieldError[] {
  const base = path.child("x-kubernetes-validations");
  if (!celType) return [{ type: "InternalError", field: String(base), detail: "internal error: failed to retrieve type information for x-kubernetes-validations" }];
  const errs: FieldError[] = [];
  // A rule runs once per occurrence of its node; unbounded nodes count what fits in a request.
  const occurrences = card ?? Math.floor(MAX_REQUEST_BYTES / ((celType.bounds?.minSerialized ?? 0) + 1));
  compileRules(rules, celType, st).forEach((cr, i) => {
    const p = base.index(i);
    const cost = cr.maxCost === 0 ? 0 : Math.min(cr.maxCost * occurrences, 1.8446744073709552e19);
    if (cost > ESTIMATED_COST_LIMIT) errs.push(field.forbidden(p.child("rule"), costErrorMessage("estimated rule cost", cost, ESTIMATED_COST_LIMIT)));
    observeCost(out, p.child("rule"), cost);
    if (cr.error) errs.push(field.invalid(p.child("rule"), goValidationRule(cr.rule), cr.error));
    if (cr.messageError) errs.push(field.invalid(p.child("messageExpression"), goValidationRule(cr.rule), cr.messageError));
    else if (cr.message) {
      if (cr.messageMaxCost > ESTIMATED_COST_LIMIT) errs.push(field.forbidden(p.child("messageExpression"), costErrorMessage("estimated messageExpression cost", cr.messageMaxCost, ESTIMATED_COST_LIMIT)));
      observeCost(out, p.child("messageExpression"), cr.messageMaxCost);
    }
    if (cr.usesOldSelf) {
      if (c.uncorrelatablePath) errs.push(field.invalid(p.child("rule"), cr.rule.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${c.uncorrelatablePath}`));
    } else if (typeof cr.rule.optionalOldSelf === "boolean") {
      errs.push(field.invalid(p.child("optionalOldSelf"), cr.rule.optionalOldSelf, "may not be set if oldSelf is not used in rule"));
    }
  });
  return errs;
}
