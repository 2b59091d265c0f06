/**
 * Whether a JSON value decodes into a resource.Quantity field, and if not, the error its
 * UnmarshalJSON returns (kube-apiserver passes it through as the decode error):
 *
 *   quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
 *   unable to parse quantity's suffix
 *   unable to parse numeric part of quantity
 *
 * Upstream's scanner is more lenient than its regular expression (".", "-" and " 1Gi " are
 * quantities; "1K" is a bad suffix, not a bad format), and validation/quantity.ts is stricter, so
 * the scan is modelled here step by step rather than reusing that parser: a value Go accepts at
 * decode time must not be refused here.
 */
import { QUANTITY_FORMAT_ERROR } from "../validation/quantity.ts";

export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
export const QUANTITY_NUMERIC_ERROR = "unable to parse numeric part of quantity";

/** Go's unicode.IsSpace set, which strings.TrimSpace strips (JS trim() differs: U+FEFF, U+0085). */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const SUFFIX_CHARS = "eEinumkKMGTP";
const DECIMAL_EXPONENT: Record<string, number> = { "": 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENT: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_TEXT = /^[+-]?\d+$/;
const INT64_MAX = 2n ** 63n - 1n;

/** Fast accept for everyday quantities ("100m", "1Gi", "0.5", "2"). */
const COMMON = /^\d+(?:\.\d+)?(?:[numkMGTPE]|[KMGTPE]i)?$/;

/**
 * The decode error for a JSON value bound for a Quantity field, or undefined if it decodes.
 * Strings are parsed after trimming; numbers always parse; null is a zero quantity; objects,
 * arrays and booleans reach the parser as their JSON text, which never matches.
 */
export function quantityDecodeError(value: unknown): string | undefined {
  if (value === null || typeof value === "number") return undefined;
  if (typeof value !== "string") return QUANTITY_FORMAT_ERROR;
  if (COMMON.test(value)) return undefined;
  return parseError(value.replace(GO_SPACE, ""));
}

interface Scanned {
  /** The sign and number before the suffix ("-1.5"); may hold no digits at all ("-", "."). */
  value: string;
  suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** parseQuantityString: sign, digits, fraction, then suffix letters, a sign and digits. */
function scan(str: string): Scanned | undefined {
  const end = str.length;
  let pos = 0;
  if (str[0] === "-" || str[0] === "+") pos++;
  while (pos < end && str[pos] === "0") pos++;
  if (pos >= end) return { value: "0", suffix: "" };
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos >= end) return { value: str, suffix: "" };
  if (str[pos] === ".") {
    pos++;
    while (pos < end && isDigit(str[pos])) pos++;
    if (pos >= end) return { value: str, suffix: "" };
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { value, suffix: str.slice(suffixStart) };
}

type Interpreted = { binary: false; exponent: number } | { binary: true; exponent: number };

/** The suffix tables, then "e<int64>" / "E<int64>" (the exponent wraps to int32, as upstream). */
function interpret(suffix: string): Interpreted | undefined {
  if (Object.hasOwn(DECIMAL_EXPONENT, suffix)) return { binary: false, exponent: DECIMAL_EXPONENT[suffix]! };
  if (Object.hasOwn(BINARY_EXPONENT, suffix)) return { binary: true, exponent: BINARY_EXPONENT[suffix]! };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const digits = suffix.slice(1);
    if (!INT64_TEXT.test(digits)) return undefined;
    const n = BigInt(digits);
    if (n > INT64_MAX || n < -INT64_MAX - 1n) return undefined;
    return { binary: false, exponent: Number(BigInt.asIntN(32, n)) };
  }
  return undefined;
}

function parseError(str: string): string | undefined {
  if (str === "") return QUANTITY_FORMAT_ERROR;
  if (str === "0") return undefined;
  const scanned = scan(str);
  if (!scanned) return QUANTITY_FORMAT_ERROR;
  const suffix = interpret(scanned.suffix);
  if (!suffix) return QUANTITY_SUFFIX_ERROR;
  // A number with digits always parses (exactly or as an arbitrary-precision decimal). One
  // without digits ("-", ".") parses only on the int64 fast path, which upstream skips for
  // scales below nano and for binary suffixes of Pi and up.
  if (/\d/.test(scanned.value)) return undefined;
  const fastPath = suffix.binary ? 15 - 1 - Math.trunc((suffix.exponent * 3) / 10) - 1 >= 0 : suffix.exponent >= -9;
  return fastPath ? undefined : QUANTITY_NUMERIC_ERROR;
}
