import { expect, test } from "bun:test";
import { parseSchedule } from "./schedule.ts";
import { mostRecentScheduleTime, rfc3339InZone } from "./schedule-times.ts";
import type { CronJob } from "../common/types.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function nexts(spec: string, from: string, n: number, zone = "UTC"): Array<string | undefined> {
  const s = parseSchedule(spec, zone);
  const out: Array<string | undefined> = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < n && t !== undefined; i++) out.push(iso((t = s.next(t))));
  return out;
}

test("five fields: steps, ranges, lists, names; activations strictly after the given time", () => {
  expect(nexts("*/1 * * * *", "2024-03-01T10:00:00Z", 2)).toEqual(["2024-03-01T10:01:00.000Z", "2024-03-01T10:02:00.000Z"]);
  expect(nexts("*/15 9-17 * * mon-fri", "2024-03-01T17:50:00Z", 2)).toEqual(["2024-03-04T09:00:00.000Z", "2024-03-04T09:15:00.000Z"]);
  expect(nexts("5,10 0 1 jan,jul *", "2024-01-01T00:07:00Z", 2)).toEqual(["2024-01-01T00:10:00.000Z", "2024-07-01T00:05:00.000Z"]);
  expect(nexts("30 6-16/4 * * *", "2024-03-01T07:00:00Z", 3)).toEqual(["2024-03-01T10:30:00.000Z", "2024-03-01T14:30:00.000Z", "2024-03-02T06:30:00.000Z"]);
  expect(nexts("0 12 5/10 * *", "2024-03-01T00:00:00Z", 3)).toEqual(["2024-03-05T12:00:00.000Z", "2024-03-15T12:00:00.000Z", "2024-03-25T12:00:00.000Z"]);
});

test("day of month and day of week: OR when both are restricted, AND when either is *", () => {
  // The 13th or any Friday (March 2024: Friday the 1st, then the 8th; the 13th is a Wednesday).
  expect(nexts("0 0 13 * 5", "2024-03-01T12:00:00Z", 3)).toEqual(["2024-03-08T00:00:00.000Z", "2024-03-13T00:00:00.000Z", "2024-03-15T00:00:00.000Z"]);
  expect(nexts("0 0 * * 5", "2024-03-01T12:00:00Z", 1)).toEqual(["2024-03-08T00:00:00.000Z"]);
});

test("descriptors and @every", () => {
  expect(nexts("@hourly", "2024-03-01T10:20:00Z", 1)).toEqual(["2024-03-01T11:00:00.000Z"]);
  expect(nexts("@daily", "2024-03-01T10:20:00Z", 1)).toEqual(["2024-03-02T00:00:00.000Z"]);
  expect(nexts("@weekly", "2024-03-01T10:20:00Z", 1)).toEqual(["2024-03-03T00:00:00.000Z"]);
  expect(nexts("@monthly", "2024-03-01T10:20:00Z", 1)).toEqual(["2024-04-01T00:00:00.000Z"]);
  expect(nexts("@yearly", "2024-03-01T10:20:00Z", 1)).toEqual(["2025-01-01T00:00:00.000Z"]);
  expect(nexts("@every 90m", "2024-03-01T10:20:00.500Z", 1)).toEqual(["2024-03-01T11:50:00.000Z"]);
  expect(() => parseSchedule("@fortnightly")).toThrow("unrecognized descriptor: @fortnightly");
  expect(() => parseSchedule("* * *")).toThrow("expected exactly 5 fields, found 3: [* * *]");
  expect(() => parseSchedule("61 * * * *")).toThrow("end of range (61) above maximum (59): 61");
});

test("time zones, including daylight saving changes; an impossible date never comes", () => {
  // 09:00 in New York is 14:00Z in winter and 13:00Z after the March 10 2024 change.
  expect(nexts("0 9 * * *", "2024-03-09T00:00:00Z", 2, "America/New_York")).toEqual(["2024-03-09T14:00:00.000Z", "2024-03-10T13:00:00.000Z"]);
  expect(nexts("TZ=Asia/Tokyo 0 0 * * *", "2024-03-01T00:00:00Z", 1)).toEqual(["2024-03-01T15:00:00.000Z"]);
  expect(() => parseSchedule("CRON_TZ=Mars/Olympus 0 0 * * *")).toThrow("provided bad location Mars/Olympus: unknown time zone Mars/Olympus");
  expect(nexts("0 0 30 2 *", "2024-01-01T00:00:00Z", 1)).toEqual([undefined]);
});

test("the most recent unmet schedule: none yet, one, many missed; startingDeadlineSeconds moves the start", () => {
  const cj = (created: string, extra: Partial<NonNullable<CronJob["spec"]>> = {}, last?: string): CronJob =>
    ({ metadata: { name: "c", creationTimestamp: created }, spec: { schedule: "*/1 * * * *", jobTemplate: {}, ...extra }, status: last ? { lastScheduleTime: last } : {} }) as CronJob;
  const every = parseSchedule("*/1 * * * *");
  expect(mostRecentScheduleTime(cj("2024-03-01T10:00:30Z"), at("2024-03-01T10:00:50Z"), every, true).mostRecent).toBeUndefined();
  expect(iso(mostRecentScheduleTime(cj("2024-03-01T10:00:30Z"), at("2024-03-01T10:01:10Z"), every, true).mostRecent)).toBe("2024-03-01T10:01:00.000Z");
  const many = mostRecentScheduleTime(cj("2024-03-01T10:00:30Z"), at("2024-03-01T13:00:10Z"), every, true);
  expect(iso(many.mostRecent)).toBe("2024-03-01T13:00:00.000Z");
  expect(many.manyMissed).toBe(true);
  const late = mostRecentScheduleTime(cj("2024-03-01T10:00:30Z", { startingDeadlineSeconds: 5 }), at("2024-03-01T13:00:10Z"), every, true);
  expect(late.mostRecent).toBeUndefined();
  expect(late.manyMissed).toBe(false);
  expect(iso(mostRecentScheduleTime(cj("2024-03-01T10:00:30Z", {}, "2024-03-01T10:05:00Z"), at("2024-03-01T10:07:10Z"), every, true).mostRecent)).toBe("2024-03-01T10:07:00.000Z");
});

test("the scheduled-timestamp annotation is RFC 3339 in the CronJob's zone", () => {
  expect(rfc3339InZone(at("2024-03-01T15:00:00Z"), "UTC")).toBe("2024-03-01T15:00:00Z");
  expect(rfc3339InZone(at("2024-03-01T15:00:00Z"), "Asia/Tokyo")).toBe("2024-03-02T00:00:00+09:00");
  expect(rfc3339InZone(at("2024-07-01T15:00:00Z"), "America/New_York")).toBe("2024-07-01T11:00:00-04:00");
});
