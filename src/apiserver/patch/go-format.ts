/**
 * Go's fmt rendering of decoded JSON values (map[string]interface{} and friends), for the few
 * error messages upstream builds with %v, %s or reflect type names. JSON numbers without a
 * fraction are int64 in upstream's decoder and float64 otherwise.
 */
import { isJsonObject, type JsonValue } from "./json-value.ts";

function isInt(n: number): boolean {
  return Number.isInteger(n);
}

/** strconv.FormatFloat(f, 'g', -1, 64), which %v uses for float64. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [mantissa, expText] = n.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** %v */
export function goValue(v: JsonValue): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (isJsonObject(v)) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValue(v[k]!)}`);
    return `map[${entries.join(" ")}]`;
  }
  if (typeof v === "number") return isInt(v) ? String(v) : goFloat(v);
  return String(v);
}

/** reflect.TypeOf(v).String(), or Go's rendering of a nil type under %s. */
export function goTypeName(v: JsonValue): string {
  if (v === null) return "%!s(<nil>)";
  if (Array.isArray(v)) return "[]interface {}";
  if (isJsonObject(v)) return "map[string]interface {}";
  if (typeof v === "number") return isInt(v) ? "int64" : "float64";
  return typeof v === "boolean" ? "bool" : "string";
}

/** %s of an interface{} holding `v`: strings print as-is, other scalars as "%!s(type=value)". */
export function goString(v: JsonValue): string {
  if (typeof v === "string") return v;
  if (v === null) return "%!s(<nil>)";
  if (Array.isArray(v)) return `[${v.map(goString).join(" ")}]`;
  if (isJsonObject(v)) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${k}:${goString(v[k]!)}`);
    return `map[${entries.join(" ")}]`;
  }
  return `%!s(${goTypeName(v)}=${goValue(v)})`;
}
