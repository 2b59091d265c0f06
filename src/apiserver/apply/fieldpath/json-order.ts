/**
 * JSON values as field paths need them: a total order (so sets of path elements sort the way
 * upstream's do), the compact encoding Go's JSON encoder produces (the text inside `k:{...}` and
 * `v:...` keys of managedFields) and the `%v`-style rendering used in conflict messages.
 */
import { isJsonObject, type JsonValue } from "../../patch/json-value.ts";

/** Rank of a value's kind in the order: numbers, strings, booleans, lists, maps, null. */
function rank(v: JsonValue): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null) return 4;
  return 5;
}

/**
 * Go compares strings bytewise, which for UTF-8 is code point order. UTF-16 code unit order (JS
 * `<`) agrees except between surrogate pairs and U+E000..U+FFFF, so only then are code points read.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

/** A total order over JSON values (upstream's value.Compare): kinds first, then contents. */
export function compareJson(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const x = a as JsonValue[];
      const y = b as JsonValue[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareJson(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case 4: {
      const x = a as Record<string, JsonValue>;
      const y = b as Record<string, JsonValue>;
      const kx = Object.keys(x).sort(compareStrings);
      const ky = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const c = compareStrings(kx[i]!, ky[i]!) || compareJson(x[kx[i]!]!, y[ky[i]!]!);
        if (c !== 0) return c;
      }
      return kx.length < ky.length ? -1 : kx.length > ky.length ? 1 : 0;
    }
    default:
      return 0;
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029]/;
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * A string as Go's JSON encoder writes it: HTML-significant characters and the JavaScript line
 * separators are escaped as \u00XX / \u2028, other control characters as \u00XX.
 */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || ch === "<" || ch === ">" || ch === "&" || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** Compact JSON as Go writes it; object keys keep their order (callers sort where Go would). */
export function goJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  return `{${Object.keys(v)
    .map((k) => `${goJsonString(k)}:${goJson(v[k]!)}`)
    .join(",")}}`;
}

/** How a value prints inside a field path (`[name="web"]`, `[port=80]`): strings quoted, the rest as is. */
export function pathValueString(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(pathValueString).join(",")}]`;
  if (isJsonObject(v)) return Object.keys(v).map((k) => `${k}=${pathValueString(v[k]!)}`).join("");
  return String(v);
}
