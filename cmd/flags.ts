import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";

/** Default --data-dir, as k3s: a system path for root, a home path otherwise. */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? "/var/lib/kts" : join(homedir(), ".kts");
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses Go-style durations ("90s", "5m", "1h30m", "250ms") into milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new InvalidArgumentError(`"${text}" is not a duration (examples: 30s, 5m, 1h)`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]!]!, 0);
}

/** Parses host:port (port 0 = pick a free one). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`"${text}" is not host:port (example: 127.0.0.1:2379)`);
  return { host: (m[1] ?? m[2])!, port };
}

export function parseIntFlag(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${text}" is not a whole number`);
  return n;
}
