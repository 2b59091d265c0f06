/** Small helpers shared by the benchmark scripts. */
import { createServer } from "node:net";

/** Progress on stderr, so stdout holds only the figures. */
export function step(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Exits with an install hint when a tool the benchmark drives is missing. */
export function requireTool(cmd: string, pkg: string): void {
  if (!Bun.which(cmd)) {
    console.error(`bench: ${cmd} not found; install it with: apt-get install -y ${pkg}`);
    process.exit(2);
  }
}

/** The p-th percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
