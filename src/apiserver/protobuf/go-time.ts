/**
 * metav1.Time and MicroTime text: RFC 3339 in UTC, as Go's time.Format prints it (seconds, or
 * exactly six fractional digits) and time.Parse reads it. Pure arithmetic for the common forms;
 * these run for every timestamp of every object.
 */
import { EncodeError, ProtoError } from "./wire.ts";

/** Seconds of 0001-01-01T00:00:00Z, Go's zero time.Time, which JSON prints as null. */
export const ZERO_TIME_SECONDS = -62135596800;

function pad(n: number, width: number): string {
  return n.toString().padStart(width, "0");
}

/** RFC 3339 in UTC like Go's time.Format: seconds precision, or exactly 6 fractional digits. */
export function formatTime(seconds: number, micros: number | null): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtoError(`time seconds ${seconds} out of range`);
  const year = d.getUTCFullYear();
  // toISOString is native and fast; it switches to a six-digit signed year outside 0..9999.
  let s =
    year >= 0 && year <= 9999
      ? d.toISOString().slice(0, 19)
      : `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  if (micros !== null) s += "." + pad(micros, 6);
  return s + "Z";
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses RFC 3339 (what Time and MicroTime UnmarshalJSON accept) to [unix seconds, nanoseconds]. */
export function parseTime(s: string): [number, number] {
  let y: number, mo: number, d: number, h: number, mi: number, sec: number;
  let nanos = 0;
  let offset = 0;
  const digits = (i: number, len: number) => {
    let v = 0;
    for (let j = i; j < i + len; j++) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return NaN;
      v = v * 10 + c;
    }
    return v;
  };
  // Fast path for the form upstream itself prints, "2006-01-02T15:04:05Z".
  if (s.length === 20 && s[19] === "Z" && s[10] === "T" && s[4] === "-" && s[7] === "-" && s[13] === ":" && s[16] === ":") {
    [y, mo, d, h, mi, sec] = [digits(0, 4), digits(5, 2), digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2)];
  } else {
    const m = RFC3339.exec(s);
    if (!m) throw new EncodeError(`parsing time ${JSON.stringify(s)} as RFC 3339 failed`);
    [y, mo, d, h, mi, sec] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
    if (m[7]) nanos = Number(m[7].slice(0, 9).padEnd(9, "0"));
    if (m[9]) offset = (m[9] === "+" ? 1 : -1) * (Number(m[10]) * 60 + Number(m[11])) * 60;
  }
  // time.Parse rejects out-of-range fields (Feb 30 included) rather than normalizing them.
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && !leap ? 28 : DAYS_IN_MONTH[mo - 1]!) && h <= 23 && mi <= 59 && sec <= 59)) {
    throw new EncodeError(`parsing time ${JSON.stringify(s)}: field out of range`);
  }
  return [daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset, nanos];
}
