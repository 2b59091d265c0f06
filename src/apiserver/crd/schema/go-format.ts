/**
 * Go's fmt renderings of decoded JSON values, because CRD validation messages are built with
 * fmt in kube-apiserver: `%v` of a float64 ("1e+06"), `%q` of a string, and `%#v` of the
 * map[string]interface{} / []interface{} values unstructured objects are made of.
 *
 * Integral JSON numbers are int64 to Go (kube-apiserver decodes them so), others float64.
 */
import { GoFormattedValue } from "../../api/errors.ts";
import { goQuote } from "../../validation/go-quote.ts";

/** `%v` of a float64: the shortest digits, in exponent form below 1e-4 and from 1e+06 (strconv's 'g', -1). */
export function goFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    const digits = String(Math.abs(exp)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(x);
}

/** `%v` of a JSON number as Go decodes it (int64 when integral). */
export function goNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 2 ** 63 ? BigInt(x).toString() : goFloat(x);
}

/** `%#v` of a decoded JSON value inside an interface{}. */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return "interface {}(nil)";
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number") return goNumber(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(", ")}}`;
  if (typeof v === "object") {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort(compareGoStrings);
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(obj[k])}`).join(", ")}}`;
  }
  return String(v);
}

/** Go sorts map keys bytewise (UTF-8), which differs from UTF-16 order for astral characters. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ba = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return Buffer.compare(ba, bb);
}

/**
 * A bad value for a FieldError, printed as field.Error prints it: strings quoted, numbers and
 * booleans plain, null as "null", maps and slices in `%#v`.
 */
export function badValue(v: unknown): unknown {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? v : new GoFormattedValue(goFloat(v), v);
  if (typeof v === "object") return new GoFormattedValue(goSharpV(v), v);
  return v;
}
