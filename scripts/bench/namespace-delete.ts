/**
 * Namespace deletion at scale: a namespace holding 10,000 ConfigMaps is deleted, and the time
 * from the DELETE until the namespace is gone (404) is measured — the namespace controller
 * listing and deleting its content, then finalizing it; the garbage collector sees every
 * deletion go by meanwhile.
 *
 * The server is a real `kts server` child process (data in a temp dir, removed at the end).
 *
 *   bun scripts/bench/namespace-delete.ts [--objects 10000] [--binary dist/kts] [--datastore-sync full|normal]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ktsCommand, startBenchServer, step } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "10000" },
    binary: { type: "string" },
    "datastore-sync": { type: "string", default: "full" },
  },
});
const OBJECTS = Number(args.objects);
const TOKEN = "bench-token-0123456789";
const NAMESPACE = "bench-ns";
const CLIENTS = 32;
const KTS = ktsCommand(args.binary);
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-ns-"));

const server = await startBenchServer({ kts: KTS, dataDir: scratch, token: TOKEN, args: ["--datastore-sync", args["datastore-sync"]!] });

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.base}${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, tls: { ca: server.ca } } as RequestInit);
}

async function must(path: string, init: RequestInit, expected: number[]): Promise<void> {
  const res = await api(path, init);
  if (!expected.includes(res.status)) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

try {
  await must("/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }) }, [201]);
  step(`creating ${OBJECTS} ConfigMaps with ${CLIENTS} clients`);
  const createStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < OBJECTS) {
        const i = next++;
        const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` }, data: { index: String(i), payload: "x".repeat(64) } };
        await must(`/api/v1/namespaces/${NAMESPACE}/configmaps`, { method: "POST", body: JSON.stringify(body) }, [201]);
      }
    }),
  );
  const createMs = performance.now() - createStart;

  step("deleting the namespace");
  const deleteStart = performance.now();
  await must(`/api/v1/namespaces/${NAMESPACE}`, { method: "DELETE", body: JSON.stringify({ propagationPolicy: "Background" }) }, [200, 202]);
  const acceptedMs = performance.now() - deleteStart;
  for (;;) {
    const res = await api(`/api/v1/namespaces/${NAMESPACE}`);
    await res.arrayBuffer();
    if (res.status === 404) break;
    if (performance.now() - deleteStart > 600_000) throw new Error("namespace still there after 10 minutes");
    await Bun.sleep(10);
  }
  const goneMs = performance.now() - deleteStart;
  // The namespace only goes once its content is gone; check nothing was left behind in storage.
  const left = (await (await api(`/api/v1/namespaces/${NAMESPACE}/configmaps`)).json()) as { items: unknown[] };
  if (left.items.length !== 0) throw new Error(`${left.items.length} ConfigMaps outlived their namespace`);

  console.log(`namespace deletion, ${OBJECTS} ConfigMaps, --datastore-sync ${args["datastore-sync"]}`);
  console.log(`  create:            ${(createMs / 1000).toFixed(1)} s (${Math.round(OBJECTS / (createMs / 1000))} creates/s, ${CLIENTS} clients)`);
  console.log(`  DELETE answered:   ${acceptedMs.toFixed(0)} ms`);
  console.log(`  namespace gone:    ${(goneMs / 1000).toFixed(2)} s (${Math.round(OBJECTS / (goneMs / 1000))} objects/s)`);
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
