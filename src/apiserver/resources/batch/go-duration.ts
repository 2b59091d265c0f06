/**
 * Go's time.ParseDuration syntax ("1h30m", "1.5s", "-300ms"), for the "@every <duration>" cron
 * descriptor. Only acceptance and Go's error text matter here, not the value.
 */
import { goQuote } from "../../validation/go-quote.ts";

const UNITS = new Set(["ns", "us", "µs", "μs", "ms", "s", "m", "h"]);
/** Go rejects durations beyond int64 nanoseconds (about 292 years). */
const MAX_NANOS = 2 ** 63;
const NANOS_PER_UNIT: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's error for a duration string, or undefined when it parses. */
export function goDurationError(input: string): string | undefined {
  const invalid = `time: invalid duration ${goQuote(input)}`;
  let s = input.replace(/^[-+]/, "");
  if (s === "0") return undefined;
  if (s === "") return invalid;
  let total = 0;
  while (s !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart = "", fracPart] = number;
    if (intPart === "" && !fracPart) return invalid;
    s = s.slice(whole.length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === "") return `time: missing unit in duration ${goQuote(input)}`;
    if (!UNITS.has(unit)) return `time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}`;
    s = s.slice(unit.length);
    total += Number(`${intPart || "0"}.${fracPart || "0"}`) * NANOS_PER_UNIT[unit]!;
    if (total > MAX_NANOS) return invalid;
  }
  return undefined;
}

