/**
 * Validation of decoded JSON against a CRD schema, with kube-openapi's semantics (the
 * SchemaValidator apiextensions runs for custom objects): every applicable check runs, so all
 * violations are reported; anyOf/oneOf report the failures of their best-matching branch
 * (by kube-openapi's match count); numbers follow Go's int64/float64 split.
 *
 * With a Correlation (updates), an error inside a part of the object that equals the old
 * object's part is dropped (CRD validation ratcheting, on by default since 1.30).
 */
import type { Correlation } from "./correlation.ts";
import { formatCheck } from "./formats.ts";
import { openapi, type OpenAPIError } from "./openapi-errors.ts";
import { compileGoRegexp, type GoRegexp } from "./re2/index.ts";
import { schemaMapOf, schemasOf, str } from "./structural.ts";
import { deepEqual, hasKey, isObject, type JsonObject, type JSONSchemaProps } from "./types.ts";

export interface VNode {
  types: string[];
  nullable: boolean;
  /** The format as written, when apiextensions keeps it. */
  format: string;
  formatCheck?: (s: string) => boolean;
  enum?: unknown[];
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  patternRe?: GoRegexp;
  patternError?: string;
  maximum?: number;
  exclusiveMaximum: boolean;
  minimum?: number;
  exclusiveMinimum: boolean;
  multipleOf?: number;
  maxItems?: number;
  minItems?: number;
  uniqueItems: boolean;
  maxProperties?: number;
  minProperties?: number;
  required: string[];
  properties?: Map<string, VNode>;
  additionalProperties?: { allows: boolean; schema?: VNode };
  items?: VNode;
  allOf: VNode[];
  anyOf: VNode[];
  oneOf: VNode[];
  not?: VNode;
  hasSchemaProps: boolean;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function compileValueValidator(s: JSONSchemaProps): VNode {
  const format = str(s.format);
  const check = format ? formatCheck(format) : undefined;
  const type = str(s.type);
  const node: VNode = {
    types: s["x-kubernetes-int-or-string"] === true ? ["integer", "string"] : type ? [type] : [],
    nullable: s.nullable === true,
    format: check ? format : "",
    formatCheck: check,
    enum: Array.isArray(s.enum) && s.enum.length ? s.enum : undefined,
    maxLength: num(s.maxLength),
    minLength: num(s.minLength),
    maximum: num(s.maximum),
    exclusiveMaximum: s.exclusiveMaximum === true,
    minimum: num(s.minimum),
    exclusiveMinimum: s.exclusiveMinimum === true,
    multipleOf: num(s.multipleOf),
    maxItems: num(s.maxItems),
    minItems: num(s.minItems),
    uniqueItems: s.uniqueItems === true,
    maxProperties: num(s.maxProperties),
    minProperties: num(s.minProperties),
    required: Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : [],
    allOf: schemasOf(s.allOf).map(compileValueValidator),
    anyOf: schemasOf(s.anyOf).map(compileValueValidator),
    oneOf: schemasOf(s.oneOf).map(compileValueValidator),
    not: isObject(s.not) ? compileValueValidator(s.not) : undefined,
    hasSchemaProps: false,
  };
  node.hasSchemaProps = node.allOf.length > 0 || node.anyOf.length > 0 || node.oneOf.length > 0 || node.not !== undefined;
  const pattern = str(s.pattern);
  if (pattern) {
    node.pattern = pattern;
    try {
      node.patternRe = compileGoRegexp(pattern);
    } catch (e) {
      node.patternError = (e as Error).message;
    }
  }
  const props = schemaMapOf(s.properties);
  if (props.length) node.properties = new Map(props.map(([k, p]) => [k, compileValueValidator(p)]));
  if (isObject(s.additionalProperties)) node.additionalProperties = { allows: true, schema: compileValueValidator(s.additionalProperties) };
  else if (typeof s.additionalProperties === "boolean") node.additionalProperties = { allows: s.additionalProperties };
  if (isObject(s.items)) node.items = compileValueValidator(s.items);
  return node;
}

/** Errors found under a node, and kube-openapi's match count (used to pick anyOf/oneOf's best failure). */
interface Result {
  errors: OpenAPIError[];
  mc: number;
}

const enum Kind {
  Nil,
  Bool,
  String,
  Int,
  Float,
  Slice,
  Map,
}

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return Kind.Nil;
  switch (typeof v) {
    case "boolean":
      return Kind.Bool;
    case "string":
      return Kind.String;
    case "number":
      return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? Kind.Int : Kind.Float;
  }
  return Array.isArray(v) ? Kind.Slice : Kind.Map;
}

const SCHEMA_TYPE: Record<Kind, string> = {
  [Kind.Nil]: "null",
  [Kind.Bool]: "boolean",
  [Kind.String]: "string",
  [Kind.Int]: "integer",
  [Kind.Float]: "number",
  [Kind.Slice]: "array",
  [Kind.Map]: "object",
};

/** go-openapi/swag's IsFloat64AJSONInteger: integral within 2^53, or within a relative 1e-9 of one. */
export function isFloat64AJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || f < -(2 ** 53) + 1 || f > 2 ** 53 - 1) return false;
  if (Number.isInteger(f)) return true;
  // Go converts through uint64; for negative non-integers that never lands near f.
  if (f < 0) return false;
  const g = Math.trunc(f);
  const diff = Math.abs(f - g);
  if (g === 0) return diff < 1e-9 * Number.MIN_VALUE;
  return diff / Math.min(f + g, Number.MAX_VALUE) < 1e-9;
}

/** Validates `data` at `path` (kube-openapi's name, "" at the root). */
export function validateValue(node: VNode, data: unknown, path: string, corr?: Correlation): OpenAPIError[] {
  return validateChild(node, data, path, corr).errors;
}

/** A field or item validator: ratcheting drops its errors when the part did not change. */
function validateChild(node: VNode, data: unknown, path: string, corr: Correlation | undefined): Result {
  const r = validateNode(node, data, path, corr);
  if (corr && r.errors.length && corr.deepEqual()) return { errors: [], mc: r.mc };
  return r;
}

function validateNode(node: VNode, data: unknown, path: string, corr: Correlation | undefined): Result {
  const errors: OpenAPIError[] = [];
  const kind = kindOf(data);
  if (kind === Kind.Nil) {
    // Only the type and enum checks look at null.
    const typeOk = !(node.types.length && !node.types.includes("null") && !node.nullable);
    if (!typeOk) errors.push(openapi.invalidType(path, node.types.join(","), "null"));
    if (node.enum) errors.push(openapi.enumFail(path, null, node.enum));
    return { errors, mc: typeOk ? 1 : 0 };
  }
  let mc = 0;
  // type
  if (node.types.length || node.format) {
    const e = typeError(node, data, kind, path);
    if (e) errors.push(e);
    else mc += 1;
    mc++;
  }
  // allOf / anyOf / oneOf / not
  mc += (node.hasSchemaProps ? schemaProps(node, data, path, corr, errors) : 1) + 1;
  if (kind === Kind.String) {
    const e = stringError(node, data as string, path);
    if (e) errors.push(e);
    mc++;
    if (node.formatCheck) {
      if (!node.formatCheck(data as string)) errors.push(openapi.invalidType(path, node.format, data as string));
      mc++;
    }
  }
  if (kind === Kind.Int || kind === Kind.Float) {
    numberErrors(node, data as number, kind === Kind.Int, path, errors);
    mc += 2;
  }
  if (kind === Kind.Slice) mc += sliceErrors(node, data as unknown[], path, corr, errors) + 2;
  if (node.enum && !enumMatches(node.enum, data)) errors.push(openapi.enumFail(path, data, node.enum));
  mc++;
  if (kind === Kind.Map) mc += objectErrors(node, data as JsonObject, path, corr, errors) + 1;
  return { errors, mc: mc + 1 };
}

function typeError(node: VNode, data: unknown, kind: Kind, path: string): OpenAPIError | undefined {
  const schType = SCHEMA_TYPE[kind];
  const format = kind === Kind.Int ? "int64" : kind === Kind.Float ? "float64" : "";
  const types = node.types;
  const isFloatInt = kind === Kind.Float && isFloat64AJSONInteger(data as number) && types.includes("integer");
  const isIntFloat = kind === Kind.Int && types.includes("number");
  if (kind !== Kind.String && kind !== Kind.Slice && node.format && !(types.includes(schType) || format === node.format || isFloatInt || isIntFloat)) {
    return openapi.invalidType(path, node.format, format);
  }
  // A formatted non-numeric type accepts any string or array here (the format check follows).
  if (!(types.includes("number") || types.includes("integer")) && node.format && (kind === Kind.String || kind === Kind.Slice)) return undefined;
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) return openapi.invalidType(path, types.join(","), schType);
  return undefined;
}

function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** maxLength, minLength, pattern: kube-openapi stops at the first that fails. */
function stringError(node: VNode, s: string, path: string): OpenAPIError | undefined {
  if (node.maxLength !== undefined || node.minLength !== undefined) {
    const len = runeCount(s);
    if (node.maxLength !== undefined && len > node.maxLength) return openapi.tooLong(path, node.maxLength, s);
    if (node.minLength !== undefined && len < node.minLength) return openapi.tooShort(path, node.minLength, s);
  }
  if (node.pattern !== undefined) {
    if (node.patternError) return openapi.pattern(path, `${node.pattern}, but pattern is invalid: ${node.patternError}`, s);
    if (!node.patternRe!.test(s)) return openapi.pattern(path, node.pattern, s);
  }
  return undefined;
}

/** multipleOf, minimum, maximum; integer data compares against bounds truncated to int64, as Go does. */
function numberErrors(node: VNode, n: number, asInt: boolean, path: string, out: OpenAPIError[]): void {
  if (node.multipleOf !== undefined) {
    const f = asInt ? Math.trunc(node.multipleOf) : node.multipleOf;
    if (f <= 0) out.push(openapi.multipleOfMustBePositive(path, f, asInt));
    else if (asInt ? n % f !== 0 : !isFloat64AJSONInteger(f < 1 ? (1 / f) * n : n / f)) out.push(openapi.notMultipleOf(path, f, asInt, n));
  }
  if (node.minimum !== undefined) {
    const min = asInt ? Math.trunc(node.minimum) : node.minimum;
    if (node.exclusiveMinimum ? n <= min : n < min) out.push(openapi.exceedsMinimum(path, min, node.exclusiveMinimum, asInt, n));
  }
  if (node.maximum !== undefined) {
    const max = asInt ? Math.trunc(node.maximum) : node.maximum;
    if (node.exclusiveMaximum ? n >= max : n > max) out.push(openapi.exceedsMaximum(path, max, node.exclusiveMaximum, asInt, n));
  }
}

function sliceErrors(node: VNode, list: unknown[], path: string, corr: Correlation | undefined, out: OpenAPIError[]): number {
  let mc = 0;
  if (node.items) {
    for (let i = 0; i < list.length; i++) {
      const r = validateChild(node.items, list[i], `${path}[${i}]`, corr?.index(i));
      mc += r.mc;
      for (const e of r.errors) out.push(e);
    }
  }
  if (node.minItems !== undefined && list.length < node.minItems) out.push(openapi.tooFewItems(path, node.minItems, list.length));
  if (node.maxItems !== undefined && list.length > node.maxItems) out.push(openapi.tooManyItems(path, node.maxItems, list.length));
  if (node.uniqueItems) {
    outer: for (let i = 1; i < list.length; i++) {
      for (let j = 0; j < i; j++) {
        if (deepEqual(list[i], list[j])) {
          out.push(openapi.duplicateItems(path));
          break outer;
        }
      }
    }
  }
  return mc;
}

/** Go's enum check: a value matches when it converts to the enum value's Go type and is then equal. */
function enumMatches(values: unknown[], data: unknown): boolean {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === "number") {
      if (typeof data !== "number") continue;
      // int64 enum values truncate the data; float64 ones compare exactly.
      if (Number.isInteger(v) ? Math.trunc(data) === v : data === v) return true;
      continue;
    }
    if (typeof v === "string") {
      if (typeof data === "string" && data === v) return true;
      // Go converts an integer to a string as the rune with that code point.
      if (typeof data === "number" && Number.isInteger(data) && runeString(data) === v) return true;
      continue;
    }
    if (typeof v === typeof data && Array.isArray(v) === Array.isArray(data) && deepEqual(v, data)) return true;
  }
  return false;
}

function runeString(n: number): string {
  return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : "\ufffd";
}

function objectErrors(node: VNode, obj: JsonObject, path: string, corr: Correlation | undefined, out: OpenAPIError[]): number {
  let mc = 0;
  const keys = Object.keys(obj);
  if (node.minProperties !== undefined && keys.length < node.minProperties) out.push(openapi.tooFewProperties(path, node.minProperties, keys.length));
  if (node.maxProperties !== undefined && keys.length > node.maxProperties) out.push(openapi.tooManyProperties(path, node.maxProperties, keys.length));
  const ap = node.additionalProperties;
  if (ap && !ap.allows) {
    for (const k of keys) if (!node.properties?.has(k)) out.push(openapi.propertyNotAllowed(path, k));
  } else if (ap?.schema) {
    for (const k of keys) {
      if (node.properties?.has(k)) continue;
      const r = validateChild(ap.schema, obj[k], `${path}.${k}`, childCorr(corr, path, k));
      mc += r.mc;
      for (const e of r.errors) out.push(e);
    }
  }
  if (node.properties) {
    for (const [k, prop] of node.properties) {
      if (!hasKey(obj, k)) continue;
      const r = validateChild(prop, obj[k], path ? `${path}.${k}` : k, childCorr(corr, path, k));
      mc += r.mc;
      for (const e of r.errors) out.push(e);
    }
  }
  for (const k of node.required) if (!hasKey(obj, k)) out.push(openapi.required(`${path}.${k}`));
  return mc;
}

/** apiVersion and kind at the root never ratchet (upstream's isTypeMetaField). */
function childCorr(corr: Correlation | undefined, path: string, key: string): Correlation | undefined {
  if (!corr || (path === "" && (key === "apiVersion" || key === "kind"))) return undefined;
  return corr.key(key);
}

/** allOf, anyOf, oneOf and not; returns the match count this validator contributes. */
function schemaProps(node: VNode, data: unknown, path: string, corr: Correlation | undefined, out: OpenAPIError[]): number {
  let mc = 0;
  if (node.anyOf.length) {
    let best: Result | undefined;
    let first: Result | undefined;
    let ok = false;
    for (const sub of node.anyOf) {
      const r = validateNode(sub, data, path, corr);
      if (r.errors.length === 0) {
        best = undefined;
        ok = true;
        first ??= r;
        break;
      }
      if (!best || r.mc > best.mc) best = r;
    }
    if (!ok) out.push(openapi.mustValidateAtLeastOne(path));
    const chosen = best ?? first;
    if (chosen) {
      out.push(...chosen.errors);
      mc += chosen.mc;
    }
  }
  if (node.oneOf.length) {
    let best: Result | undefined;
    let first: Result | undefined;
    let valid = 0;
    for (const sub of node.oneOf) {
      const r = validateNode(sub, data, path, corr);
      if (r.errors.length === 0) {
        valid++;
        best = undefined;
        first ??= r;
        continue;
      }
      if (valid === 0 && (!best || r.mc > best.mc)) best = r;
    }
    if (valid !== 1) {
      out.push(openapi.mustValidateOnlyOne(path, valid));
      if (best) {
        out.push(...best.errors);
        mc += best.mc;
      }
    } else if (first) mc += first.mc;
  }
  if (node.allOf.length) {
    let valid = 0;
    for (const sub of node.allOf) {
      const r = validateNode(sub, data, path, corr);
      if (r.errors.length === 0) valid++;
      out.push(...r.errors);
      mc += r.mc;
    }
    if (valid !== node.allOf.length) out.push(openapi.mustValidateAll(path, valid === 0));
  }
  if (node.not && validateNode(node.not, data, path, corr).errors.length === 0) out.push(openapi.mustNotValidate(path));
  return mc + 1;
}

/** Result.AddErrors: identical messages are reported once. */
export function dedupe(errs: OpenAPIError[]): OpenAPIError[] {
  if (errs.length < 2) return errs;
  const seen = new Set<string>();
  return errs.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}
