/**
 * Durations and timestamps as CEL and Go handle them: duration("1h30m") and timestamp("...")
 * literals, their string forms ("5400s", RFC 3339 with nanoseconds), the date-time/date/duration
 * string formats of CRD fields, and calendar getters in a time zone.
 */
import { daysIn, parseGoDuration } from "../formats.ts";
import { CelError, Duration, Timestamp } from "./values.ts";

const NS = 1_000_000_000n;
/** CEL's timestamp range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
const MIN_TS = -62135596800n * NS;
const MAX_TS = 253402300799n * NS + 999_999_999n;
/** CEL durations are limited to about ±10000 years, as protobuf's Duration. */
const MAX_DURATION = 315576000000n * NS;

export function checkedDuration(nanos: bigint): Duration {
  if (nanos > MAX_DURATION || nanos < -MAX_DURATION) throw new CelError("duration out of range");
  return new Duration(nanos);
}

export function checkedTimestamp(nanos: bigint): Timestamp {
  if (nanos < MIN_TS || nanos > MAX_TS) throw new CelError("timestamp out of range");
  return new Timestamp(nanos);
}

/** CEL's duration(string): Go's time.ParseDuration. */
export function parseDuration(s: string): Duration {
  const n = parseGoDuration(s);
  if (n === undefined) throw new CelError(`invalid duration: time: invalid duration ${JSON.stringify(s)}`);
  return checkedDuration(n);
}

/** strfmt.ParseDuration: Go durations, or "<n><unit>" phrases with days and weeks. */
export function parseFormatDuration(s: string): bigint | undefined {
  const go = parseGoDuration(s);
  if (go !== undefined) return go;
  const units: Array<[string[], bigint]> = [
    [["ns", "nano"], 1n],
    [["us", "µs", "micro"], 1000n],
    [["ms", "milli"], 1_000_000n],
    [["s", "sec"], NS],
    [["m", "min"], 60n * NS],
    [["h", "hr", "hour"], 3600n * NS],
    [["d", "day"], 86400n * NS],
    [["w", "wk", "week"], 7n * 86400n * NS],
  ];
  let total = 0n;
  let ok = false;
  for (const m of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const factor = BigInt(m[1]!);
    const unit = m[2]!.toLowerCase().trim();
    for (const [variants, mult] of units) {
      variants.forEach((v, i) => {
        if ((i === variants.length - 1 && unit.startsWith(v)) || v.toLowerCase() === unit) {
          ok = true;
          total += factor * mult;
        }
      });
    }
  }
  return ok ? total : undefined;
}

/** Go's Duration.String is not CEL's: CEL prints seconds with up to 9 fractional digits ("1.5s"). */
export function formatDuration(d: Duration): string {
  const neg = d.nanos < 0n;
  const abs = neg ? -d.nanos : d.nanos;
  const secs = abs / NS;
  const frac = abs % NS;
  let text = secs.toString();
  if (frac !== 0n) text += "." + frac.toString().padStart(9, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${text}s`;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function toNanos(c: Civil, fracNanos: bigint, offsetSeconds: number): bigint {
  const days = daysFromCivil(c.year, c.month, c.day);
  const secs = BigInt(days) * 86400n + BigInt(c.hour * 3600 + c.minute * 60 + c.second - offsetSeconds);
  return secs * NS + fracNanos;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Go's time.Parse(time.RFC3339, s) (fractional seconds accepted), as nanoseconds since the epoch. */
export function parseRFC3339(s: string, zoneOptional = false): bigint | undefined {
  const m = (zoneOptional ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/ : RFC3339).exec(s);
  if (!m) return undefined;
  const c: Civil = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! };
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > daysIn(c.year, c.month) || c.hour > 23 || c.minute > 59 || c.second > 59) return undefined;
  const frac = m[7] ? BigInt(m[7].slice(1, 10).padEnd(9, "0")) : 0n;
  let offset = 0;
  const zone = m[8];
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const [hh, mm] = zone.slice(1).split(":").map(Number);
    if (hh! > 23 || mm! > 59) return undefined;
    offset = sign * (hh! * 3600 + mm! * 60);
  }
  return toNanos(c, frac, offset);
}

/** CEL's timestamp(string). */
export function parseTimestamp(s: string): Timestamp {
  const n = parseRFC3339(s);
  if (n === undefined) throw new CelError(`invalid timestamp: parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(s)} as "2006"`);
  return checkedTimestamp(n);
}

/** A "date" formatted field: midnight UTC of that day. */
export function parseDate(s: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const c: Civil = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: 0, minute: 0, second: 0 };
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > daysIn(c.year, c.month)) return undefined;
  return toNanos(c, 0n, 0);
}

/** RFC 3339 with nanoseconds (Go's RFC3339Nano), in UTC: CEL's string(timestamp). */
export function formatTimestamp(t: Timestamp): string {
  const c = civil(t.nanos, 0);
  const frac = ((t.nanos % NS) + NS) % NS;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  let text = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
  if (frac !== 0n) text += "." + frac.toString().padStart(9, "0").replace(/0+$/, "");
  return text + "Z";
}

function civil(nanos: bigint, offsetSeconds: number): Civil & { weekday: number; yearDay: number; millis: number } {
  let secs = nanos / NS;
  if (nanos % NS < 0n) secs -= 1n;
  const local = secs + BigInt(offsetSeconds);
  let days = local / 86400n;
  if (local % 86400n < 0n) days -= 1n;
  const rem = Number(local - days * 86400n);
  const { year, month, day } = civilFromDays(Number(days));
  const frac = ((nanos % NS) + NS) % NS;
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    minute: Math.floor((rem % 3600) / 60),
    second: rem % 60,
    weekday: (((Number(days) + 4) % 7) + 7) % 7,
    yearDay: Number(days) - daysFromCivil(year, 1, 1),
    millis: Number(frac / 1_000_000n),
  };
}

/** The UTC offset, in seconds, of a zone ("UTC", "+05:30", "America/New_York") at an instant. */
function zoneOffset(zone: string, nanos: bigint): number {
  if (zone === "" || zone === "UTC" || zone === "Z") return 0;
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (+fixed[2]! * 3600 + +fixed[3]! * 60);
  try {
    const ms = Number(nanos / 1_000_000n);
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 1000);
  } catch {
    throw new CelError(`unknown time zone ${zone}`);
  }
}

export type TimeField = "getFullYear" | "getMonth" | "getDate" | "getDayOfMonth" | "getDayOfYear" | "getDayOfWeek" | "getHours" | "getMinutes" | "getSeconds" | "getMilliseconds";

export function timestampField(t: Timestamp, fn: TimeField, zone = "UTC"): bigint {
  const c = civil(t.nanos, zoneOffset(zone, t.nanos));
  switch (fn) {
    case "getFullYear":
      return BigInt(c.year);
    case "getMonth":
      return BigInt(c.month - 1);
    case "getDate":
      return BigInt(c.day);
    case "getDayOfMonth":
      return BigInt(c.day - 1);
    case "getDayOfYear":
      return BigInt(c.yearDay);
    case "getDayOfWeek":
      return BigInt(c.weekday);
    case "getHours":
      return BigInt(c.hour);
    case "getMinutes":
      return BigInt(c.minute);
    case "getSeconds":
      return BigInt(c.second);
    case "getMilliseconds":
      return BigInt(c.millis);
  }
}

export function durationField(d: Duration, fn: string): bigint {
  switch (fn) {
    case "getHours":
      return d.nanos / (3600n * NS);
    case "getMinutes":
      return d.nanos / (60n * NS);
    case "getSeconds":
      return d.nanos / NS;
    case "getMilliseconds":
      return d.nanos / 1_000_000n;
  }
  throw new CelError("no such overload");
}
