/**
 * CronJob schedule syntax, as kube-apiserver checks it with robfig/cron's ParseStandard: five
 * fields (minute hour day-of-month month day-of-week) or a descriptor (@hourly, @every 5m, ...),
 * optionally after TZ=/CRON_TZ=. Returns robfig's error text, which upstream puts in the
 * Invalid message verbatim.
 */
import { goDurationError } from "./go-duration.ts";
import { timeZoneError } from "./time-zone.ts";

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** Seconds are not part of the standard syntax; robfig fills in "0" for them. */
const FIELD_BOUNDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES },
  { min: 0, max: 6, names: DOW_NAMES },
];

const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** The parse error of a schedule, or undefined when robfig/cron accepts it. */
export function cronScheduleError(schedule: string): string | undefined {
  if (schedule.length === 0) return "empty spec string";
  let spec = schedule;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const space = spec.indexOf(" ");
    const zone = spec.slice(spec.indexOf("=") + 1, space < 0 ? undefined : space);
    const zoneError = timeZoneError(zone);
    if (zoneError) return `provided bad location ${zone}: ${zoneError}`;
    spec = space < 0 ? "" : spec.slice(space).trim();
  }
  if (spec.startsWith("@")) return descriptorError(spec);
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`;
  const all = ["0", ...fields];
  for (let i = 0; i < all.length; i++) {
    const err = fieldError(all[i]!, FIELD_BOUNDS[i]!);
    if (err) return err;
  }
  return undefined;
}

function descriptorError(spec: string): string | undefined {
  if (DESCRIPTORS.has(spec)) return undefined;
  const every = "@every ";
  if (spec.startsWith(every)) {
    const err = goDurationError(spec.slice(every.length));
    return err ? `failed to parse duration ${spec}: ${err}` : undefined;
  }
  return `unrecognized descriptor: ${spec}`;
}

/** A comma-separated list of ranges; empty list items are skipped, as Go's FieldsFunc does. */
function fieldError(text: string, bounds: Bounds): string | undefined {
  for (const expr of text.split(",").filter(Boolean)) {
    const err = rangeError(expr, bounds);
    if (err) return err;
  }
  return undefined;
}

/** One "a", "a-b", "*", "a/step", "a-b/step" or "*\/step" expression (robfig's getRange). */
function rangeError(expr: string, bounds: Bounds): string | undefined {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = bounds.min;
    end = bounds.max;
  } else {
    const low = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if (typeof low === "string") return low;
    start = end = low;
    if (lowAndHigh.length === 2) {
      const high = parseIntOrName(lowAndHigh[1]!, bounds.names);
      if (typeof high === "string") return high;
      end = high;
    } else if (lowAndHigh.length > 2) return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const parsed = parseNonNegativeInt(rangeAndStep[1]!);
    if (typeof parsed === "string") return parsed;
    step = parsed;
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = bounds.max;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

/** A number, or the error text when the expression is neither a name nor a non-negative int. */
function parseIntOrName(expr: string, names: Record<string, number> | undefined): number | string {
  const named = names?.[expr.toLowerCase()];
  return named ?? parseNonNegativeInt(expr);
}

/** robfig's mustParseInt over Go's strconv.Atoi. */
function parseNonNegativeInt(expr: string): number | string {
  const atoiError = (why: string) => `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: ${why}`;
  if (!/^[+-]?\d+$/.test(expr)) return atoiError("invalid syntax");
  const big = BigInt(expr);
  if (big > INT64_MAX || big < INT64_MIN) return atoiError("value out of range");
  if (big < 0n) return `negative number (${big}) not allowed: ${expr}`;
  return Number(big);
}
