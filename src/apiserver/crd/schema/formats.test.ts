import { describe, expect, test } from "bun:test";
import { formatCheck, isSupportedFormat } from "./formats.ts";

const valid = (format: string, s: string) => formatCheck(format)!(s);

describe("formats apiextensions keeps", () => {
  test("int32, int64, float and double are dropped; date-time is normalized", () => {
    for (const f of ["int32", "int64", "float", "double", "foo"]) expect(isSupportedFormat(f)).toBe(false);
    expect(isSupportedFormat("date-time")).toBe(true);
    expect(isSupportedFormat("datetime")).toBe(true);
  });

  const cases: Array<[string, string, boolean]> = [
    ["date", "2020-02-29", true],
    ["date", "2019-02-29", false],
    ["date", "2020-1-01", false],
    ["date-time", "2024-01-02T03:04:05Z", true],
    ["date-time", "2024-01-02t03:04:05.123+02:00", true],
    ["date-time", "2024-01-02T24:00:00Z", false],
    ["date-time", "2024-01-02 03:04:05Z", false],
    ["duration", "1h30m", true],
    ["duration", "3 weeks", true],
    ["duration", "1", false],
    ["uuid", "6F9619FF-8B86-D011-B42D-00CF4FC964FF", true],
    ["uuid", "6f9619ff8b86d011b42d00cf4fc964ff", true],
    ["uuid", "not-a-uuid", false],
    ["ipv4", "010.0.0.1", true],
    ["ipv4", "256.0.0.1", false],
    ["ipv6", "::1", true],
    ["ipv6", "1.2.3.4", false],
    ["cidr", "10.0.0.0/8", true],
    ["cidr", "10.0.0.0/33", false],
    ["mac", "00:00:5e:00:53:01", true],
    ["mac", "0000.5e00.5301", true],
    ["mac", "00:00:5e", false],
    ["hostname", "my-host.example.com", true],
    ["hostname", "-bad", false],
    ["email", "a@b", true],
    ["email", "A <a@b.c>", true],
    ["email", "a..b@c", false],
    ["uri", "http://example.com/p?q#f", true],
    ["uri", "/abs", true],
    ["uri", "rel", false],
    ["uri", "http://a b", false],
    ["byte", "aGVsbG8=", true],
    ["byte", "", false],
    ["byte", "a", false],
    ["hexcolor", "#fff", true],
    ["rgbcolor", "rgb(255, 0, 10)", true],
    ["isbn10", "0321751043", true],
    ["isbn13", "978-0321751041", true],
    ["creditcard", "4111 1111 1111 1111", true],
    ["creditcard", "4111 1111 1111 1112", false],
    ["ssn", "123-45-6789", true],
    ["ssn", "123456789", false],
    ["bsonobjectid", "507f1f77bcf86cd799439011", true],
    ["password", "anything", true],
  ];
  for (const [f, s, want] of cases) test(`${f}: ${JSON.stringify(s)}`, () => expect(valid(f, s)).toBe(want));
});
