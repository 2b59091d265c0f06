/**
 * Cron schedules as the CronJob controller evaluates them (robfig/cron v3's ParseStandard and
 * SpecSchedule.Next): five fields or a descriptor (@hourly, @every 90m, ...), an optional
 * TZ=/CRON_TZ= prefix, times computed in that IANA zone through Intl. Day-of-month and
 * day-of-week combine with OR unless either is "*", as in Vixie cron.
 */
import { parseGoDuration } from "../common/duration.ts";

export interface Schedule {
  /** The first activation strictly after `t` (ms), or undefined when none within five years. */
  next(t: number): number | undefined;
}

interface Field {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTE: Field = { min: 0, max: 59 };
const HOUR: Field = { min: 0, max: 23 };
const DOM: Field = { min: 1, max: 31 };
const MONTH: Field = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DOW: Field = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export class ScheduleError extends Error {}

/** A parsed field: the allowed values, and whether it was written as "*" (robfig's starBit). */
interface Values {
  set: Set<number>;
  star: boolean;
}

function parseNumber(text: string, field: Field): number {
  const named = field.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) throw new ScheduleError(`failed to parse int from ${text}`);
  return Number.parseInt(text, 10);
}

function parseField(text: string, field: Field): Values {
  const set = new Set<number>();
  let star = false;
  for (const expr of text.split(",").filter(Boolean)) {
    const [range = "", stepText, extra] = expr.split("/");
    if (extra !== undefined) throw new ScheduleError(`too many slashes: ${expr}`);
    const bounds = range.split("-");
    let start: number;
    let end: number;
    let isStar = false;
    if (bounds[0] === "*" || bounds[0] === "?") {
      start = field.min;
      end = field.max;
      isStar = true;
    } else {
      if (bounds.length > 2) throw new ScheduleError(`too many hyphens: ${expr}`);
      start = parseNumber(bounds[0]!, field);
      end = bounds.length === 2 ? parseNumber(bounds[1]!, field) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = parseNumber(stepText, { min: 0, max: 0 });
      if (bounds.length === 1 && !isStar) end = field.max;
      if (step > 1) isStar = false;
    }
    if (start < field.min) throw new ScheduleError(`beginning of range (${start}) below minimum (${field.min}): ${expr}`);
    if (end > field.max) throw new ScheduleError(`end of range (${end}) above maximum (${field.max}): ${expr}`);
    if (start > end) throw new ScheduleError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
    if (step === 0) throw new ScheduleError(`step of range should be a positive number: ${expr}`);
    for (let v = start; v <= end; v += step) set.add(v);
    star ||= isStar;
  }
  return { set, star };
}

/** Wall-clock fields of an instant in a zone. */
interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallTime(ms: number, zone: string): Wall {
  if (zone === "UTC") {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), weekday: d.getUTCDay() };
  }
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number.parseInt(p.value, 10);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0 } = parts;
  return { year, month, day, hour, minute, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

/** Whether a zone name exists (Go's time.LoadLocation; "" and "UTC" are UTC, "Local" the process zone). */
export function zoneError(name: string): string | undefined {
  if (name === "" || name === "UTC" || name === "Local") return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return undefined;
  } catch {
    return `unknown time zone ${name}`;
  }
}

export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function resolveZone(name: string): string {
  if (name === "" || name === "UTC") return "UTC";
  if (name === "Local") return localZone();
  return name;
}

const MINUTE_MS = 60_000;
const FIVE_YEARS_MS = 5 * 366 * 24 * 3_600_000;

class SpecSchedule implements Schedule {
  constructor(
    private readonly fields: { minute: Values; hour: Values; dom: Values; month: Values; dow: Values },
    private readonly zone: string,
  ) {}

  private dayMatches(w: Wall): boolean {
    const dom = this.fields.dom.set.has(w.day);
    const dow = this.fields.dow.set.has(w.weekday);
    return this.fields.dom.star || this.fields.dow.star ? dom && dow : dom || dow;
  }

  /**
   * Walks forward from the next whole minute, skipping a day, hour or minute at a time when that
   * field does not match; DST shifts are absorbed because every step re-reads the wall clock.
   */
  next(t: number): number | undefined {
    let at = Math.floor(t / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const limit = t + FIVE_YEARS_MS;
    while (at <= limit) {
      const w = wallTime(at, this.zone);
      if (!this.fields.month.set.has(w.month) || !this.dayMatches(w)) {
        at += ((23 - w.hour) * 60 + (60 - w.minute)) * MINUTE_MS;
        continue;
      }
      if (!this.fields.hour.set.has(w.hour)) {
        at += (60 - w.minute) * MINUTE_MS;
        continue;
      }
      if (!this.fields.minute.set.has(w.minute)) {
        at += MINUTE_MS;
        continue;
      }
      return at;
    }
    return undefined;
  }
}

/** "@every <duration>": a fixed interval, whole seconds, at least one second. */
class EverySchedule implements Schedule {
  constructor(private readonly everyMs: number) {}

  next(t: number): number {
    return Math.floor(t / 1000) * 1000 + this.everyMs;
  }
}

function parseDuration(text: string): number {
  try {
    return parseGoDuration(text);
  } catch {
    throw new ScheduleError(`failed to parse duration @every ${text}`);
  }
}

/** Parses a schedule; `defaultZone` applies unless the spec starts with TZ= or CRON_TZ=. */
export function parseSchedule(spec: string, defaultZone = "UTC"): Schedule {
  let text = spec.trim();
  let zone = defaultZone;
  if (text.startsWith("TZ=") || text.startsWith("CRON_TZ=")) {
    const space = text.indexOf(" ");
    zone = text.slice(text.indexOf("=") + 1, space < 0 ? undefined : space);
    const err = zoneError(zone);
    if (err) throw new ScheduleError(`provided bad location ${zone}: ${err}`);
    text = space < 0 ? "" : text.slice(space).trim();
  }
  if (text === "") throw new ScheduleError("empty spec string");
  if (text.startsWith("@every ")) {
    const ms = Math.floor(parseDuration(text.slice(7).trim()) / 1000) * 1000;
    return new EverySchedule(Math.max(1000, ms));
  }
  if (text.startsWith("@")) {
    const expanded = DESCRIPTORS[text];
    if (!expanded) throw new ScheduleError(`unrecognized descriptor: ${text}`);
    text = expanded;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(" ")}]`);
  const [minute, hour, dom, month, dow] = parts as [string, string, string, string, string];
  return new SpecSchedule(
    { minute: parseField(minute, MINUTE), hour: parseField(hour, HOUR), dom: parseField(dom, DOM), month: parseField(month, MONTH), dow: parseField(dow, DOW) },
    resolveZone(zone),
  );
}
