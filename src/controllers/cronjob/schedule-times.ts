/**
 * Which scheduled time a CronJob should act on now (upstream's mostRecentScheduleTime,
 * nextScheduleTime and nextScheduleTimeDuration), job names and the scheduled-timestamp text.
 */
import type { CronJob } from "../common/types.ts";
import { timeOf } from "../common/types.ts";
import type { Schedule } from "./schedule.ts";

/** Wake up this long after a scheduled time, so the schedule is surely due. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
const MANY_MISSED = 100;

export interface MostRecent {
  earliest: number;
  mostRecent?: number;
  /** More than 100 schedules were missed. */
  manyMissed: boolean;
  error?: string;
}

/**
 * The latest schedule time not after `now`, counting from the last scheduled time (or the
 * creation), or from now - startingDeadlineSeconds when that is later and asked for.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeDeadline: boolean): MostRecent {
  let earliest = timeOf(cj.status?.lastScheduleTime) || timeOf(cj.metadata?.creationTimestamp);
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeDeadline && deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, manyMissed: false };
  const t2 = schedule.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, manyMissed: false };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, manyMissed: false, error: "time difference between two schedules is less than 1 second" };
  // Jump close to now by whole intervals, then let the schedule find the exact latest time
  // (irregular schedules such as "30 6-16/4 * * 1-5" need the last step).
  const missed = Math.floor((now - t1) / 1000 / between) + 1;
  let mostRecent: number | undefined;
  for (let t = schedule.next(t1 + (missed - 2) * between * 1000); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  return { earliest, mostRecent, manyMissed: missed > MANY_MISSED };
}

/** How long until the next schedule (plus a small delta). */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: Schedule): number {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  const from = r.error ? now : (r.mostRecent ?? r.earliest);
  const next = schedule.next(from);
  return next === undefined ? 24 * 3_600_000 : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** "<cronjob>-<minutes since the epoch of the scheduled time>". */
export function jobName(cj: CronJob, scheduled: number): string {
  return `${cj.metadata?.name}-${Math.floor(scheduled / 60_000)}`;
}

/** RFC 3339 in a zone, as Go's time.Format(time.RFC3339) prints it ("Z" in UTC). */
export function rfc3339InZone(ms: number, zone: string): string {
  if (zone === "UTC") return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const parts: Record<string, string> = {};
  const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  for (const p of f.formatToParts(ms)) parts[p.type] = p.value;
  const wallUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wallUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  const stamp = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${stamp}Z`;
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  return `${stamp}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
