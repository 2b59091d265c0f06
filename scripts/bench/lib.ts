/** Small helpers shared by the benchmark scripts. */
import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** The kts command a benchmark runs: `binary` (e.g. dist/kts), or cmd/kts.ts under this Bun. */
export function ktsCommand(binary?: string): string[] {
  return binary ? [binary] : [process.execPath, join(import.meta.dir, "..", "..", "cmd", "kts.ts")];
}

export interface BenchServer {
  proc: Subprocess;
  port: number;
  /** https://127.0.0.1:<port> */
  base: string;
  /** The cluster's server CA (PEM), to verify the server with. */
  ca: string;
  dataDir: string;
  /** The admin kubeconfig the server wrote. */
  kubeconfig: string;
  /** From spawning the process to /readyz answering 200. */
  readyMs: number;
  /** SIGTERM, and waits for the process to exit. */
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** From ktsCommand(). */
  kts: string[];
  dataDir: string;
  /** A static bearer token (--token) the benchmark authenticates with. */
  token: string;
  /** A port to listen on (a restart on the same one); a free one by default. */
  port?: number;
  /** More `kts server` flags. */
  args?: string[];
}

/** Starts `kts server` on loopback without its agent, and returns once /readyz answers 200. */
export async function startBenchServer(opts: BenchServerOptions): Promise<BenchServer> {
  const port = opts.port ?? (await freePort());
  const { dataDir } = opts;
  const kubeconfig = join(dataDir, "kubeconfig.yaml");
  const started = performance.now();
  const proc = Bun.spawn(
    [...opts.kts, "server", "--data-dir", dataDir, "--https-listen-port", String(port), "--bind-address", "127.0.0.1", "-o", kubeconfig, "--token", opts.token, "--disable-agent", ...(opts.args ?? [])],
    { stdout: "ignore", stderr: "ignore" },
  );
  const base = `https://127.0.0.1:${port}`;
  let ca: string;
  try {
    for (;;) {
      const ok = await fetch(`${base}/readyz`, { tls: { rejectUnauthorized: false } } as RequestInit).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (proc.exitCode !== null) throw new Error(`kts server exited with ${proc.exitCode} before it was ready`);
      if (performance.now() - started > 30_000) throw new Error("server did not become ready in 30s");
      await Bun.sleep(5);
    }
    ca = readFileSync(join(dataDir, "server", "tls", "server-ca.crt"), "utf8");
  } catch (err) {
    proc.kill("SIGKILL");
    await proc.exited;
    throw err;
  }
  const readyMs = performance.now() - started;
  return {
    proc,
    port,
    base,
    ca,
    dataDir,
    kubeconfig,
    readyMs,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

export interface H2loadOptions {
  url: string;
  requests: number;
  clients: number;
  /** Sent as a bearer token. */
  token?: string;
  /** The same body for every request (a POST), sent as JSON. */
  body?: string;
  /** More request headers, "Name: value". */
  headers?: string[];
}

/**
 * h2load over HTTP/1.1 with one request in flight per client (apt-get install nghttp2-client);
 * throws unless every request succeeded with a 2xx. Requests/s and the mean request time.
 */
export async function h2load(opts: H2loadOptions): Promise<{ rps: number; meanMs: number }> {
  const argv = ["h2load", "--h1", "-n", String(opts.requests), "-c", String(opts.clients), "-m", "1", "-H", "Content-Type: application/json"];
  if (opts.token) argv.push("-H", `Authorization: Bearer ${opts.token}`);
  for (const h of opts.headers ?? []) argv.push("-H", h);
  const dir = opts.body === undefined ? undefined : mkdtempSync(join(tmpdir(), "kts-bench-h2load-"));
  try {
    if (dir) {
      writeFileSync(join(dir, "body"), opts.body!);
      argv.push("-d", join(dir, "body"));
    }
    argv.push(opts.url);
    const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
    const out = await new Response(p.stdout).text();
    await p.exited;
    const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1]);
    const succeeded = Number(/(\d+) succeeded/.exec(out)?.[1]);
    const ok2xx = Number(/status codes: (\d+) 2xx/.exec(out)?.[1]);
    if (!rps || succeeded !== opts.requests || ok2xx !== opts.requests) throw new Error(`h2load ${opts.url} failed:\n${out}`);
    const mean = /time for request:\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? "0ms";
    const meanMs = mean.endsWith("ms") ? parseFloat(mean) : mean.endsWith("us") ? parseFloat(mean) / 1000 : parseFloat(mean) * 1000;
    return { rps, meanMs };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
