/**
 * CEL's standard library: operators, size, string predicates, matches, type conversions and
 * the timestamp/duration accessors, with cel-go's runtime errors ("division by zero",
 * "no such key: x", "no such overload") and cost model.
 */
import { goFloat } from "../../go-format.ts";
import { compileGoRegexp } from "../../re2/index.ts";
import { formatTimestamp, formatDuration, parseDuration, parseTimestamp, checkedDuration, checkedTimestamp, timestampField, durationField, type TimeField } from "../time.ts";
import { T, type CelType } from "../types.ts";
import {
  ArrayList,
  CelError,
  CelList,
  CelMap,
  checkedInt,
  checkedUint,
  compareVals,
  Duration,
  INT64_MAX,
  INT64_MIN,
  stringSize,
  Timestamp,
  TypeVal,
  typeName,
  UInt,
  UINT64_MAX,
  valEquals,
  type Val,
} from "../values.ts";
import { fn, noSuchOverload, traversal, type FunctionDef, type Overload } from "./registry.ts";

const A = T.param("A");
const K = T.param("K");
const V = T.param("V");

/** The size cel-go's cost model sees: length for strings, bytes, lists and maps, 1 otherwise. */
export function sizeOf(v: Val): number {
  if (typeof v === "string") return stringSize(v);
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof CelList || v instanceof CelMap) return v.size();
  return 1;
}

function both(types: CelType[], result?: CelType): Overload[] {
  return types.map((t) => fn(false, [t, t], result ?? t));
}

function add([a, b]: Val[]): Val {
  if (typeof a === "bigint" && typeof b === "bigint") return checkedInt(a + b);
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (a instanceof UInt && b instanceof UInt) return checkedUint(a.v + b.v);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Uint8Array.from([...a, ...b]);
  if (a instanceof CelList && b instanceof CelList) return concatLists(a, b);
  if (a instanceof Duration && b instanceof Duration) return checkedDuration(a.nanos + b.nanos);
  if (a instanceof Timestamp && b instanceof Duration) return checkedTimestamp(a.nanos + b.nanos);
  if (a instanceof Duration && b instanceof Timestamp) return checkedTimestamp(a.nanos + b.nanos);
  return noSuchOverload();
}

/** List concatenation; set lists stay sets (union) and map lists merge by key, as upstream's list values do. */
function concatLists(a: CelList, b: CelList): Val {
  if (a.kind === "set") {
    const out = [...a];
    for (const x of b) if (!out.some((y) => valEquals(x, y))) out.push(x);
    return new ArrayList(out, "set");
  }
  if (a.kind === "map" && a.mapKeys) {
    const keys = a.mapKeys;
    const out = [...a];
    const keyOf = (x: Val) => (x instanceof CelMap ? keys.map((k) => x.find(k)) : undefined);
    for (const x of b) {
      const kx = keyOf(x);
      const at = kx ? out.findIndex((y) => {
        const ky = keyOf(y);
        return ky !== undefined && ky.every((v, i) => v !== undefined && kx[i] !== undefined && valEquals(v, kx[i]!));
      }) : -1;
      if (at >= 0) out[at] = x;
      else out.push(x);
    }
    return new ArrayList(out, "map", keys);
  }
  return new ArrayList([...a, ...b]);
}

function subtract([a, b]: Val[]): Val {
  if (typeof a === "bigint" && typeof b === "bigint") return checkedInt(a - b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (a instanceof UInt && b instanceof UInt) return checkedUint(a.v - b.v);
  if (a instanceof Duration && b instanceof Duration) return checkedDuration(a.nanos - b.nanos);
  if (a instanceof Timestamp && b instanceof Timestamp) return checkedDuration(a.nanos - b.nanos);
  if (a instanceof Timestamp && b instanceof Duration) return checkedTimestamp(a.nanos - b.nanos);
  return noSuchOverload();
}

function multiply([a, b]: Val[]): Val {
  if (typeof a === "bigint" && typeof b === "bigint") return checkedInt(a * b);
  if (typeof a === "number" && typeof b === "number") return a * b;
  if (a instanceof UInt && b instanceof UInt) return checkedUint(a.v * b.v);
  return noSuchOverload();
}

function divide([a, b]: Val[]): Val {
  if (typeof a === "bigint" && typeof b === "bigint") {
    if (b === 0n) throw new CelError("division by zero");
    return checkedInt(a / b);
  }
  if (typeof a === "number" && typeof b === "number") return a / b;
  if (a instanceof UInt && b instanceof UInt) {
    if (b.v === 0n) throw new CelError("division by zero");
    return new UInt(a.v / b.v);
  }
  return noSuchOverload();
}

function modulo([a, b]: Val[]): Val {
  if (typeof a === "bigint" && typeof b === "bigint") {
    if (b === 0n) throw new CelError("modulus by zero");
    if (a === INT64_MIN && b === -1n) throw new CelError("integer overflow");
    return a % b;
  }
  if (a instanceof UInt && b instanceof UInt) {
    if (b.v === 0n) throw new CelError("modulus by zero");
    return new UInt(a.v % b.v);
  }
  return noSuchOverload();
}

function compare(op: (c: number) => boolean): (args: Val[]) => Val {
  return ([a, b]) => {
    const c = compareVals(a!, b!);
    if (c === undefined) return noSuchOverload();
    return Number.isNaN(c) ? false : op(c);
  };
}

function formatKey(k: Val): string {
  if (typeof k === "string") return k;
  if (k instanceof UInt) return String(k.v);
  return String(k);
}

export function index([c, i]: Val[]): Val {
  if (c instanceof CelList) {
    let n: bigint;
    if (typeof i === "bigint") n = i;
    else if (i instanceof UInt) n = i.v;
    else if (typeof i === "number" && Number.isInteger(i)) n = BigInt(i);
    else return noSuchOverload();
    if (n < 0n || n >= BigInt(c.size())) throw new CelError(`index out of bounds: ${n}`);
    return c.get(Number(n));
  }
  if (c instanceof CelMap) {
    const v = c.find(i!);
    if (v === undefined) throw new CelError(`no such key: ${formatKey(i!)}`);
    return v;
  }
  return noSuchOverload();
}

function inOp([e, c]: Val[]): Val {
  if (c instanceof CelList) {
    for (const x of c) if (valEquals(x, e!)) return true;
    return false;
  }
  if (c instanceof CelMap) {
    if (typeof e !== "string" && !(e instanceof UInt) && typeof e !== "bigint" && typeof e !== "boolean" && typeof e !== "number") return false;
    return c.find(e) !== undefined;
  }
  return noSuchOverload();
}

function toInt([v]: Val[]): Val {
  if (typeof v === "bigint") return v;
  if (v instanceof UInt) return checkedInt(v.v);
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v <= -9.223372036854776e18 || v >= 9.223372036854776e18) throw new CelError("integer overflow");
    return BigInt(Math.trunc(v));
  }
  if (typeof v === "string") {
    if (!/^[+-]?[0-9]+$/.test(v)) throw new CelError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    const n = BigInt(v);
    if (n < INT64_MIN || n > INT64_MAX) throw new CelError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
    return n;
  }
  if (v instanceof Timestamp) return v.nanos / 1_000_000_000n - (v.nanos % 1_000_000_000n < 0n ? 1n : 0n);
  return noSuchOverload();
}

function toUint([v]: Val[]): Val {
  if (v instanceof UInt) return v;
  if (typeof v === "bigint") {
    if (v < 0n) throw new CelError("unsigned integer overflow");
    return new UInt(v);
  }
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0 || v >= 1.8446744073709552e19) throw new CelError("unsigned integer overflow");
    return new UInt(BigInt(Math.trunc(v)));
  }
  if (typeof v === "string") {
    if (!/^[+]?[0-9]+$/.test(v)) throw new CelError(`strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
    const n = BigInt(v);
    if (n > UINT64_MAX) throw new CelError(`strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range`);
    return new UInt(n);
  }
  return noSuchOverload();
}

function toDouble([v]: Val[]): Val {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof UInt) return Number(v.v);
  if (typeof v === "string") {
    const t = v.toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(t)) return NaN;
    if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$/.test(t)) throw new CelError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  }
  return noSuchOverload();
}

export function toStringVal([v]: Val[]): Val {
  if (typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof UInt) return v.v.toString();
  if (typeof v === "number") return goFloat(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(v);
    } catch {
      throw new CelError("invalid UTF-8 in bytes, cannot convert to string");
    }
  }
  if (v instanceof Timestamp) return formatTimestamp(v);
  if (v instanceof Duration) return formatDuration(v);
  return noSuchOverload();
}

function toBool([v]: Val[]): Val {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
    throw new CelError(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  return noSuchOverload();
}

const TIME_FIELDS: TimeField[] = ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds"];
const DURATION_FIELDS = new Set(["getHours", "getMinutes", "getSeconds", "getMilliseconds"]);

function timeAccessor(name: TimeField): FunctionDef {
  const overloads = [fn(true, [T.timestamp], T.int), fn(true, [T.timestamp, T.string], T.int)];
  if (DURATION_FIELDS.has(name)) overloads.push(fn(true, [T.duration], T.int));
  return {
    name,
    overloads,
    impl: ([t, zone]) => {
      if (t instanceof Timestamp) {
        if (zone !== undefined && typeof zone !== "string") return noSuchOverload();
        return timestampField(t, name, zone);
      }
      if (t instanceof Duration && zone === undefined) return durationField(t, name);
      return noSuchOverload();
    },
  };
}

function stringPredicate(name: string, test: (s: string, sub: string) => boolean, cost: (args: Val[]) => number): FunctionDef {
  return {
    name,
    overloads: [fn(true, [T.string, T.string], T.bool)],
    impl: ([s, sub]) => (typeof s === "string" && typeof sub === "string" ? test(s, sub) : noSuchOverload()),
    cost,
  };
}

function matches([s, re]: Val[]): Val {
  if (typeof s !== "string" || typeof re !== "string") return noSuchOverload();
  try {
    return compileGoRegexp(re).test(s);
  } catch (e) {
    throw new CelError(`invalid matches argument: ${(e as Error).message}`);
  }
}

const matchesCost = ([s, re]: Val[]): number => Math.ceil((1 + sizeOf(s!)) * 0.1) * Math.ceil(sizeOf(re!) * 0.25);

const TYPE_NAMES: Array<[string, CelType]> = [
  ["int", T.int],
  ["uint", T.uint],
  ["double", T.double],
  ["bool", T.bool],
  ["string", T.string],
  ["bytes", T.bytes],
  ["list", T.list(T.dyn)],
  ["map", T.map(T.dyn, T.dyn)],
  ["null_type", T.null],
  ["type", T.type(T.dyn)],
  ["google.protobuf.Duration", T.duration],
  ["google.protobuf.Timestamp", T.timestamp],
];

/** Identifiers that name types: `type(x) == int`. */
export const TYPE_IDENTS = new Map<string, { type: CelType; value: TypeVal }>(TYPE_NAMES.map(([n, t]) => [n, { type: T.type(t), value: new TypeVal(n) }]));

const numericOrders: Array<[CelType, CelType]> = [
  [T.int, T.uint],
  [T.int, T.double],
  [T.uint, T.int],
  [T.uint, T.double],
  [T.double, T.int],
  [T.double, T.uint],
];

function relation(name: string, op: (c: number) => boolean): FunctionDef {
  return {
    name,
    overloads: [...both([T.bool, T.int, T.uint, T.double, T.string, T.bytes, T.duration, T.timestamp], T.bool), ...numericOrders.map(([a, b]) => fn(false, [a, b], T.bool))],
    impl: compare(op),
    cost: ([a, b]) => (typeof a === "string" || a instanceof Uint8Array ? traversal(Math.min(sizeOf(a), sizeOf(b!))) : 0),
  };
}

const equalityCost = ([a, b]: Val[]): number => traversal(Math.min(sizeOf(a!), sizeOf(b!)));

export const CORE: FunctionDef[] = [
  {
    name: "_+_",
    overloads: [
      ...both([T.int, T.uint, T.double, T.string, T.bytes, T.duration]),
      fn(false, [T.list(A), T.list(A)], T.list(A)),
      fn(false, [T.timestamp, T.duration], T.timestamp),
      fn(false, [T.duration, T.timestamp], T.timestamp),
    ],
    impl: add,
    cost: ([a, b]) => (typeof a === "string" || a instanceof Uint8Array ? traversal(sizeOf(a) + sizeOf(b!)) : 0),
  },
  { name: "_-_", overloads: [...both([T.int, T.uint, T.double, T.duration]), fn(false, [T.timestamp, T.timestamp], T.duration), fn(false, [T.timestamp, T.duration], T.timestamp)], impl: subtract },
  { name: "_*_", overloads: both([T.int, T.uint, T.double]), impl: multiply },
  { name: "_/_", overloads: both([T.int, T.uint, T.double]), impl: divide },
  { name: "_%_", overloads: both([T.int, T.uint]), impl: modulo },
  {
    name: "-_",
    overloads: [fn(false, [T.int], T.int), fn(false, [T.double], T.double)],
    impl: ([v]) => (typeof v === "bigint" ? checkedInt(-v) : typeof v === "number" ? -v : noSuchOverload()),
  },
  { name: "!_", overloads: [fn(false, [T.bool], T.bool)], impl: ([v]) => (typeof v === "boolean" ? !v : noSuchOverload()) },
  { name: "_==_", overloads: [fn(false, [A, A], T.bool)], impl: ([a, b]) => valEquals(a!, b!), cost: equalityCost },
  { name: "_!=_", overloads: [fn(false, [A, A], T.bool)], impl: ([a, b]) => !valEquals(a!, b!), cost: equalityCost },
  relation("_<_", (c) => c < 0),
  relation("_<=_", (c) => c <= 0),
  relation("_>_", (c) => c > 0),
  relation("_>=_", (c) => c >= 0),
  { name: "_[_]", overloads: [fn(false, [T.list(A), T.int], A), fn(false, [T.map(K, V), K], V)], impl: index },
  {
    name: "@in",
    overloads: [fn(false, [A, T.list(A)], T.bool), fn(false, [K, T.map(K, V)], T.bool)],
    impl: inOp,
    cost: ([, c]) => (c instanceof CelList ? sizeOf(c) : 0),
  },
  {
    name: "size",
    overloads: [T.string, T.bytes, T.list(A), T.map(K, V)].flatMap((t) => [fn(false, [t], T.int), fn(true, [t], T.int)]),
    impl: ([v]) => {
      if (typeof v === "string") return BigInt(stringSize(v));
      if (v instanceof Uint8Array) return BigInt(v.length);
      if (v instanceof CelList || v instanceof CelMap) return BigInt(v.size());
      return noSuchOverload();
    },
  },
  stringPredicate("contains", (s, sub) => s.includes(sub), ([s, sub]) => traversal(sizeOf(s!)) * traversal(sizeOf(sub!))),
  stringPredicate("startsWith", (s, p) => s.startsWith(p), ([s]) => traversal(sizeOf(s!))),
  stringPredicate("endsWith", (s, p) => s.endsWith(p), ([s]) => traversal(sizeOf(s!))),
  { name: "matches", overloads: [fn(true, [T.string, T.string], T.bool), fn(false, [T.string, T.string], T.bool)], impl: matches, cost: matchesCost },
  { name: "int", overloads: [T.int, T.uint, T.double, T.string, T.timestamp].map((t) => fn(false, [t], T.int)), impl: toInt },
  { name: "uint", overloads: [T.uint, T.int, T.double, T.string].map((t) => fn(false, [t], T.uint)), impl: toUint },
  { name: "double", overloads: [T.double, T.int, T.uint, T.string].map((t) => fn(false, [t], T.double)), impl: toDouble },
  {
    name: "string",
    overloads: [T.string, T.int, T.uint, T.double, T.bool, T.bytes, T.timestamp, T.duration].map((t) => fn(false, [t], T.string)),
    impl: toStringVal,
  },
  {
    name: "bytes",
    overloads: [fn(false, [T.bytes], T.bytes), fn(false, [T.string], T.bytes)],
    impl: ([v]) => (v instanceof Uint8Array ? v : typeof v === "string" ? Uint8Array.from(Buffer.from(v, "utf8")) : noSuchOverload()),
  },
  { name: "bool", overloads: [fn(false, [T.bool], T.bool), fn(false, [T.string], T.bool)], impl: toBool },
  {
    name: "duration",
    overloads: [fn(false, [T.string], T.duration), fn(false, [T.duration], T.duration)],
    impl: ([v]) => (typeof v === "string" ? parseDuration(v) : v instanceof Duration ? v : noSuchOverload()),
  },
  {
    name: "timestamp",
    overloads: [fn(false, [T.string], T.timestamp), fn(false, [T.timestamp], T.timestamp), fn(false, [T.int], T.timestamp)],
    impl: ([v]) => {
      if (typeof v === "string") return parseTimestamp(v);
      if (v instanceof Timestamp) return v;
      if (typeof v === "bigint") return checkedTimestamp(v * 1_000_000_000n);
      return noSuchOverload();
    },
  },
  { name: "type", overloads: [fn(false, [A], T.type(A))], impl: ([v]) => new TypeVal(typeName(v!)) },
  { name: "dyn", overloads: [fn(false, [A], T.dyn)], impl: ([v]) => v! },
  ...TIME_FIELDS.map(timeAccessor),
];
