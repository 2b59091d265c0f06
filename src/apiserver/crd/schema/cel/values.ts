/**
 * CEL runtime values. Scalars are plain JS values (int is a bigint, so int64 arithmetic is
 * exact and overflow is detected; double is a number); objects of custom resources are read
 * lazily through their schema (./json-values.ts), so a rule touching one field converts one field.
 */

export class CelError extends Error {}

/** An evaluation that ran out of budget: stops all further rules, as upstream does. */
export class CostLimitError extends Error {
  constructor() {
    super("operation cancelled: actual cost limit exceeded");
  }
}

export class UInt {
  constructor(readonly v: bigint) {}
}

export class Duration {
  constructor(readonly nanos: bigint) {}
}

/** Nanoseconds since the Unix epoch, UTC. */
export class Timestamp {
  constructor(readonly nanos: bigint) {}
}

export class TypeVal {
  constructor(readonly name: string) {}
}

export class OptionalVal {
  constructor(readonly value: Val | undefined) {}
  static readonly NONE = new OptionalVal(undefined);
}

/** A value preserved by x-kubernetes-preserve-unknown-fields without a type: only equality works. */
export class UnknownVal {
  constructor(readonly json: unknown) {}
}

/** An opaque library value (kubernetes Quantity, URL, IP, CIDR...). */
export abstract class OpaqueVal {
  abstract readonly typeName: string;
  abstract equals(other: OpaqueVal): boolean;
}

export type ListKind = "atomic" | "set" | "map";

export abstract class CelList {
  abstract readonly kind: ListKind;
  /** For map lists: the (escaped) key fields. */
  mapKeys?: string[];
  abstract size(): number;
  abstract get(i: number): Val;
  *[Symbol.iterator](): IterableIterator<Val> {
    const n = this.size();
    for (let i = 0; i < n; i++) yield this.get(i);
  }
  /** The raw JSON items when this list views JSON (for set/map-list semantics). */
  raw(): unknown[] | undefined {
    return undefined;
  }
}

export class ArrayList extends CelList {
  constructor(
    readonly items: Val[],
    readonly kind: ListKind = "atomic",
    mapKeys?: string[],
  ) {
    super();
    if (mapKeys) this.mapKeys = mapKeys;
  }
  size(): number {
    return this.items.length;
  }
  get(i: number): Val {
    return this.items[i]!;
  }
}

export abstract class CelMap {
  /** Objects (schemas with properties): keys are CEL-escaped field names, null fields are absent. */
  abstract readonly isObject: boolean;
  abstract size(): number;
  /** The value for a key, or undefined when absent. */
  abstract find(key: Val): Val | undefined;
  abstract keys(): Val[];
}

/** A map built by CEL (literal or macro result). Keys are int, uint, bool or string. */
export class LiteralMap extends CelMap {
  readonly isObject = false;
  private readonly entries = new Map<string, [Val, Val]>();
  size(): number {
    return this.entries.size;
  }
  set(key: Val, value: Val): boolean {
    const k = mapKeyId(key);
    const had = this.entries.has(k);
    this.entries.set(k, [key, value]);
    return !had;
  }
  find(key: Val): Val | undefined {
    const k = mapKeyIdOrUndefined(key);
    return k === undefined ? undefined : this.entries.get(k)?.[1];
  }
  keys(): Val[] {
    return [...this.entries.values()].map((e) => e[0]);
  }
}

export type Val =
  | boolean
  | bigint
  | number
  | string
  | null
  | Uint8Array
  | UInt
  | Duration
  | Timestamp
  | TypeVal
  | OptionalVal
  | UnknownVal
  | OpaqueVal
  | CelList
  | CelMap;

/** Map keys compare across numeric types (1 == 1u == 1.0 find the same entry). */
function mapKeyIdOrUndefined(key: Val): string | undefined {
  if (typeof key === "string") return `s${key}`;
  if (typeof key === "boolean") return `b${key}`;
  if (typeof key === "bigint") return `n${key}`;
  if (key instanceof UInt) return `n${key.v}`;
  if (typeof key === "number" && Number.isInteger(key)) return `n${BigInt(key)}`;
  return undefined;
}

export function mapKeyId(key: Val): string {
  const id = mapKeyIdOrUndefined(key);
  if (id === undefined) throw new CelError(`unsupported key type: ${typeName(key)}`);
  return id;
}

export function typeName(v: Val): string {
  if (v === null) return "null_type";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "double";
    case "string":
      return "string";
  }
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof UInt) return "uint";
  if (v instanceof Duration) return "google.protobuf.Duration";
  if (v instanceof Timestamp) return "google.protobuf.Timestamp";
  if (v instanceof TypeVal) return "type";
  if (v instanceof OptionalVal) return "optional_type";
  if (v instanceof CelList) return "list";
  if (v instanceof CelMap) return "map";
  if (v instanceof OpaqueVal) return v.typeName;
  return "unknown";
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

export function checkedInt(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw new CelError("integer overflow");
  return v;
}

export function checkedUint(v: bigint): UInt {
  if (v < 0n || v > UINT64_MAX) throw new CelError("unsigned integer overflow");
  return new UInt(v);
}

function numeric(v: Val): number | bigint | undefined {
  if (typeof v === "bigint" || typeof v === "number") return v;
  if (v instanceof UInt) return v.v;
  return undefined;
}

/** Numeric comparison across int, uint and double: -1, 0, 1, or undefined for NaN. */
export function compareNumbers(a: number | bigint, b: number | bigint): number | undefined {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const d = typeof a === "number" ? a : (b as number);
  if (Number.isNaN(d)) return undefined;
  // Compare an integer with a double exactly.
  const i = typeof a === "bigint" ? a : (b as bigint);
  const sign = typeof a === "bigint" ? 1 : -1;
  if (!Number.isFinite(d)) return d > 0 ? -sign : sign;
  const fl = BigInt(Math.floor(d));
  let c: number;
  if (i < fl) c = -1;
  else if (i > fl) c = 1;
  else c = Number.isInteger(d) ? 0 : -1;
  return c * sign;
}

/** CEL equality (heterogeneous: numbers compare by value across types; other kinds differ). */
export function valEquals(a: Val, b: Val): boolean {
  if (a === b) return true;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && compareNumbers(na, nb) === 0;
  if (a === null || b === null) return false;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof Duration) return b instanceof Duration && a.nanos === b.nanos;
  if (a instanceof Timestamp) return b instanceof Timestamp && a.nanos === b.nanos;
  if (a instanceof TypeVal) return b instanceof TypeVal && a.name === b.name;
  if (a instanceof OptionalVal) {
    if (!(b instanceof OptionalVal)) return false;
    if (a.value === undefined || b.value === undefined) return a.value === b.value;
    return valEquals(a.value, b.value);
  }
  if (a instanceof OpaqueVal) return b instanceof OpaqueVal && a.typeName === b.typeName && a.equals(b);
  if (a instanceof UnknownVal) return b instanceof UnknownVal && JSON.stringify(a.json) === JSON.stringify(b.json);
  if (a instanceof CelList) return b instanceof CelList && listEquals(a, b);
  if (a instanceof CelMap) return b instanceof CelMap && mapEquals(a, b);
  return false;
}

function listEquals(a: CelList, b: CelList): boolean {
  const n = a.size();
  if (n !== b.size()) return false;
  if (a.kind === "set") {
    // Sets compare as sets of their elements.
    for (const x of b) {
      let found = false;
      for (const y of a) if (valEquals(x, y)) found = true;
      if (!found) return false;
    }
    return true;
  }
  if (a.kind === "map" && a.mapKeys) {
    for (const x of b) {
      const match = [...a].find((y) => a.mapKeys!.every((k) => sameKey(y, x, k)));
      if (match === undefined || !valEquals(match, x)) return false;
    }
    return true;
  }
  for (let i = 0; i < n; i++) if (!valEquals(a.get(i), b.get(i))) return false;
  return true;
}

function sameKey(a: Val, b: Val, key: string): boolean {
  if (!(a instanceof CelMap) || !(b instanceof CelMap)) return false;
  const x = a.find(key);
  const y = b.find(key);
  return x !== undefined && y !== undefined && valEquals(x, y);
}

function mapEquals(a: CelMap, b: CelMap): boolean {
  if (a.size() !== b.size()) return false;
  for (const k of a.keys()) {
    const bv = b.find(k);
    if (bv === undefined) return false;
    if (!valEquals(a.find(k)!, bv)) return false;
  }
  return true;
}

/** Ordering for <, <=, >, >=; undefined when the kinds cannot be ordered (no such overload). */
export function compareVals(a: Val, b: Val): number | undefined {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb) ?? NaN;
  if (typeof a === "string" && typeof b === "string") return compareUtf8(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (a instanceof Duration && b instanceof Duration) return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
  if (a instanceof Timestamp && b instanceof Timestamp) return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
  return undefined;
}

/** Go compares strings bytewise in UTF-8, which only differs from UTF-16 order around surrogates. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

/** Code point length (CEL's size() of a string). */
export function stringSize(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
