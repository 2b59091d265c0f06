/**
 * Custom-object JSON seen as CEL values through its schema (upstream's UnstructuredToVal):
 * values convert when they are read, so rules pay only for the fields they touch. Data that
 * does not fit the schema becomes an error at the point it is read.
 */
import { parseRFC3339, parseDate, parseFormatDuration, checkedTimestamp, checkedDuration } from "./time.ts";
import type { Structural } from "../structural.ts";
import { hasKey, isObject, type JsonObject } from "../types.ts";
import { escapeName, unescapeName, withTypeAndObjectMeta } from "./decl.ts";
import { CelError, CelList, CelMap, UnknownVal, type ListKind, type Val } from "./values.ts";

function goTypeName(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

export function toVal(v: unknown, s: Structural): Val {
  if (v === null || v === undefined) {
    if (s.nullable) return null;
    throw new CelError("invalid data, got null for schema with nullable=false");
  }
  if (s.intOrString) {
    if (typeof v === "string") return v;
    if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
    throw new CelError("invalid data, expected XIntOrString value to be either a string or integer");
  }
  switch (s.type) {
    case "object": {
      if (!isObject(v)) throw new CelError("invalid data, expected a map for the provided schema with type=object");
      if (s.embeddedResource || s.properties) return new ObjectVal(v, s.embeddedResource ? withTypeAndObjectMeta(s) : s);
      if (s.additionalProperties?.schema) return new JsonMapVal(v, s.additionalProperties.schema);
      return new ObjectVal(v, s);
    }
    case "array":
      if (!Array.isArray(v)) throw new CelError("invalid data, expected an array for the provided schema with type=array");
      if (!s.items) throw new CelError("invalid array type, expected Items with a non-empty Schema");
      return new JsonListVal(v, s);
    case "string": {
      if (typeof v !== "string") throw new CelError(`invalid data, expected string, got ${goTypeName(v)}`);
      switch (s.raw.format) {
        case "duration": {
          const d = parseFormatDuration(v);
          if (d === undefined) throw new CelError(`Invalid duration ${v}: unable to parse ${v} as duration`);
          return checkedDuration(d);
        }
        case "date": {
          const d = parseDate(v);
          if (d === undefined) throw new CelError(`Invalid date formatted string ${v}: parsing time ${JSON.stringify(v)} as "2006-01-02": cannot parse ${JSON.stringify(v)} as "2006"`);
          return checkedTimestamp(d);
        }
        case "date-time": {
          const t = v === "" ? 0n : parseRFC3339(v, true);
          if (t === undefined) throw new CelError(`Invalid date-time formatted string ${v}: parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
          return checkedTimestamp(t);
        }
        case "byte": {
          // strfmt.Base64 decodes with the URL alphabet, padding required.
          if (!/^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/.test(v)) throw new CelError(`Invalid byte formatted string ${v}: illegal base64 data at input byte 0`);
          return Uint8Array.from(Buffer.from(v, "base64url"));
        }
      }
      return v;
    }
    case "number":
      if (typeof v !== "number") throw new CelError(`invalid data, expected float, got ${goTypeName(v)}`);
      return v;
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v)) throw new CelError(`invalid data, expected int, got ${goTypeName(v)}`);
      return BigInt(v);
    case "boolean":
      if (typeof v !== "boolean") throw new CelError(`invalid data, expected bool, got ${goTypeName(v)}`);
      return v;
  }
  if (s.preserveUnknownFields) return new UnknownVal(v);
  throw new CelError(`invalid type, expected object, array, number, integer, boolean or string, or no type with x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true, got ${s.type}`);
}

/** A JSON object with declared properties: keys are escaped names, null fields count as absent. */
export class ObjectVal extends CelMap {
  readonly isObject: boolean;
  /** Converted fields: a rule reading self.x in a loop converts it once. */
  private cache: Map<string, Val | undefined> | undefined;

  constructor(
    readonly json: JsonObject,
    readonly schema: Structural,
  ) {
    super();
    this.isObject = schema.properties !== undefined;
  }

  size(): number {
    return Object.keys(this.json).length;
  }

  find(key: Val): Val | undefined {
    if (typeof key !== "string") throw new CelError("no such overload");
    const k = this.isObject ? unescapeName(key) : key;
    if (k === undefined || !hasKey(this.json, k)) return undefined;
    const v = this.json[k];
    if (this.isObject && v === null) return undefined;
    const prop = this.schema.properties?.get(k);
    if (!prop) return undefined;
    this.cache ??= new Map();
    if (this.cache.has(k)) return this.cache.get(k);
    const out = toVal(v, prop);
    this.cache.set(k, out);
    return out;
  }

  keys(): Val[] {
    const out: Val[] = [];
    for (const k of Object.keys(this.json)) {
      if (!this.schema.properties?.has(k)) continue;
      out.push(this.isObject ? (escapeName(k) ?? k) : k);
    }
    return out;
  }
}

/** A JSON object under additionalProperties: a map(string, V). */
export class JsonMapVal extends CelMap {
  readonly isObject = false;

  constructor(
    readonly json: JsonObject,
    readonly valueSchema: Structural,
  ) {
    super();
  }

  size(): number {
    return Object.keys(this.json).length;
  }

  find(key: Val): Val | undefined {
    if (typeof key !== "string") throw new CelError("no such overload");
    if (!hasKey(this.json, key)) return undefined;
    return toVal(this.json[key], this.valueSchema);
  }

  keys(): Val[] {
    return Object.keys(this.json);
  }
}

export class JsonListVal extends CelList {
  readonly kind: ListKind;
  private items: Val[] | undefined;

  constructor(
    readonly json: unknown[],
    readonly schema: Structural,
  ) {
    super();
    const t = schema.listType;
    this.kind = t === "set" ? "set" : t === "map" ? "map" : "atomic";
    if (this.kind === "map") this.mapKeys = (schema.listMapKeys ?? []).map((k) => escapeName(k) ?? k);
  }

  size(): number {
    return this.json.length;
  }

  get(i: number): Val {
    if (this.items && i in this.items) return this.items[i]!;
    const v = toVal(this.json[i], this.schema.items!);
    (this.items ??= [])[i] = v;
    return v;
  }

  override raw(): unknown[] {
    return this.json;
  }
}
