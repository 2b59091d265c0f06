/**
 * IANA time zone names as Go's time.LoadLocation accepts them, checked against the runtime's
 * ICU database. Go looks names up as zoneinfo file paths, so unlike ICU it is case-sensitive.
 */

/** Go's LoadLocation error text for a name, or undefined when the zone exists. */
export function timeZoneError(name: string): string | undefined {
  if (name === "" || name === "UTC" || name === "Local") return undefined;
  if (name.includes("..") || name.startsWith("/") || name.startsWith("\\")) return "time: invalid location name";
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    // ICU matches case-insensitively and echoes its own spelling (some runtimes also map
    // aliases to canonical names); a name that differs only in case is one Go cannot find.
    const caseOnly = resolved !== name && resolved.toLowerCase() === name.toLowerCase();
    if (!caseOnly) return undefined;
  } catch {
    // RangeError: not a zone ICU knows.
  }
  return `unknown time zone ${name}`;
}
