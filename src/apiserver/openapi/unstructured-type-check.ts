/**
 * JSON types checked the way a strategic merge patch result is checked upstream: kube-apiserver
 * merges the patch into the object as map[string]interface{} and converts the result with
 * runtime.DefaultUnstructuredConverter.FromUnstructured, whose errors read differently from the
 * JSON decoder's (type-check.ts), carry no field path, and stop at the first problem:
 *
 *   unrecognized type: int32                  ("many" for spec.replicas)
 *   cannot convert int64 to string            (5 for a ConfigMap value)
 *   cannot convert float64 to int32           (1.5 for spec.replicas)
 *   cannot restore slice from map             ({} for spec.containers)
 *   cannot restore map from string, cannot restore struct from: string
 *
 * Numbers are int64 when integral and float64 otherwise, as upstream's patch decoding leaves
 * them. Types with their own UnmarshalJSON (Quantity, IntOrString, Time) are converted through
 * JSON, so they fail with the decoder's messages. Upstream walks struct fields in Go declaration
 * order, which the schema does not record; here the first problem in the object's key order is
 * reported, which differs only when a patch has several.
 */
import { base64Error } from "./base64-decode.ts";
import { kindPlan, type Plan } from "./decode-plan.ts";
import { goElementType, goTypeOfSchema } from "./go-types.ts";
import { quantityDecodeError } from "./quantity-decode.ts";
import { microTimeParseError, timeParseError } from "./time-decode.ts";
import { jsonValueKind } from "./type-check.ts";
import type { SchemaTree } from "./unknown-fields.ts";

class Stop {
  constructor(readonly message: string) {}
}

type SourceKind = "string" | "int64" | "float64" | "bool" | "map" | "slice";

/** reflect.Kind of a decoded JSON value, as FromUnstructured names the source. */
function sourceKind(value: unknown): SourceKind {
  if (Array.isArray(value)) return "slice";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(value) ? "int64" : "float64";
    case "boolean":
      return "bool";
    default:
      return "map";
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The FromUnstructured error for `value` as the kind `tree` describes, or undefined. */
export function unstructuredTypeError(tree: SchemaTree, value: unknown): string | undefined {
  try {
    convert(tree, kindPlan(tree), value, undefined, 0);
  } catch (err) {
    if (err instanceof Stop) return err.message;
    throw err;
  }
  return undefined;
}

function convert(tree: SchemaTree, plan: Plan, value: unknown, goType: string | undefined, depth: number): void {
  if (value === null || value === undefined || depth > 10_000) return;
  const name = (): string => goType ?? goTypeOfSchema(plan.schema, tree.resolve);
  const from = sourceKind(value);
  switch (plan.kind) {
    case "any":
      return;
    case "quantity": {
      const err = quantityDecodeError(value);
      if (err !== undefined) throw new Stop(err);
      return;
    }
    case "intOrString":
      return intOrString(value);
    case "time":
    case "microTime": {
      if (typeof value !== "string") throw new Stop(`json: cannot unmarshal ${jsonValueKind(value)} into Go value of type string`);
      const err = plan.kind === "time" ? timeParseError(value) : microTimeParseError(value);
      if (err !== undefined) throw new Stop(err);
      return;
    }
    case "string":
      if (from === "string") return;
      throw new Stop(from === "int64" ? `cannot convert int64 to ${name()}` : "unrecognized type: string");
    case "bytes":
      return bytes(value, from);
    case "int32":
    case "int64":
      if (from === "int64") return;
      if (from === "float64") throw new Stop(`cannot convert float64 to ${name()}`);
      throw new Stop(`unrecognized type: ${plan.kind}`);
    case "float":
      if (from === "int64" || from === "float64") return;
      throw new Stop(`unrecognized type: ${plan.schema.format === "float" ? "float32" : "float64"}`);
    case "bool":
      if (from === "bool") return;
      throw new Stop("unrecognized type: bool");
    case "slice": {
      if (from !== "slice") throw new Stop(`cannot restore slice from ${from}`);
      const elementType = goType === undefined ? undefined : goElementType(goType);
      for (const v of value as unknown[]) convert(tree, plan.element!, v, elementType, depth + 1);
      return;
    }
    case "map": {
      if (from !== "map") throw new Stop(`cannot restore map from ${from}`);
      const elementType = goType === undefined ? undefined : goElementType(goType);
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) convert(tree, plan.element!, obj[key], elementType, depth + 1);
      return;
    }
    case "struct": {
      if (from !== "map") throw new Stop(`cannot restore struct from: ${from}`);
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const field = plan.fields!.get(key);
        if (field !== undefined) convert(tree, field.plan, obj[key], field.goType, depth + 1);
      }
      return;
    }
  }
}

/** IntOrString converts through its UnmarshalJSON, so it fails in the decoder's words. */
function intOrString(value: unknown): void {
  if (typeof value === "string") return;
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return;
    throw new Stop(`json: cannot unmarshal number ${String(value)} into Go value of type int32`);
  }
  throw new Stop(`json: cannot unmarshal ${jsonValueKind(value)} into Go value of type int32`);
}

/** []byte: a string is base64 (decoded via encoding/json), a list holds byte values. */
function bytes(value: unknown, from: SourceKind): void {
  if (from === "string") {
    const err = base64Error(value as string);
    if (err !== undefined) throw new Stop(`error decoding from json: ${err}`);
    return;
  }
  if (from !== "slice") throw new Stop(`cannot restore slice from ${from}`);
  for (const v of value as unknown[]) {
    if (v === null) continue;
    const k = sourceKind(v);
    if (k === "int64") continue;
    if (k === "float64") throw new Stop("cannot convert float64 to uint8");
    throw new Stop("unrecognized type: uint8");
  }
}
