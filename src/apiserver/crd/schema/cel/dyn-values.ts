/**
 * Plain JSON as CEL values without a schema (upstream's unstructured values typed dyn), for
 * expressions over any object: admission policies and webhook match conditions. Whole numbers
 * are ints, others doubles; objects are maps whose fields convert when they are read.
 */
import { CelList, CelMap, type Val } from "./values.ts";

export function dynVal(v: unknown): Val {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "boolean":
    case "string":
      return v;
    case "number":
      return Number.isInteger(v) ? BigInt(v) : v;
    case "object":
      return Array.isArray(v) ? new DynList(v) : new DynMap(v as Record<string, unknown>);
  }
  return null;
}

export class DynMap extends CelMap {
  readonly isObject = false;
  private readonly cache = new Map<string, Val>();

  constructor(readonly json: Record<string, unknown>) {
    super();
  }

  size(): number {
    return Object.keys(this.json).length;
  }

  find(key: Val): Val | undefined {
    if (typeof key !== "string" || !Object.prototype.hasOwnProperty.call(this.json, key)) return undefined;
    let out = this.cache.get(key);
    if (out === undefined) {
      out = dynVal(this.json[key]);
      this.cache.set(key, out);
    }
    return out;
  }

  keys(): Val[] {
    return Object.keys(this.json);
  }
}

export class DynList extends CelList {
  readonly kind = "atomic" as const;
  private readonly items: Val[] = [];

  constructor(readonly json: unknown[]) {
    super();
  }

  size(): number {
    return this.json.length;
  }

  get(i: number): Val {
    if (!(i in this.items)) this.items[i] = dynVal(this.json[i]);
    return this.items[i]!;
  }

  override raw(): unknown[] {
    return this.json;
  }
}

/** A CEL value back to plain JSON (for messageExpression results, audit annotation values). */
export function plainOf(v: Val): unknown {
  if (v instanceof CelList) return [...v].map(plainOf);
  if (v instanceof CelMap) return Object.fromEntries(v.keys().map((k) => [String(k), plainOf(v.find(k)!)]));
  if (typeof v === "bigint") return Number(v);
  return v;
}
