/**
 * The API server over HTTPS on loopback, in one run:
 *
 *   - cold start: process spawn -> /readyz 200, on a fresh data dir and on a restart;
 *   - creates/s with 1 and 16 clients (h2load --h1, ConfigMaps with generateName, bearer token);
 *   - GET p50/p99 (sequential, keep-alive) and GETs/s with 16 clients (h2load);
 *   - LIST of 10,000 ConfigMaps as JSON and as a Table (p50 of repeated lists);
 *   - watch fan-out: 1,000 watchers on raw TLS connections, time until each sees one new object;
 *   - idle RSS of the server process.
 *
 * The server is a real `kts server` child process (data in a temp dir, removed at the end).
 *
 *   bun scripts/bench/api.ts [--watchers 1000] [--objects 10000] [--binary dist/kts]
 *
 * Needs h2load (apt-get install nghttp2-client).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { parseArgs } from "node:util";
import { type BenchServer, freePort, h2load, ktsCommand, percentile, requireTool, startBenchServer, step } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    watchers: { type: "string", default: "1000" },
    objects: { type: "string", default: "10000" },
    binary: { type: "string" },
  },
});
const WATCHERS = Number(args.watchers);
const OBJECTS = Number(args.objects);
const TOKEN = "bench-token-0123456789";
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-api-"));
const KTS = ktsCommand(args.binary);

function api(s: BenchServer, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${s.base}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...(init.headers as Record<string, string>) },
    tls: { ca: s.ca },
  } as RequestInit);
}

function load(s: BenchServer, path: string, opts: { requests: number; clients: number; body?: string }): Promise<{ rps: number; meanMs: number }> {
  return h2load({ url: `${s.base}${path}`, token: TOKEN, ...opts });
}

const pct = percentile;

async function timeRequests(n: number, fn: () => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fn();
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`request failed: ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

/** Raw TLS watchers: each sends a watch request and reports when `marker` shows up in its stream. */
async function fanOut(s: BenchServer, watchers: number): Promise<{ p50: number; p99: number; max: number; connectedMs: number }> {
  const list = (await (await api(s, "/api/v1/namespaces/fanout/configmaps")).json()) as { metadata: { resourceVersion: string } };
  const rv = list.metadata.resourceVersion;
  const marker = `fanout-${Date.now()}`;
  const arrivals: number[] = new Array(watchers).fill(0);
  const sockets: ReturnType<typeof connect>[] = [];
  const connected = performance.now();
  let ready = 0;
  const allReady = Promise.withResolvers<void>();
  const allSeen = Promise.withResolvers<void>();
  let seen = 0;
  for (let i = 0; i < watchers; i++) {
    const sock = connect({ host: "127.0.0.1", port: s.port, ca: s.ca, ALPNProtocols: ["http/1.1"] }, () => {
      sock.write(`GET /api/v1/namespaces/fanout/configmaps?watch=1&resourceVersion=${rv} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    });
    let buf = "";
    let headers = false;
    sock.on("data", (chunk: Buffer) => {
      buf += chunk.toString("latin1");
      if (!headers && buf.includes("\r\n\r\n")) {
        headers = true;
        if (++ready === watchers) allReady.resolve();
      }
      if (arrivals[i] === 0 && buf.includes(marker)) {
        arrivals[i] = performance.now();
        if (++seen === watchers) allSeen.resolve();
      }
    });
    sock.on("error", () => {});
    sockets.push(sock);
  }
  await Promise.race([allReady.promise, Bun.sleep(60_000)]);
  if (ready < watchers) throw new Error(`only ${ready}/${watchers} watches opened`);
  const connectedMs = performance.now() - connected;
  await Bun.sleep(500);
  const t0 = performance.now();
  await api(s, "/api/v1/namespaces/fanout/configmaps", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: marker } }) });
  await Promise.race([allSeen.promise, Bun.sleep(30_000)]);
  for (const sock of sockets) sock.destroy();
  if (seen < watchers) throw new Error(`only ${seen}/${watchers} watchers saw the event`);
  const lat = arrivals.map((t) => t - t0).sort((a, b) => a - b);
  return { p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1]!, connectedMs };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  requireTool("h2load", "nghttp2-client");
  const dataDir = join(scratch, "data");
  const port = await freePort();
  step("cold start (fresh data dir)");
  const first = await startBenchServer({ kts: KTS, dataDir, port, token: TOKEN });
  await Bun.sleep(3000);
  const idleRss = rssMb(first.proc.pid);
  await first.stop();
  step("restart");
  const s = await startBenchServer({ kts: KTS, dataDir, port, token: TOKEN });
  const restartMs = s.readyMs;
  for (const ns of ["bench", "fanout"]) await api(s, "/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }) });

  const createBody = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" }, data: { key: "x".repeat(200) } });
  step("creates, 1 client");
  const create1 = await load(s, "/api/v1/namespaces/bench/configmaps", { requests: 2000, clients: 1, body: createBody });
  step("creates, 16 clients");
  const rest = Math.max(0, OBJECTS - 2000);
  const create16 = await load(s, "/api/v1/namespaces/bench/configmaps", { requests: rest, clients: 16, body: createBody });

  const one = (await (await api(s, "/api/v1/namespaces/bench/configmaps?limit=1")).json()) as { items: Array<{ metadata: { name: string } }> };
  const name = one.items[0]!.metadata.name;
  step("GET latency");
  const getLat = await timeRequests(2000, () => api(s, `/api/v1/namespaces/bench/configmaps/${name}`));
  const get16 = await load(s, `/api/v1/namespaces/bench/configmaps/${name}`, { requests: 20000, clients: 16 });

  step(`LIST of ${OBJECTS} ConfigMaps`);
  const listJson = await timeRequests(10, () => api(s, "/api/v1/namespaces/bench/configmaps"));
  const listTable = await timeRequests(10, () => api(s, "/api/v1/namespaces/bench/configmaps", { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" } }));
  const listed = (await (await api(s, "/api/v1/namespaces/bench/configmaps")).json()) as { items: unknown[] };

  step(`watch fan-out to ${WATCHERS} watchers`);
  const fan = await fanOut(s, WATCHERS);
  await Bun.sleep(2000);
  const loadedRss = rssMb(s.proc.pid);
  await s.stop();

  const row = (label: string, value: string, target = "") => console.log(`| ${label.padEnd(44)} | ${value.padEnd(26)} | ${target.padEnd(16)} |`);
  console.log(`| ${"measure".padEnd(44)} | ${"kts".padEnd(26)} | ${"target".padEnd(16)} |`);
  console.log(`|${"-".repeat(46)}|${"-".repeat(28)}|${"-".repeat(18)}|`);
  row("cold start to /readyz (fresh data dir)", `${first.readyMs.toFixed(0)} ms`, "<= 1,000 ms");
  row("restart to /readyz", `${restartMs.toFixed(0)} ms`, "<= 1,000 ms");
  row("idle RSS after start", `${idleRss.toFixed(1)} MB`, "<= 80 MB");
  row("creates/s, 1 client", `${create1.rps.toFixed(0)} (mean ${create1.meanMs.toFixed(2)} ms)`);
  row("creates/s, 16 clients", `${create16.rps.toFixed(0)} (mean ${create16.meanMs.toFixed(2)} ms)`, ">= 2,000");
  row("GET p50 / p99, 1 client", `${pct(getLat, 50).toFixed(2)} / ${pct(getLat, 99).toFixed(2)} ms`, "p99 <= 5 ms");
  row("GETs/s, 16 clients", `${get16.rps.toFixed(0)}`);
  row(`LIST ${listed.items.length} ConfigMaps, JSON (p50 / max)`, `${pct(listJson, 50).toFixed(0)} / ${listJson[listJson.length - 1]!.toFixed(0)} ms`, "<= 300 ms");
  row(`LIST ${listed.items.length} ConfigMaps, Table (p50 / max)`, `${pct(listTable, 50).toFixed(0)} / ${listTable[listTable.length - 1]!.toFixed(0)} ms`, "<= 300 ms");
  row(`watch fan-out, ${WATCHERS} watchers: p50 / p99 / max`, `${fan.p50.toFixed(1)} / ${fan.p99.toFixed(1)} / ${fan.max.toFixed(1)} ms`, "p99 <= 50 ms");
  row("RSS after the run", `${loadedRss.toFixed(1)} MB`);
  console.log(`\n(${WATCHERS} watch connections opened in ${fan.connectedMs.toFixed(0)} ms; clients and server share this machine's cores)`);
}

try {
  await main();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
