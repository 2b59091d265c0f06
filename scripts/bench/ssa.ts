/**
 * Server-side apply throughput over HTTPS on loopback: 1,000 Deployments applied with
 * `application/apply-patch+yaml` (create, change, no-op re-apply, forced takeover by a second
 * manager), next to plain JSON creates of as many Deployments for scale. Each phase runs with
 * N concurrent clients; figures are objects per second.
 *
 * The server is a real `kts server` child process (data in a temp dir, removed at the end), with
 * its controllers running as usual (replicas: 0, so no pods are made).
 *
 *   bun scripts/bench/ssa.ts [--objects 1000] [--clients 16] [--binary dist/kts]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ktsCommand, percentile, startBenchServer, step } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "1000" },
    clients: { type: "string", default: "16" },
    binary: { type: "string" },
  },
});
const OBJECTS = Number(args.objects);
const CLIENTS = Number(args.clients);
const TOKEN = "bench-token-0123456789";
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-ssa-"));
const KTS = ktsCommand(args.binary);

step("starting kts server");
const server = await startBenchServer({ kts: KTS, dataDir: scratch, token: TOKEN });

function call(method: string, path: string, body: string, contentType: string): Promise<Response> {
  return fetch(`${server.base}${path}`, { method, body, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": contentType }, tls: { ca: server.ca } } as RequestInit);
}

function deployment(name: string, image: string, replicas = 0): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name, bench: "ssa" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image, ports: [{ containerPort: 80 }], env: [{ name: "MODE", value: "bench" }], args: ["--serve"] }] },
      },
    },
  });
}

interface Phase {
  name: string;
  /** The request for object i; the expected status. */
  request(i: number): [method: string, path: string, body: string, contentType: string];
  status: number;
}

/** Runs `count` requests with CLIENTS concurrent workers; returns objects/s and latency percentiles. */
async function run(phase: Phase, count = OBJECTS): Promise<{ rate: number; p50: number; p99: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t = performance.now();
      const res = await call(...phase.request(i));
      const text = await res.text();
      if (res.status !== phase.status) throw new Error(`${phase.name} #${i}: ${res.status} ${text}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const APPLY = "application/apply-patch+yaml";
const applyPath = (i: number, manager: string, force = false) => `/apis/apps/v1/namespaces/default/deployments/ssa-${i}?fieldManager=${manager}${force ? "&force=true" : ""}`;

const phases: Phase[] = [
  { name: "POST create (JSON)", status: 201, request: (i) => ["POST", "/apis/apps/v1/namespaces/default/deployments", deployment(`post-${i}`, "nginx:1.27"), "application/json"] },
  { name: "apply: create", status: 201, request: (i) => ["PATCH", applyPath(i, "bench"), deployment(`ssa-${i}`, "nginx:1.27"), APPLY] },
  { name: "apply: change the image", status: 200, request: (i) => ["PATCH", applyPath(i, "bench"), deployment(`ssa-${i}`, "nginx:1.28"), APPLY] },
  { name: "apply: no change", status: 200, request: (i) => ["PATCH", applyPath(i, "bench"), deployment(`ssa-${i}`, "nginx:1.28"), APPLY] },
  { name: "apply: second manager, forced", status: 200, request: (i) => ["PATCH", applyPath(i, "other", true), deployment(`ssa-${i}`, "nginx:1.29"), APPLY] },
];

try {
  // Warm the server up (JIT, TLS session cache) so the first measured phase is not penalised.
  step("warm-up: 300 ConfigMaps");
  await run({ name: "warm-up", status: 201, request: (i) => ["POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `warm-${i}` }, data: { i: String(i) } }), "application/json"] }, 300);
  const results: Array<[string, { rate: number; p50: number; p99: number }]> = [];
  for (const phase of phases) {
    step(`${phase.name}: ${OBJECTS} Deployments, ${CLIENTS} clients`);
    results.push([phase.name, await run(phase)]);
  }
  console.log(`server-side apply, ${OBJECTS} Deployments, ${CLIENTS} concurrent clients (HTTPS, loopback)`);
  console.log(`${"phase".padEnd(34)}${"objects/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
  for (const [name, r] of results) console.log(`${name.padEnd(34)}${r.rate.toFixed(0).padStart(10)}${r.p50.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}`);
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
