/**
 * Kubernetes resource quantities ("100m", "1.5", "64Mi", "1e3") as exact nano-units, with the
 * rounding the kubelet applies: MilliValue and Value round up.
 */
const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The quantity in nano-units (value × 10⁹), or undefined when it does not parse. */
export function parseQuantity(text: string | number | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const s = String(text).trim();
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === "-" ? -1n : 1n;
  const [whole, frac = ""] = m[2]!.split(".");
  const digits = BigInt((whole || "0") + frac);
  let exp = -frac.length + 9; // nano-units
  const suffix = m[3] ?? "";
  let mult = 1n;
  if (suffix in BINARY) mult = BINARY[suffix]!;
  else if (/^[eE]/.test(suffix)) exp += Number(suffix.slice(1));
  else exp += DECIMAL[suffix]!;
  let v = digits * mult;
  if (exp >= 0) v *= 10n ** BigInt(exp);
  else {
    const d = 10n ** BigInt(-exp);
    v = (v + d - 1n) / d; // round up, as Quantity does below nano precision
  }
  return sign * v;
}

const ceilDiv = (a: bigint, b: bigint) => (a >= 0n ? (a + b - 1n) / b : a / b);

/** MilliValue: thousandths, rounded up. */
export function milliValue(text: string | number | undefined): number {
  const q = parseQuantity(text);
  return q === undefined ? 0 : Number(ceilDiv(q, 1_000_000n));
}

/** Value: whole units, rounded up. */
export function wholeValue(text: string | number | undefined): number {
  const q = parseQuantity(text);
  return q === undefined ? 0 : Number(ceilDiv(q, 1_000_000_000n));
}
