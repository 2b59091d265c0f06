/**
 * Go's time.Duration text form ("1h2m3.5s", "1.5ms", "0s"): metav1.Duration marshals to JSON
 * with Duration.String() and parses with time.ParseDuration, so both directions must match Go.
 * BigInt keeps the int64 nanoseconds exact beyond 2^53 (~104 days).
 */

const NS = 1n;
const US = 1000n;
const MS = 1000000n;
const SEC = 1000000000n;
const MIN = 60n * SEC;
const HOUR = 60n * MIN;

const UNITS: Record<string, bigint> = { ns: NS, us: US, "\u00b5s": US, "\u03bcs": US, ms: MS, s: SEC, m: MIN, h: HOUR };

/** Fraction of v / 10^prec without trailing zeros (and without the dot when it is 0), like Go's fmtFrac. */
function frac(v: bigint, prec: number): [string, bigint] {
  let digits = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const d = v % 10n;
    print = print || d !== 0n;
    if (print) digits = d.toString() + digits;
    v /= 10n;
  }
  return [print ? "." + digits : "", v];
}

export function formatGoDuration(nanos: bigint): string {
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < SEC) {
    if (u === 0n) return "0s";
    let unit: string;
    let prec: number;
    if (u < US) [unit, prec] = ["ns", 0];
    else if (u < MS) [unit, prec] = ["\u00b5s", 3];
    else [unit, prec] = ["ms", 6];
    const [f, whole] = frac(u, prec);
    out = whole.toString() + f + unit;
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = (u % 60n).toString() + f + "s";
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + "m" + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

/** Go's time-package quote(): ASCII kept (with \" and \\ escaped), other bytes as \xNN. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch, "utf8")) out += "\\x" + b.toString(16).padStart(2, "0");
    } else out += ch === '"' || ch === "\\" ? "\\" + ch : ch;
  }
  return out + '"';
}

const MAX = 1n << 63n;

/**
 * time.ParseDuration, step for step (including its float64 arithmetic for fractions, which
 * decides the last nanosecond), with Go's error texts.
 */
export function parseGoDuration(s: string): bigint {
  const orig = s;
  const invalid = () => new Error(`time: invalid duration ${quote(orig)}`);
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) throw invalid();
    // leadingInt
    let v = 0n;
    let i = 0;
    for (; isDigit(s[i]); i++) {
      if (v > MAX / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > MAX) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // leadingFraction: digits past uint64 overflow are dropped; scale is a float64.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (MAX - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > MAX) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && s[u] !== "." && !isDigit(s[u])) u++;
    if (u === 0) throw new Error(`time: missing unit in duration ${quote(orig)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS[unitName];
    if (unit === undefined) throw new Error(`time: unknown unit ${quote(unitName)} in duration ${quote(orig)}`);
    if (v > MAX / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX) throw invalid();
    }
    d += v;
    if (d > MAX) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX - 1n) throw invalid();
  return d;
}
