/**
 * Resource quantities ("500m", "1Gi", "1e3"), as k8s.io/apimachinery/pkg/api/resource.Quantity
 * parses, compares and prints them. The apiserver re-encodes every quantity in canonical form
 * ("1024Mi" comes back as "1Gi", "0.5" as "500m"), so defaulting canonicalizes them too.
 *
 * Values are kept exactly as a BigInt count of nano-units (upstream's smallest scale); input
 * finer than that is rounded up (away from zero), as upstream does.
 */

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface Quantity {
  /** The value times 10^9. */
  nanos: bigint;
  format: QuantityFormat;
}

const NANO = 1_000_000_000n;

const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIX).map(([s, e]) => [e / 10, s]));

const QUANTITY_RE = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Upstream's resource.ErrFormatWrong text, used in validation messages. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Parses a quantity string, or returns undefined when it is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY_RE.exec(text.trim() === text ? text : "");
  if (!m) return undefined;
  const [, sign = "", whole = "", frac = "", suffix = ""] = m;
  if (whole === "" && frac === "") return undefined;
  let format: QuantityFormat = "DecimalSI";
  let num = BigInt(whole + frac || "0");
  let den = 10n ** BigInt(frac.length);
  if (suffix in BINARY_SUFFIX) {
    format = "BinarySI";
    num *= 1n << BigInt(BINARY_SUFFIX[suffix]!);
  } else {
    let exp: number;
    if (suffix in DECIMAL_SUFFIX) exp = DECIMAL_SUFFIX[suffix]!;
    else {
      format = "DecimalExponent";
      exp = Number(suffix.slice(1));
    }
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  let nanos = ceilDiv(num * NANO, den);
  if (sign === "-") nanos = -nanos;
  // Binary values below 1Ki print as plain decimals upstream.
  if (format === "BinarySI" && abs(nanos) < 1024n * NANO) format = "DecimalSI";
  return { nanos, format };
}

/** Rounds away from zero to a multiple of 10^-scale (upstream's Quantity.RoundUp(-scale)). */
export function roundUpTo(q: Quantity, decimals: number): Quantity {
  const step = 10n ** BigInt(9 - decimals);
  const sign = q.nanos < 0n ? -1n : 1n;
  return { ...q, nanos: sign * ceilDiv(abs(q.nanos), step) * step };
}

/** The canonical text upstream would print for the quantity. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return "0";
  if (q.format === "BinarySI" && abs(q.nanos) >= 1024n * NANO && q.nanos % NANO === 0n) return formatBinary(q.nanos / NANO);
  return formatDecimal(q.nanos, q.format);
}

function formatBinary(value: bigint): string {
  let mantissa = value;
  let exp = 0;
  while (mantissa % 1024n === 0n && exp < 6) {
    mantissa /= 1024n;
    exp++;
  }
  return `${mantissa}${BINARY_BY_EXPONENT.get(exp) ?? ""}`;
}

function formatDecimal(nanos: bigint, format: QuantityFormat): string {
  let mantissa = nanos;
  let exp = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp++;
  }
  // Exponents are multiples of 3 (k, M, m, u, ...), so give back what does not divide.
  const extra = ((exp % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(extra);
  exp -= extra;
  if (format === "DecimalExponent") return exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
  const suffix = DECIMAL_BY_EXPONENT.get(exp);
  return suffix === undefined ? `${mantissa}e${exp}` : `${mantissa}${suffix}`;
}

/** Canonical form of a quantity string; unparseable text is returned unchanged for validation to report. */
export function canonicalQuantity(text: string, roundToMilli = false): string {
  const q = parseQuantity(text);
  if (!q) return text;
  return formatQuantity(roundToMilli ? roundUpTo(q, 3) : q);
}

/** -1, 0 or 1, as a < b, a = b, a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** Quantities arrive as strings, but JSON numbers (`cpu: 1`) are accepted as upstream does. */
export function quantityText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}
