/**
 * The string formats CRD validation checks: kube-openapi's strfmt registry (with govalidator's
 * checks), restricted to the formats apiextensions keeps (StripUnsupportedFormatsPostProcess).
 * Any other format, including int32/int64/float/double, is dropped and checks nothing.
 * Names are normalized by removing "-" ("date-time" is "datetime").
 */
import { isIP, isIPv6 } from "../../validation/ip.ts";
import { compileGoRegexp } from "./re2/index.ts";

type Check = (s: string) => boolean;

const rx = (pattern: string): Check => {
  const re = compileGoRegexp(pattern);
  return (s) => re.test(s);
};

const UUID = rx("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
const UUID3 = rx("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
const UUID4 = rx("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$");
const UUID5 = rx("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$");
const HOSTNAME = rx(
  "^([a-zA-Z0-9\\p{S}\\p{L}]((-?[a-zA-Z0-9\\p{S}\\p{L}]{0,62})?)|([a-zA-Z0-9\\p{S}\\p{L}](([a-zA-Z0-9-\\p{S}\\p{L}]{0,61}[a-zA-Z0-9\\p{S}\\p{L}])?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$",
);
const CREDIT_CARD = rx("^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\\d{3})\\d{11})$");
const SSN = rx("^\\d{3}[- ]?\\d{2}[- ]?\\d{4}$");
const HEX_COLOR = rx("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");
const RGB_COLOR = rx(
  "^rgb\\(\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*,\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*\\)$",
);
const BASE64 = rx("^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+\\/]{3}=|[A-Za-z0-9+\\/]{4})$");
const DATETIME_TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;

/** Go's time.Parse("2006-01-02", s): exact widths, real calendar days. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysIn(y, mo);
}

export function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** strfmt.IsDateTime: a date, a "t", then hh:mm:ss[.frac](z|±hh:mm), compared as text. */
export function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split("t");
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const m = DATETIME_TIME.exec(parts[1]!);
  if (!m) return false;
  return m[1]! <= "23" && m[2]! <= "59" && m[3]! <= "59";
}

const GO_DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds (as a bigint), or undefined when it refuses the text. */
export function parseGoDuration(s: string): bigint | undefined {
  let rest = s;
  let neg = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    neg = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") return undefined;
  let total = 0;
  let exact = 0n;
  while (rest !== "") {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest)!;
    const whole = m[1] ?? "";
    const frac = m[2];
    if (whole === "" && (frac === undefined || frac === "")) return undefined;
    rest = rest.slice(m[0].length);
    const u = /^[^0-9.]+/.exec(rest);
    if (!u) return undefined;
    const unit = GO_DURATION_UNITS[u[0]];
    if (unit === undefined) return undefined;
    rest = rest.slice(u[0].length);
    const value = Number(`${whole || "0"}.${frac ?? ""}`) * unit;
    total += value;
    exact += BigInt(whole || "0") * BigInt(unit) + BigInt(Math.floor(Number(`0.${frac ?? ""}`) * unit));
    if (total > 9.223372036854775807e18) return undefined;
  }
  return neg ? -exact : exact;
}

const DURATION_WORDS: string[][] = [["ns", "nano"], ["us", "µs", "micro"], ["ms", "milli"], ["s", "sec"], ["m", "min"], ["h", "hr", "hour"], ["d", "day"], ["w", "wk", "week"]];

/** strfmt.IsDuration: Go durations, or "<n> <unit>" phrases such as "3 weeks". */
export function isDuration(s: string): boolean {
  if (parseGoDuration(s) !== undefined) return true;
  let ok = false;
  for (const m of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    if (m[1]!.length > 18 && BigInt(m[1]!) > 9223372036854775807n) return false;
    const unit = m[2]!.toLowerCase().trim();
    for (const variants of DURATION_WORDS) {
      variants.forEach((v, i) => {
        if ((i === variants.length - 1 && unit.startsWith(v)) || v.toLowerCase() === unit) ok = true;
      });
    }
  }
  return ok;
}

/** netutils.ParseIPSloppy's IPv4: leading zeros allowed. */
function isSloppyIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,7}$/.test(p) && Number(p) <= 255);
}

/** netutils.ParseIPSloppy's IPv6: an embedded IPv4 tail may have leading zeros. */
function isSloppyIPv6(s: string): boolean {
  return isIPv6(s, isSloppyIPv4);
}

function isSloppyIP(s: string): boolean {
  return isSloppyIPv4(s) || isSloppyIPv6(s);
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,7}$/.test(bits)) return false;
  const max = isSloppyIPv4(ip) ? 32 : isSloppyIPv6(ip) ? 128 : -1;
  return max >= 0 && Number(bits) <= max;
}

/** net.ParseMAC: 6, 8 or 20 octets as xx:xx.., xx-xx.. or xxxx.xxxx.. */
function isMAC(s: string): boolean {
  const octets = (n: number) => n === 6 || n === 8 || n === 20;
  if (s.length < 14) return false;
  if (s[2] === ":" || s[2] === "-") {
    const parts = s.split(s[2]);
    return octets(parts.length) && parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p));
  }
  if (s[4] === ".") {
    const parts = s.split(".");
    return octets(parts.length * 2) && parts.every((p) => /^[0-9a-fA-F]{4}$/.test(p));
  }
  return false;
}

const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\u{10FFFF}]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED})@${DOT_ATOM}$`, "u");
const NAME_ADDR = new RegExp(`^(?:[^<>"]*|${QUOTED})\\s*<((?:${DOT_ATOM}|${QUOTED})@${DOT_ATOM})>$`, "u");

/** net/mail.ParseAddress, for the common forms: addr-spec or "Name <addr-spec>" (no domain literals). */
function isEmail(s: string): boolean {
  const t = s.trim();
  return ADDR_SPEC.test(t) || NAME_ADDR.test(t);
}

const HEX2 = /%(?![0-9A-Fa-f]{2})/;

/** url.ParseRequestURI: an absolute URI, an absolute path, or "*". */
function isRequestURI(s: string): boolean {
  if (s === "" || /[\x00-\x1f\x7f]/.test(s)) return false;
  if (s === "*") return true;
  let rest = s;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (scheme) rest = s.slice(scheme[0].length);
  else if (s.startsWith(":")) return false;
  const q = rest.indexOf("?");
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith("/")) return scheme !== null;
  if (scheme && rest.startsWith("//")) {
    const authEnd = rest.indexOf("/", 2);
    const authority = authEnd < 0 ? rest.slice(2) : rest.slice(2, authEnd);
    rest = authEnd < 0 ? "" : rest.slice(authEnd);
    const at = authority.lastIndexOf("@");
    const host = at < 0 ? authority : authority.slice(at + 1);
    if (at >= 0 && !/^[A-Za-z0-9\-._~!$&'()*+,;=:%]*$/.test(authority.slice(0, at))) return false;
    if (!isValidHostPort(host)) return false;
  }
  return !HEX2.test(rest);
}

function isValidHostPort(host: string): boolean {
  let h = host;
  let port = "";
  if (h.startsWith("[")) {
    const close = h.indexOf("]");
    if (close < 0) return false;
    port = h.slice(close + 1);
    h = h.slice(1, close);
    if (port !== "" && !/^:\d*$/.test(port)) return false;
    return !HEX2.test(h);
  }
  const colon = h.lastIndexOf(":");
  if (colon >= 0) {
    port = h.slice(colon);
    h = h.slice(0, colon);
    if (!/^:\d*$/.test(port)) return false;
  }
  if (HEX2.test(h)) return false;
  return /^[A-Za-z0-9\-._~!$&'()*+,;=%\u0080-\uffff]*$/.test(h);
}

function isISBN10(s: string): boolean {
  const t = s.replace(/[\s-]+/g, "");
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(t[i]);
  sum += t[9] === "X" ? 100 : 10 * Number(t[9]);
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const t = s.replace(/[\s-]+/g, "");
  if (!/^[0-9]{13}$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(t[i]);
  return Number(t[12]) - ((10 - (sum % 10)) % 10) === 0;
}

function isCreditCard(s: string): boolean {
  const t = s.replace(/[^0-9]+/g, "");
  if (!CREDIT_CARD(t)) return false;
  let sum = 0;
  let double = false;
  for (let i = t.length - 1; i >= 0; i--) {
    let d = Number(t[i]);
    if (double) {
      d *= 2;
      sum += d >= 10 ? (d % 10) + 1 : d;
    } else sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function isHostname(s: string): boolean {
  if (!HOSTNAME(s)) return false;
  if (Buffer.byteLength(s) > 255) return false;
  return s.split(".").every((p) => Buffer.byteLength(p) <= 63);
}

const FORMATS = new Map<string, Check>(Object.entries({
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => isSloppyIP(s) && s.includes("."),
  ipv6: (s) => isIP(s) && s.includes(":"),
  cidr: isCIDR,
  mac: isMAC,
  uuid: UUID,
  uuid3: UUID3,
  uuid4: UUID4,
  uuid5: UUID5,
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && SSN(s),
  hexcolor: HEX_COLOR,
  rgbcolor: RGB_COLOR,
  byte: BASE64,
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
}));

/** The check for a schema's format, or undefined when apiextensions drops the format. */
export function formatCheck(format: string): Check | undefined {
  return FORMATS.get(format.replaceAll("-", ""));
}

/** Whether apiextensions keeps this format (otherwise it is treated as absent). */
export function isSupportedFormat(format: string): boolean {
  return formatCheck(format) !== undefined;
}
