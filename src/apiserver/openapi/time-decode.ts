/**
 * Whether a string decodes as a metav1.Time or metav1.MicroTime, and if not, the *time.ParseError
 * text Go's time.Parse gives, which kube-apiserver passes through verbatim:
 *
 *   parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"
 *   parsing time "2024-13-01T00:00:00Z": month out of range
 *
 * Only the two layouts the API types use are modelled. Go's parser is byte-oriented and more
 * lenient than RFC 3339 in places (a one-digit hour, a comma before the fraction, any fraction
 * length for Time); those leniencies are kept, since a value Go accepts must not be refused here.
 */

/** time.RFC3339, metav1.Time's layout. */
export const RFC3339 = "2006-01-02T15:04:05Z07:00";
/** metav1.RFC3339Micro, metav1.MicroTime's layout: exactly six fractional digits. */
export const RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00";

type Field = "year" | "month" | "day" | "hour" | "minute" | "second" | "fraction" | "zone" | "end";

/** One step of Go's parse loop: the literal text before a layout element, and the element. */
interface Step {
  prefix: string;
  field: Field;
  /** The element as written in the layout ("2006", "Z07:00"), quoted in error messages. */
  text: string;
}

function steps(micro: boolean): Step[] {
  return [
    { prefix: "", field: "year", text: "2006" },
    { prefix: "-", field: "month", text: "01" },
    { prefix: "-", field: "day", text: "02" },
    { prefix: "T", field: "hour", text: "15" },
    { prefix: ":", field: "minute", text: "04" },
    { prefix: ":", field: "second", text: "05" },
    ...(micro ? [{ prefix: "", field: "fraction" as const, text: ".000000" }] : []),
    { prefix: "", field: "zone", text: "Z07:00" },
    { prefix: "", field: "end", text: "" },
  ];
}

const TIME_STEPS = steps(false);
const MICRO_STEPS = steps(true);

// Fast accept for the canonical forms the API server itself writes, so well-formed timestamps
// skip the byte-level walk; anything else goes through the full parser.
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const CANONICAL_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(?:Z|[+-]\d{2}:\d{2})$/;

/** The ParseError text for `value` under metav1.Time's layout, or undefined if it parses. */
export function timeParseError(value: string): string | undefined {
  return parseError(value, false);
}

/** The same under metav1.MicroTime's layout. */
export function microTimeParseError(value: string): string | undefined {
  return parseError(value, true);
}

function parseError(value: string, micro: boolean): string | undefined {
  const canonical = micro ? CANONICAL_MICRO : CANONICAL_TIME;
  if (canonical.test(value) && inRange(value)) return undefined;
  // Go indexes strings by byte: work on the UTF-8 bytes, one char per byte.
  return walk(Buffer.from(value, "utf8").toString("latin1"), micro);
}

/** Range checks for a string that matched a canonical pattern (fixed positions). */
function inRange(v: string): boolean {
  const year = Number(v.slice(0, 4));
  const month = Number(v.slice(5, 7));
  const day = Number(v.slice(8, 10));
  const hour = Number(v.slice(11, 13));
  const minute = Number(v.slice(14, 16));
  const second = Number(v.slice(17, 19));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  if (day < 1 || day > daysIn(month, year)) return false;
  if (!v.endsWith("Z")) {
    const offHour = Number(v.slice(-5, -3));
    const offMinute = Number(v.slice(-2));
    if (offHour > 24 || offMinute > 60) return false;
  }
  return true;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): { n: number; rest: string; ok: boolean } {
  if (!isDigit(s, 0)) return { n: 0, rest: s, ok: false };
  if (!isDigit(s, 1)) {
    if (fixed) return { n: 0, rest: s, ok: false };
    return { n: s.charCodeAt(0) - 0x30, rest: s.slice(1), ok: true };
  }
  return { n: (s.charCodeAt(0) - 0x30) * 10 + (s.charCodeAt(1) - 0x30), rest: s.slice(2), ok: true };
}

/** Go's time-package atoi: an optional sign, then only digits. */
function atoi(s: string): number | undefined {
  let body = s;
  let negative = false;
  if (body.startsWith("-") || body.startsWith("+")) {
    negative = body.startsWith("-");
    body = body.slice(1);
  }
  if (!/^\d*$/.test(body)) return undefined;
  const n = body === "" ? 0 : Number(body);
  return negative ? -n : n;
}

/** Go's parseNanoseconds over value[0:nbytes] (a separator, then digits); only failures matter here. */
function fractionProblem(value: string, nbytes: number): { range: string; ok: boolean } {
  const c = value[0];
  if (c !== "." && c !== ",") return { range: "", ok: false };
  const ns = atoi(value.slice(1, Math.min(nbytes, 10)));
  if (ns === undefined) return { range: "", ok: false };
  if (ns < 0) return { range: "fractional second", ok: true };
  return { range: "", ok: true };
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Go's time-package quote(): ASCII printable bytes as themselves (with " and \ escaped), every
 * other byte as \xNN. `s` holds one byte per char.
 */
export function goTimeQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x80) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c === 0x22 || c === 0x5c) out += `\\${s[i]}`;
    else out += s[i];
  }
  return `${out}"`;
}

function message(layout: string, value: string, layoutElem: string, valueElem: string, extra: string): string {
  if (extra !== "") return `parsing time ${goTimeQuote(value)}${extra}`;
  return `parsing time ${goTimeQuote(value)} as ${goTimeQuote(layout)}: cannot parse ${goTimeQuote(valueElem)} as ${goTimeQuote(layoutElem)}`;
}

/** Literal prefix matching (the layouts have no spaces, so Go's space folding never applies). */
function skip(value: string, prefix: string): { rest: string; ok: boolean } {
  let v = value;
  for (const ch of prefix) {
    if (v.length === 0 || v[0] !== ch) return { rest: v, ok: false };
    v = v.slice(1);
  }
  return { rest: v, ok: true };
}

function walk(input: string, micro: boolean): string | undefined {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const plan = micro ? MICRO_STEPS : TIME_STEPS;
  let value = input;
  let year = 0;
  let month = 1;
  let day = 1;
  for (let k = 0; k < plan.length; k++) {
    const step = plan[k]!;
    const skipped = skip(value, step.prefix);
    if (!skipped.ok) return message(layout, input, step.prefix, skipped.rest, "");
    value = skipped.rest;
    if (step.field === "end") {
      if (value.length !== 0) return message(layout, input, "", value, `: extra text: ${goTimeQuote(value)}`);
      break;
    }
    const hold = value;
    let range = "";
    let ok = true;
    switch (step.field) {
      case "year": {
        if (value.length < 4 || !isDigit(value, 0)) {
          ok = false;
          break;
        }
        const y = atoi(value.slice(0, 4));
        value = value.slice(4);
        if (y === undefined) ok = false;
        else year = y;
        break;
      }
      case "month": {
        const r = getnum(value, true);
        ({ rest: value, ok } = r);
        month = r.n;
        if (ok && (month <= 0 || month > 12)) range = "month";
        break;
      }
      case "day": {
        const r = getnum(value, true);
        ({ rest: value, ok } = r);
        day = r.n;
        break;
      }
      case "hour": {
        const r = getnum(value, false);
        ({ rest: value, ok } = r);
        if (r.n >= 24) range = "hour";
        break;
      }
      case "minute": {
        const r = getnum(value, true);
        ({ rest: value, ok } = r);
        if (r.n >= 60) range = "minute";
        break;
      }
      case "second": {
        const r = getnum(value, true);
        ({ rest: value, ok } = r);
        if (!ok) break;
        if (r.n >= 60) {
          range = "second";
          break;
        }
        // A fraction the layout does not ask for is still consumed, as Go does, unless the
        // layout's next element is the fraction itself.
        if (value.length >= 2 && (value[0] === "." || value[0] === ",") && isDigit(value, 1)) {
          if (plan[k + 1]?.field === "fraction") break;
          let n = 2;
          while (n < value.length && isDigit(value, n)) n++;
          ({ range, ok } = fractionProblem(value, n));
          value = value.slice(n);
        }
        break;
      }
      case "fraction": {
        if (value.length < 7) {
          ok = false;
          break;
        }
        ({ range, ok } = fractionProblem(value, 7));
        value = value.slice(7);
        break;
      }
      case "zone": {
        if (value.length >= 1 && value[0] === "Z") {
          value = value.slice(1);
          break;
        }
        if (value.length < 6 || value[3] !== ":") {
          ok = false;
          break;
        }
        const sign = value[0];
        const hr = getnum(value.slice(1, 3), true);
        const mm = hr.ok ? getnum(value.slice(4, 6), true) : { n: 0, ok: false };
        value = value.slice(6);
        ok = hr.ok && mm.ok;
        if (hr.n > 24) range = "time zone offset hour";
        if (mm.n > 60) range = "time zone offset minute";
        if (sign !== "+" && sign !== "-") ok = false;
        break;
      }
    }
    if (range !== "") return message(layout, input, step.text, value, `: ${range} out of range`);
    if (!ok) return message(layout, input, step.text, hold, "");
  }
  if (day < 1 || day > daysIn(month, year)) return message(layout, input, "", value, ": day out of range");
  return undefined;
}
