/**
 * JSON values as the patch engines handle them. Parsed JSON can carry keys such as "__proto__"
 * or "constructor" as ordinary data, so every read and write goes through own-property helpers:
 * plain `obj[key]` would reach Object.prototype or rewrite an object's prototype instead.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function hasOwn(obj: JsonObject, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** The value of an own key, or undefined when the key is absent. */
export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

export function deleteOwn(obj: JsonObject, key: string): void {
  delete obj[key];
}

/** Structural equality: objects by keys regardless of order, arrays element-wise. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  const stack: Array<[JsonValue, JsonValue]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      x.forEach((v, i) => stack.push([v, y[i]!]));
    } else if (isJsonObject(x)) {
      if (!isJsonObject(y)) return false;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const k of keys) {
        if (!hasOwn(y, k)) return false;
        stack.push([x[k]!, y[k]!]);
      }
    } else return false;
  }
  return true;
}

/** What kind of JSON value this is, the way Go's decoder names it ("object", "array", ...). */
export function jsonKind(v: JsonValue): "object" | "array" | "string" | "number" | "bool" | "null" {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v === "string" ? "string" : "number";
}
