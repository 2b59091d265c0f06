/**
 * How client-go's JSONPath prints one result: maps and arrays as compact JSON (Go's encoder:
 * sorted keys, HTML-safe escapes), everything else as Go's fmt.Fprint would, and a JSON null as
 * text/template's "<no value>".
 */
import type { Json } from "./evaluate.ts";
import { goValue } from "../../patch/go-format.ts";

export function printResult(v: Json): string {
  if (v === null) return "<no value>";
  if (typeof v === "object") return goJson(v);
  return goValue(v);
}

/** encoding/json.Marshal of a decoded value. */
export function goJson(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${goJsonString(k)}:${goJson(v[k]!)}`).join(",")}}`;
  }
  if (typeof v === "string") return goJsonString(v);
  return JSON.stringify(v);
}

/** Go escapes <, > and & (and the JavaScript line separators) where JSON.stringify does not. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
