import { describe, expect, test } from "bun:test";
import { cronScheduleError } from "./cron-schedule.ts";
import { goDurationError } from "./go-duration.ts";
import { timeZoneError } from "./time-zone.ts";

describe("cronScheduleError", () => {
  test.each([
    "*/1 * * * *",
    "0 0 * * *",
    "0 9 * * MON-FRI",
    "0 0 1 jan,JUL ?",
    "5,10-20/5 * * * *",
    "0 0 * * 0",
    "@hourly",
    "@midnight",
    "@every 1h30m",
    "TZ=UTC 0 * * * *",
    "CRON_TZ=Europe/Berlin 0 * * * *",
    "1,,2 * * * *",
  ])("accepts %p", (schedule) => {
    expect(cronScheduleError(schedule)).toBeUndefined();
  });

  test.each([
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["0 0 0 * * *", "expected exactly 5 fields, found 6: [0 0 0 * * *]"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* 24 * * *", "end of range (24) above maximum (23): 24"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["* * * * 7", "end of range (7) above maximum (6): 7"],
    ["5-2 * * * *", "beginning of range (5) beyond end of range (2): 5-2"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ["-1 * * * *", 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
    ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
    ["1/2/3 * * * *", "too many slashes: 1/2/3"],
    ["* * * foo *", 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ["@weird", "unrecognized descriptor: @weird"],
    ["@every 5x", 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ["TZ=Foo/Bar 0 * * * *", "provided bad location Foo/Bar: unknown time zone Foo/Bar"],
  ])("rejects %p", (schedule, message) => {
    expect(cronScheduleError(schedule)).toBe(message);
  });
});

describe("goDurationError", () => {
  test.each(["1h", "1.5s", "-300ms", "2h45m", "0", "1µs", ".5s"])("accepts %p", (d) => expect(goDurationError(d)).toBeUndefined());
  test.each([
    ["", 'time: invalid duration ""'],
    ["abc", 'time: invalid duration "abc"'],
    ["5", 'time: missing unit in duration "5"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["999999999h", 'time: invalid duration "999999999h"'],
  ])("rejects %p", (d, message) => expect(goDurationError(d)).toBe(message));
});

describe("timeZoneError", () => {
  test.each(["UTC", "America/New_York", "Etc/GMT+5", "Local"])("knows %p", (z) => expect(timeZoneError(z)).toBeUndefined());
  test.each([
    ["Foo/Bar", "unknown time zone Foo/Bar"],
    ["america/new_york", "unknown time zone america/new_york"],
    ["utc", "unknown time zone utc"],
    ["../etc/passwd", "time: invalid location name"],
  ])("rejects %p", (z, message) => expect(timeZoneError(z)).toBe(message));
});
