/**
 * JSON types checked against a built-in kind's schema the way kube-apiserver's decoder checks
 * them: it decodes request bodies into Go structs with sigs.k8s.io/json (a fork of Go's
 * encoding/json), so a value of the wrong JSON type is a decode error, answered 400 as
 * `<Kind> in version "<v>" cannot be handled as a <Kind>: <error>`. The error is Go's:
 *
 *   json: cannot unmarshal number into Go struct field ConfigMap.data of type string
 *   json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
 *   json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32
 *
 * "Go struct field" names the innermost struct type being decoded, then the JSON field names
 * from the root (no list indices, no map keys); the type is the Go type after dereferencing.
 * null is never an error (pointers, slices and maps become nil; scalars keep their zero value).
 *
 * Which error wins follows the decoder too: type mismatches are remembered and decoding goes on,
 * so the first one in document order is reported, unless a type with its own UnmarshalJSON
 * (Quantity, IntOrString, Time, MicroTime) fails, which stops decoding at once and wins. Those
 * unmarshalers decode their JSON with encoding/json, and the fork shares its UnmarshalTypeError
 * type, so a wrong shape there still gets the field context ("Go struct field
 * ServicePort.spec.ports.targetPort of type int32"); their other errors (time.ParseError,
 * Quantity's) pass through bare.
 */
import { base64Error } from "./base64-decode.ts";
import { kindPlan, type Plan } from "./decode-plan.ts";
import { goElementType, goNamedType, goTypeOfSchema } from "./go-types.ts";
import { quantityDecodeError } from "./quantity-decode.ts";
import { microTimeParseError, timeParseError } from "./time-decode.ts";
import type { SchemaTree } from "./unknown-fields.ts";

export interface TypeCheckOptions {
  /**
   * The literal text of JSON numbers that JavaScript cannot carry exactly (1.0, 1e3, long
   * integers), by JSON path (see number-literals.ts). Go decides int fields on the text:
   * `"replicas": 1.0` is an error there although JSON.parse makes it 1.
   */
  numberLiterals?: ReadonlyMap<string, string>;
}

/** A failure of a type's own UnmarshalJSON: the decoder returns it at once. */
class Fatal {
  constructor(readonly message: string) {}
}

interface State {
  tree: SchemaTree;
  /** The first type mismatch; the decoder records it and keeps going. */
  saved: string | undefined;
  literals: ReadonlyMap<string, string> | undefined;
  /** JSON field names from the root, as Go's errorContext.FieldStack. */
  fields: string[];
  /** The full JSON path (with indices and keys), kept only when number literals are known. */
  path: Array<string | number>;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2 ** 63;
const BIG_INT64_MIN = -(2n ** 63n);
const BIG_INT64_MAX = 2n ** 63n - 1n;

/**
 * The decode error for `value` as the kind `tree` describes, in Go's words, or undefined if the
 * decoder would accept it. The kind's struct name comes from the tree's definition.
 */
export function typeErrors(tree: SchemaTree, value: unknown, options: TypeCheckOptions = {}): string | undefined {
  const literals = options.numberLiterals && options.numberLiterals.size > 0 ? options.numberLiterals : undefined;
  const state: State = { tree, saved: undefined, literals, fields: [], path: [] };
  try {
    walk(state, kindPlan(tree), value, undefined, undefined, 0);
  } catch (err) {
    if (err instanceof Fatal) return err.message;
    throw err;
  }
  return state.saved;
}

/** What Go's decoder calls a JSON value in "cannot unmarshal <what>". */
export function jsonValueKind(value: unknown): "object" | "array" | "string" | "number" | "bool" | "null" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "bool";
    default:
      return "object";
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function pathKey(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

/** The number as the client wrote it, when known, else as JavaScript prints it. */
function literalOf(state: State, n: number): string {
  return (state.literals && state.literals.get(pathKey(state.path))) ?? String(n);
}

function fitsInt(state: State, n: number, bits: 32 | 64): boolean {
  const literal = state.literals?.get(pathKey(state.path));
  if (literal !== undefined) {
    if (!/^-?\d+$/.test(literal)) return false;
    const big = BigInt(literal);
    return bits === 32 ? big >= BigInt(INT32_MIN) && big <= BigInt(INT32_MAX) : big >= BIG_INT64_MIN && big <= BIG_INT64_MAX;
  }
  if (!Number.isInteger(n)) return false;
  // Without the text, 2^63 may be 9223372036854775807 rounded: give it the benefit of the doubt.
  return bits === 32 ? n >= INT32_MIN && n <= INT32_MAX : n >= -INT64_LIMIT && n <= INT64_LIMIT;
}

/** Go's UnmarshalTypeError text, with the decoder's current field context. */
function unmarshalTypeError(state: State, struct: string | undefined, what: string, goType: string): string {
  const where = struct !== undefined || state.fields.length > 0 ? `Go struct field ${struct ?? ""}.${state.fields.join(".")}` : "Go value";
  return `json: cannot unmarshal ${what} into ${where} of type ${goType}`;
}

/** Go's name for the type being filled; only worked out when an error is reported. */
function typeName(state: State, plan: Plan, goType: string | undefined): string {
  if (goType !== undefined) return goType;
  if (plan.kind === "struct" && plan.definition !== undefined) return goNamedType(plan.definition);
  return goTypeOfSchema(plan.schema, state.tree.resolve);
}

function mismatch(state: State, plan: Plan, goType: string | undefined, struct: string | undefined, what: string): void {
  if (state.saved === undefined) state.saved = unmarshalTypeError(state, struct, what, typeName(state, plan, goType));
}

/**
 * Checks one value against its plan. `goType` is the Go type when the schema cannot name it;
 * `struct` is the struct whose field is being decoded (Go's errorContext.Struct).
 */
function walk(state: State, plan: Plan, value: unknown, goType: string | undefined, struct: string | undefined, depth: number): void {
  if (value === null || value === undefined || depth > 10_000) return;
  switch (plan.kind) {
    case "any":
      return;
    case "string":
      if (typeof value !== "string") mismatch(state, plan, goType, struct, jsonValueKind(value));
      return;
    case "int32":
    case "int64":
      if (typeof value !== "number") return mismatch(state, plan, goType, struct, jsonValueKind(value));
      if (!fitsInt(state, value, plan.kind === "int32" ? 32 : 64)) mismatch(state, plan, goType, struct, `number ${literalOf(state, value)}`);
      return;
    case "float":
      if (typeof value !== "number") return mismatch(state, plan, goType, struct, jsonValueKind(value));
      if (!Number.isFinite(value)) mismatch(state, plan, goType, struct, `number ${literalOf(state, value)}`);
      return;
    case "bool":
      if (typeof value !== "boolean") mismatch(state, plan, goType, struct, jsonValueKind(value));
      return;
    case "bytes":
      if (typeof value === "string") {
        const err = base64Error(value);
        // A base64 failure is not a type error, so Go adds no field context to it.
        if (err !== undefined && state.saved === undefined) state.saved = err;
        return;
      }
      // Go fills a []byte from a JSON array of small integers too.
      if (Array.isArray(value)) return checkByteArray(state, value, struct);
      return mismatch(state, plan, goType, struct, jsonValueKind(value));
    case "quantity": {
      const err = quantityDecodeError(value);
      if (err !== undefined) throw new Fatal(err);
      return;
    }
    case "intOrString":
      return checkIntOrString(state, value, struct);
    case "time":
    case "microTime":
      return checkTime(state, value, struct, plan.kind === "microTime");
    case "slice": {
      if (!Array.isArray(value)) return mismatch(state, plan, goType, struct, jsonValueKind(value));
      const element = plan.element!;
      if (element.kind === "any") return;
      const elementType = goType === undefined ? undefined : goElementType(goType);
      for (let i = 0; i < value.length; i++) {
        if (state.literals) state.path.push(i);
        walk(state, element, value[i], elementType, struct, depth + 1);
        if (state.literals) state.path.pop();
      }
      return;
    }
    case "map": {
      if (!isPlainObject(value)) return mismatch(state, plan, goType, struct, jsonValueKind(value));
      const element = plan.element!;
      if (element.kind === "any") return;
      const elementType = goType === undefined ? undefined : goElementType(goType);
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        if (state.literals) state.path.push(key);
        walk(state, element, value[key], elementType, struct, depth + 1);
        if (state.literals) state.path.pop();
      }
      return;
    }
    case "struct": {
      if (!isPlainObject(value)) return mismatch(state, plan, goType, struct, jsonValueKind(value));
      const fields = plan.fields!;
      for (const key in value) {
        // Unknown fields are not type errors (fieldValidation reports them, after this check).
        const field = fields.get(key);
        if (field === undefined || !Object.hasOwn(value, key)) continue;
        state.fields.push(key);
        if (state.literals) state.path.push(key);
        walk(state, field.plan, value[key], field.goType, plan.structName, depth + 1);
        if (state.literals) state.path.pop();
        state.fields.pop();
      }
      return;
    }
  }
}

/** []byte from a JSON array: each element decodes as a uint8. */
function checkByteArray(state: State, value: unknown[], struct: string | undefined): void {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v === null) continue;
    if (state.literals) state.path.push(i);
    if (typeof v === "number") {
      const literal = literalOf(state, v);
      if (!/^\d+$/.test(literal) || Number(literal) > 255) {
        if (state.saved === undefined) state.saved = unmarshalTypeError(state, struct, `number ${literal}`, "uint8");
      }
    } else if (state.saved === undefined) {
      state.saved = unmarshalTypeError(state, struct, jsonValueKind(v), "uint8");
    }
    if (state.literals) state.path.pop();
  }
}

/**
 * intstr.IntOrString.UnmarshalJSON: a JSON string is the string form; anything else is decoded
 * into its int32, so a bool fails as "cannot unmarshal bool into ... of type int32".
 */
function checkIntOrString(state: State, value: unknown, struct: string | undefined): void {
  if (typeof value === "string") return;
  if (typeof value === "number") {
    if (!fitsInt(state, value, 32)) throw new Fatal(unmarshalTypeError(state, struct, `number ${literalOf(state, value)}`, "int32"));
    return;
  }
  throw new Fatal(unmarshalTypeError(state, struct, jsonValueKind(value), "int32"));
}

/** metav1.Time / MicroTime.UnmarshalJSON: a JSON string, then time.Parse with the type's layout. */
function checkTime(state: State, value: unknown, struct: string | undefined, micro: boolean): void {
  if (typeof value !== "string") throw new Fatal(unmarshalTypeError(state, struct, jsonValueKind(value), "string"));
  const err = micro ? microTimeParseError(value) : timeParseError(value);
  if (err !== undefined) throw new Fatal(err);
}

/**
 * Before decoding into the kind's struct, the decoder reads apiVersion and kind with Go's
 * standard (case-insensitive) decoder into an anonymous struct, so a non-string there fails as
 * `json: cannot unmarshal number into Go struct field .kind of type string`. The caller wraps it
 * (create/update: 400 "the object provided is unrecognized ..."; patch: 422 on "patch").
 */
export function typeMetaError(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  for (const key of Object.keys(value)) {
    const lower = key.toLowerCase();
    const field = lower === "apiversion" ? "apiVersion" : lower === "kind" ? "kind" : undefined;
    const v = value[key];
    if (field !== undefined && v !== null && typeof v !== "string") return `json: cannot unmarshal ${jsonValueKind(v)} into Go struct field .${field} of type string`;
  }
  return undefined;
}
