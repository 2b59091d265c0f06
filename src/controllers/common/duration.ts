/** Go's time.ParseDuration ("300ms", "1m30s", "2h"), in milliseconds. */
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseGoDuration(text: string): number {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number.parseFloat(m[1]!) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (text.length === 0 || end !== text.length) throw new Error(`time: invalid duration "${text}"`);
  return total;
}
