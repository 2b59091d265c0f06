import { describe, expect, test } from "bun:test";
import { formatGoDuration, parseGoDuration } from "./go-duration.ts";
import { formatTime, parseTime } from "./go-time.ts";
import { SPECIALS } from "./special.ts";
import { Reader, Writer } from "./wire.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function encode(name: string, value: unknown): string {
  const w = new Writer();
  SPECIALS[name]!.encode(w, value, name);
  return hex(w.finish());
}

function decode(name: string, h: string): unknown {
  const b = new Uint8Array(Buffer.from(h, "hex"));
  return SPECIALS[name]!.decode(new Reader(b), b.length, 0);
}

describe("Time", () => {
  test("prints RFC 3339 at second precision in UTC; zero is null", () => {
    // 1704164645 = 2024-01-02T03:04:05Z
    expect(decode("Time", "08a5facdac061000")).toBe("2024-01-02T03:04:05Z");
    expect(decode("Time", "")).toBeNull();
    expect(decode("Time", "088092b8c398feffffff011000")).toBeNull(); // 0001-01-01T00:00:00Z is Go's zero time
    expect(decode("Time", "")).toBe(SPECIALS.Time!.zero());
  });

  test("drops nanoseconds both ways, as upstream Time does", () => {
    expect(decode("Time", "08a5facdac0610c0843d")).toBe("2024-01-02T03:04:05Z");
    expect(encode("Time", "2024-01-02T03:04:05.999Z")).toBe("08a5facdac061000");
  });

  test("encodes offsets to UTC; writes nothing for null and the zero time", () => {
    expect(encode("Time", "2024-01-02T04:04:05+01:00")).toBe("08a5facdac061000");
    expect(encode("Time", null)).toBe("");
    expect(encode("Time", "0001-01-01T00:00:00Z")).toBe("");
    expect(() => encode("Time", "yesterday")).toThrow('parsing time "yesterday" as RFC 3339 failed');
    expect(() => encode("Time", 5)).toThrow("expected an RFC 3339 time string");
  });

  test("formats years before 1000 with four digits and 1970 itself", () => {
    expect(formatTime(0, null)).toBe("1970-01-01T00:00:00Z");
    expect(formatTime(-30610224000, null)).toBe("1000-01-01T00:00:00Z");
    expect(parseTime("0999-12-31T23:59:59Z")[0]).toBe(-30610224001);
    expect(parseTime("2024-02-29T00:00:00.5+02:00")).toEqual([1709157600, 500000000]);
  });

  test("rejects impossible dates like time.Parse", () => {
    expect(() => parseTime("2023-02-29T00:00:00Z")).toThrow("field out of range");
    expect(() => parseTime("2024-13-01T00:00:00Z")).toThrow("field out of range");
    expect(() => parseTime("2024-01-01T24:00:00Z")).toThrow("field out of range");
    expect(() => parseTime("2024-01-01T00:00:0xZ")).toThrow("field out of range");
  });

  test("out-of-range seconds are a decode error, not a bogus string", () => {
    const w = new Writer();
    w.byte(0x08);
    w.int(2 ** 50);
    expect(() => decode("Time", hex(w.finish()))).toThrow("out of range");
  });
});

describe("MicroTime", () => {
  test("keeps microseconds (6 digits) and truncates nanoseconds", () => {
    // nanos 123456789 -> .123456
    expect(decode("MicroTime", "08a5facdac0610959aef3a")).toBe("2024-01-02T03:04:05.123456Z");
    expect(decode("MicroTime", "08a5facdac061000")).toBe("2024-01-02T03:04:05.000000Z");
    expect(encode("MicroTime", "2024-01-02T03:04:05.123456Z")).toBe("08a5facdac06108094ef3a");
    expect(encode("MicroTime", "2024-01-02T03:04:05.1234567Z")).toBe("08a5facdac06108094ef3a");
    expect(decode("MicroTime", "")).toBeNull();
  });
});

describe("Duration (Go's time.Duration text)", () => {
  test("formats like Duration.String()", () => {
    const cases: Array<[bigint, string]> = [
      [0n, "0s"],
      [1n, "1ns"],
      [1100n, "1.1\u00b5s"],
      [2200000n, "2.2ms"],
      [3300000000n, "3.3s"],
      [245000000000n, "4m5s"],
      [245001000000n, "4m5.001s"],
      [18367001000000n, "5h6m7.001s"],
      [480000000001n, "8m0.000000001s"],
      [(1n << 63n) - 1n, "2562047h47m16.854775807s"],
      [-(1n << 63n), "-2562047h47m16.854775808s"],
      [-1500000000n, "-1.5s"],
    ];
    for (const [d, s] of cases) expect(formatGoDuration(d)).toBe(s);
  });

  test("parses like time.ParseDuration, float64 fractions included", () => {
    const cases: Array<[string, bigint]> = [
      ["0", 0n],
      ["-0", 0n],
      ["5s", 5000000000n],
      ["+5s", 5000000000n],
      ["5.s", 5000000000n],
      [".5s", 500000000n],
      ["1.004s", 1004000000n],
      ["12\u00b5s", 12000n],
      ["12\u03bcs", 12000n],
      ["11us", 11000n],
      ["3h30m", 12600000000000n],
      ["10.5s4m", 250500000000n],
      ["-2m3.4s", -123400000000n],
      ["1h2m3s4ms5us6ns", 3723004005006n],
      ["0.3333333333333333333h", 1200000000000n],
      ["9223372036854775807ns", (1n << 63n) - 1n],
      ["-9223372036854775808ns", -(1n << 63n)],
      ["0.100000000000000000000h", 360000000000n],
    ];
    for (const [s, d] of cases) expect(parseGoDuration(s)).toBe(d);
  });

  test("rejects what Go rejects, with Go's messages", () => {
    expect(() => parseGoDuration("")).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration("3")).toThrow('time: missing unit in duration "3"');
    expect(() => parseGoDuration(".s")).toThrow('time: invalid duration ".s"');
    expect(() => parseGoDuration("1d")).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => parseGoDuration("9223372036854775808ns")).toThrow("time: invalid duration");
    expect(() => parseGoDuration("\u00e9s")).toThrow('time: invalid duration "\\xc3\\xa9s"');
  });

  test("codec: int64 nanoseconds <-> text, zero is 0s", () => {
    expect(encode("Duration", "1m30s")).toBe("088088aca3cf02");
    expect(decode("Duration", "088088aca3cf02")).toBe("1m30s");
    expect(decode("Duration", "")).toBe("0s");
    expect(decode("Duration", encode("Duration", "-1.5s"))).toBe("-1.5s");
    expect(encode("Duration", null)).toBe("0800");
  });
});

describe("Quantity", () => {
  test("is its string; zero value is \"0\"", () => {
    expect(encode("Quantity", "100m")).toBe("0a043130306d");
    expect(decode("Quantity", "0a043130306d")).toBe("100m");
    expect(decode("Quantity", "")).toBe("0");
    expect(encode("Quantity", null)).toBe("0a0130");
  });

  test("a JSON number (YAML `cpu: 1`) encodes as its decimal text", () => {
    expect(encode("Quantity", 1)).toBe("0a0131");
  });

  test("malformed strings fail with upstream's message", () => {
    expect(() => decode("Quantity", "0a03616263")).toThrow("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe("IntOrString", () => {
  test("number <-> {type 0, intVal}; string <-> {type 1, strVal}; all three fields always written", () => {
    expect(encode("IntOrString", 8080)).toBe("080010903f1a00");
    expect(encode("IntOrString", "50%")).toBe("080110001a03353025");
    expect(decode("IntOrString", "080010903f1a00")).toBe(8080);
    expect(decode("IntOrString", "080110001a03353025")).toBe("50%");
    expect(decode("IntOrString", "")).toBe(0);
    expect(encode("IntOrString", -1)).toBe("080010ffffffffffffffffff011a00");
  });

  test("an unknown type is rejected like Go's MarshalJSON", () => {
    expect(() => decode("IntOrString", "0802")).toThrow("impossible IntOrString.Type");
  });
});

describe("FieldsV1 and RawExtension carry JSON bytes", () => {
  test("round trip the embedded JSON", () => {
    const fields = { "f:metadata": { "f:labels": { "f:app": {} } } };
    const h = encode("FieldsV1", fields);
    expect(Buffer.from(h.slice(4), "hex").toString()).toBe(JSON.stringify(fields));
    expect(decode("FieldsV1", h)).toEqual(fields);
    expect(decode("RawExtension", encode("RawExtension", { a: [1, 2] }))).toEqual({ a: [1, 2] });
  });

  test("absent is null; invalid JSON is a decode error", () => {
    expect(decode("FieldsV1", "")).toBeNull();
    expect(encode("RawExtension", null)).toBe("");
    expect(() => decode("RawExtension", "0a027b7b")).toThrow("runtime.RawExtension:");
  });
});
