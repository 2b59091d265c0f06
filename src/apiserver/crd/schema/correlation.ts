/**
 * Pairs the parts of an updated object with the same parts of the old object (upstream's
 * CorrelatedObject), for validation ratcheting: an error in a part that did not change is not
 * reported, so objects stored under an older, looser schema can still be updated.
 *
 * Object fields correlate by name; list items only in x-kubernetes-list-type=map lists, by
 * their key fields (first old item with the key wins). Atomic and set lists do not correlate.
 */
import { fieldSchema, type Structural } from "./structural.ts";
import { deepEqual, hasKey, isObject, type JsonObject } from "./types.ts";

/** The composite key of a map-list item, or undefined when a key is missing or not a scalar. */
export function mapListKey(keys: string[], item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  let out = "";
  for (const k of keys) {
    if (!hasKey(item, k)) return undefined;
    const v = item[k];
    switch (typeof v) {
      case "boolean":
        out += `\0b${v}`;
        break;
      case "number":
        out += Number.isInteger(v) ? `\0i${v}` : `\0f${v}`;
        break;
      case "string":
        out += `\0s${JSON.stringify(v)}`;
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** Old items of a map list, found by the key of a new item. */
export class MapList {
  private readonly keyed = new Map<string, unknown>();
  private next = 0;

  constructor(
    private readonly keys: string[],
    private readonly items: unknown[],
  ) {}

  static of(s: Structural | undefined, items: unknown): MapList | undefined {
    if (!s || s.type !== "array" || s.listType !== "map" || !s.listMapKeys?.length || !Array.isArray(items) || items.length === 0) return undefined;
    return new MapList(s.listMapKeys, items);
  }

  get(item: unknown): unknown {
    const key = mapListKey(this.keys, item);
    if (key === undefined) return undefined;
    if (this.keyed.has(key)) return this.keyed.get(key);
    while (this.next < this.items.length) {
      const candidate = this.items[this.next++];
      const k = mapListKey(this.keys, candidate);
      if (k === undefined) continue;
      if (!this.keyed.has(k)) this.keyed.set(k, candidate);
      if (k === key) return candidate;
    }
    return undefined;
  }
}

export class Correlation {
  private equal: boolean | undefined;
  private children: Map<string | number, Correlation | undefined> | undefined;
  private oldItems: MapList | undefined | null = null;

  constructor(
    readonly value: unknown,
    readonly old: unknown,
    readonly schema: Structural | undefined,
  ) {}

  /** The correlated child for a field present in both objects, or undefined. */
  key(field: string): Correlation | undefined {
    if (!this.schema) return undefined;
    const cached = this.children?.get(field);
    if (cached !== undefined || this.children?.has(field)) return cached;
    let child: Correlation | undefined;
    if (isObject(this.value) && isObject(this.old) && hasKey(this.value, field) && hasKey(this.old, field)) {
      const s = fieldSchema(this.schema, field);
      if (s) child = new Correlation(this.value[field], this.old[field], s);
    }
    (this.children ??= new Map()).set(field, child);
    return child;
  }

  /** The correlated child for the new list's item i (map lists only), or undefined. */
  index(i: number): Correlation | undefined {
    if (!this.schema) return undefined;
    const cached = this.children?.get(i);
    if (cached !== undefined || this.children?.has(i)) return cached;
    let child: Correlation | undefined;
    if (Array.isArray(this.value) && i < this.value.length && Array.isArray(this.old) && this.schema.items) {
      if (this.oldItems === null) this.oldItems = MapList.of(this.schema, this.old);
      const old = this.oldItems?.get(this.value[i]);
      if (old !== undefined && old !== null) child = new Correlation(this.value[i], old, this.schema.items);
    }
    (this.children ??= new Map()).set(i, child);
    return child;
  }

  /** Whether new and old are equal, comparing through correlated children (upstream's CachedDeepEqual). */
  deepEqual(): boolean {
    if (this.equal !== undefined) return this.equal;
    this.equal = this.compare();
    return this.equal;
  }

  private compare(): boolean {
    const v = this.value;
    const o = this.old;
    if ((v === null || v === undefined) && (o === null || o === undefined)) return true;
    if (v === null || v === undefined || o === null || o === undefined) return false;
    if (Array.isArray(v) !== Array.isArray(o) || isObject(v) !== isObject(o)) return false;
    if (Array.isArray(v)) {
      const old = o as unknown[];
      if (v.length !== old.length) return false;
      for (let i = 0; i < v.length; i++) {
        const child = this.index(i);
        if (!child) return this.oldItems ? false : deepEqual(old, v);
        if (!child.deepEqual()) return false;
      }
      return true;
    }
    if (isObject(v)) {
      const old = o as JsonObject;
      if (Object.keys(v).length !== Object.keys(old).length) return false;
      for (const k of Object.keys(v)) {
        const child = this.key(k);
        if (!child || !child.deepEqual()) return false;
      }
      return true;
    }
    return deepEqual(v, o);
  }
}
