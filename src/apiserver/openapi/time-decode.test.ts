import { describe, expect, test } from "bun:test";
import { microTimeParseError, timeParseError } from "./time-decode.ts";

const T = '"2006-01-02T15:04:05Z07:00"';
const M = '"2006-01-02T15:04:05.000000Z07:00"';

describe("metav1.Time (time.RFC3339)", () => {
  test.each([
    "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05+01:00",
    "2024-01-02T03:04:05-23:59",
    "2024-01-02T03:04:05.123Z",
    "2024-01-02T03:04:05.123456789012Z",
    "2024-01-02T03:04:05,5Z",
    "2024-01-02T3:04:05Z",
    "2024-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "0000-02-29T00:00:00Z",
    "2024-01-02T03:04:05+24:00",
  ])("accepts %p", (v) => {
    expect(timeParseError(v)).toBeUndefined();
  });

  test.each([
    ["", `parsing time "" as ${T}: cannot parse "" as "2006"`],
    ["x", `parsing time "x" as ${T}: cannot parse "x" as "2006"`],
    ["2024", `parsing time "2024" as ${T}: cannot parse "" as "-"`],
    ["2024-01-02", `parsing time "2024-01-02" as ${T}: cannot parse "" as "T"`],
    ["2024/01/02T03:04:05Z", `parsing time "2024/01/02T03:04:05Z" as ${T}: cannot parse "/01/02T03:04:05Z" as "-"`],
    ["2024-1-02T03:04:05Z", `parsing time "2024-1-02T03:04:05Z" as ${T}: cannot parse "1-02T03:04:05Z" as "01"`],
    ["2024-01-02 03:04:05Z", `parsing time "2024-01-02 03:04:05Z" as ${T}: cannot parse " 03:04:05Z" as "T"`],
    ["2024-01-02t03:04:05Z", `parsing time "2024-01-02t03:04:05Z" as ${T}: cannot parse "t03:04:05Z" as "T"`],
    ["2024-01-02T03:04:05", `parsing time "2024-01-02T03:04:05" as ${T}: cannot parse "" as "Z07:00"`],
    ["2024-01-02T03:04:05z", `parsing time "2024-01-02T03:04:05z" as ${T}: cannot parse "z" as "Z07:00"`],
    ["2024-01-02T03:04:05+0100", `parsing time "2024-01-02T03:04:05+0100" as ${T}: cannot parse "+0100" as "Z07:00"`],
    ["2024-01-02T03:04:05ZZ", `parsing time "2024-01-02T03:04:05ZZ": extra text: "Z"`],
    ["2024-13-02T03:04:05Z", `parsing time "2024-13-02T03:04:05Z": month out of range`],
    ["2024-00-02T03:04:05Z", `parsing time "2024-00-02T03:04:05Z": month out of range`],
    ["2024-02-30T03:04:05Z", `parsing time "2024-02-30T03:04:05Z": day out of range`],
    ["2023-02-29T03:04:05Z", `parsing time "2023-02-29T03:04:05Z": day out of range`],
    ["2024-01-00T03:04:05Z", `parsing time "2024-01-00T03:04:05Z": day out of range`],
    ["2024-01-02T24:04:05Z", `parsing time "2024-01-02T24:04:05Z": hour out of range`],
    ["2024-01-02T03:60:05Z", `parsing time "2024-01-02T03:60:05Z": minute out of range`],
    ["2024-01-02T03:04:60Z", `parsing time "2024-01-02T03:04:60Z": second out of range`],
    ["2024-01-02T03:04:05+25:00", `parsing time "2024-01-02T03:04:05+25:00": time zone offset hour out of range`],
    ["2024-01-02T03:04:05+01:61", `parsing time "2024-01-02T03:04:05+01:61": time zone offset minute out of range`],
    ['2024-01-02T03:04:05Z"\\', `parsing time "2024-01-02T03:04:05Z\\"\\\\": extra text: "\\"\\\\"`],
    ["2024-01-02T03:04:05Zé", `parsing time "2024-01-02T03:04:05Z\\xc3\\xa9": extra text: "\\xc3\\xa9"`],
    ["2024-01-02T03:04:05Z\n", `parsing time "2024-01-02T03:04:05Z\\x0a": extra text: "\\x0a"`],
  ])("refuses %p", (v, message) => {
    expect(timeParseError(v)).toBe(message);
  });
});

describe("metav1.MicroTime (RFC3339Micro)", () => {
  test.each(["2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05,123456+02:00", "2024-01-02T03:04:05.+12345Z"])("accepts %p", (v) => {
    expect(microTimeParseError(v)).toBeUndefined();
  });

  test.each([
    // What JavaScript's toISOString() writes is not a MicroTime.
    ["2024-01-02T03:04:05.123Z", `parsing time "2024-01-02T03:04:05.123Z" as ${M}: cannot parse ".123Z" as ".000000"`],
    ["2024-01-02T03:04:05Z", `parsing time "2024-01-02T03:04:05Z" as ${M}: cannot parse "Z" as ".000000"`],
    ["2024-01-02T03:04:05.1234567Z", `parsing time "2024-01-02T03:04:05.1234567Z" as ${M}: cannot parse "7Z" as "Z07:00"`],
    ["2024-01-02T03:04:05.12a456Z", `parsing time "2024-01-02T03:04:05.12a456Z" as ${M}: cannot parse ".12a456Z" as ".000000"`],
    ["2024-01-02T03:04:05.-12345Z", `parsing time "2024-01-02T03:04:05.-12345Z": fractional second out of range`],
  ])("refuses %p", (v, message) => {
    expect(microTimeParseError(v)).toBe(message);
  });
});
