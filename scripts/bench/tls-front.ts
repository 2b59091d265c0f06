/**
 * What the TLS front costs: requests/s and p50/p99 latency of one small JSON answer, measured with
 * h2load (HTTP/1.1, keep-alive) against
 *   - the inner Bun.serve directly (plaintext),
 *   - the same server through the node:tls front (TLS + pipe + identity lookup + authenticate),
 *   - Bun.serve with its own TLS, for reference (it cannot see client certificates).
 * The servers run in a child process so h2load and the server do not share a core unfairly;
 * everything is on 127.0.0.1, bounded by a request count.
 *
 *   bun scripts/bench/tls-front.ts [--requests 40000] [--clients 16] [--bytes 0]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { StaticTokens, authenticate, startTlsFront, type TlsFront } from "../../src/apiserver/secure/index.ts";
import { logger } from "../../src/log/index.ts";
import { ensureClusterPki } from "../../src/pki/index.ts";

const HOST = "127.0.0.1";
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40000" },
    clients: { type: "string", default: "16" },
    bytes: { type: "string", default: "0" },
    serve: { type: "string" },
  },
});

if (values.serve) await serve(values.serve, Number(values.bytes));
else await bench(Number(values.requests), Number(values.clients), Number(values.bytes));

/** Child mode: start the three servers over the PKI in `dir`, print their ports, stop when stdin closes. */
async function serve(dir: string, bytes: number): Promise<void> {
  const pki = ensureClusterPki({ dir });
  const tokens = new StaticTokens([{ secret: "bench-token", user: { username: "bench", groups: [] } }]);
  const payload = JSON.stringify({ major: "1", minor: "32", gitVersion: "v1.32.5+kts1", pad: "x".repeat(bytes) });
  let front: TlsFront | undefined;
  const handler = async (req: Request, server: Bun.Server<undefined>) => {
    const remote = server.requestIP(req);
    const auth = await authenticate(req, remote ? front?.identityOf(remote.port) : undefined, tokens);
    return auth.ok ? new Response(payload, { headers: { "content-type": "application/json" } }) : new Response("", { status: 401 });
  };
  const inner = Bun.serve({ hostname: HOST, port: 0, fetch: handler });
  front = await startTlsFront({ host: HOST, port: 0, key: pki.serving.keyPem, cert: pki.serving.chainPem, clientCaPem: pki.clientCa.certPem, innerPort: inner.port!, log: logger("bench") });
  const native = Bun.serve({ hostname: HOST, port: 0, tls: { key: pki.serving.keyPem, cert: pki.serving.chainPem }, fetch: handler });
  console.log(JSON.stringify({ inner: inner.port, front: front.port, native: native.port }));
  for await (const _ of Bun.stdin.stream()) {
    // Runs until the parent closes stdin.
  }
  await front.close();
  inner.stop(true);
  native.stop(true);
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

async function bench(requests: number, clients: number, bytes: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kts-bench-front-"));
  const child = Bun.spawn([process.execPath, import.meta.path, "--serve", dir, "--bytes", String(bytes)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  try {
    const ports = JSON.parse((await readLine(child.stdout)) ?? "{}") as { inner: number; front: number; native: number };
    const targets: [string, string][] = [
      ["direct (plain HTTP)", `http://${HOST}:${ports.inner}/version`],
      ["front (node:tls + pipe)", `https://${HOST}:${ports.front}/version`],
      ["front + bearer token", `https://${HOST}:${ports.front}/version`],
      ["Bun.serve native TLS", `https://${HOST}:${ports.native}/version`],
    ];
    const results: Result[] = [];
    for (const [name, url] of targets) {
      await h2load(url, 1000, clients, dir, name.includes("bearer")); // warm-up
      results.push({ name, ...(await h2load(url, requests, clients, dir, name.includes("bearer"))) });
    }
    console.log(`${requests} requests, ${clients} keep-alive HTTP/1.1 connections, ${bytes}-byte pad\n`);
    console.log("| target | req/s | p50 ms | p99 ms | failed |\n|---|---:|---:|---:|---:|");
    for (const r of results) console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.failed} |`);
  } finally {
    child.stdin.end();
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs h2load and reads per-request latencies from its log file (its summary has no percentiles). */
async function h2load(url: string, n: number, c: number, dir: string, token: boolean): Promise<Omit<Result, "name">> {
  const log = join(dir, "h2load.log");
  const args = ["h2load", "--h1", "-n", String(n), "-c", String(c), "-m", "1", "--log-file", log, ...(token ? ["-H", "Authorization: Bearer bench-token"] : []), url];
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1] ?? 0);
  const failed = Number(/(\d+) failed/.exec(out)?.[1] ?? 0) + Number(/(\d+) 4xx/.exec(out)?.[1] ?? 0);
  // Log lines: <start µs> <status> <elapsed µs>
  const lat = readFileSync(log, "utf8").trim().split("\n").map((l) => Number(l.split("\t")[2]) / 1000).sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
  return { rps, p50: pct(50), p99: pct(99), failed };
}

async function readLine(stream: ReadableStream<Uint8Array>): Promise<string | undefined> {
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text || undefined;
    text += new TextDecoder().decode(value);
    const nl = text.indexOf("\n");
    if (nl >= 0) {
      reader.releaseLock();
      return text.slice(0, nl);
    }
  }
}
