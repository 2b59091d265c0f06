/**
 * Scheduling throughput: 1,000 Node objects (no agents behind them) and 10,000 pods with requests
 * — required node affinity on a third of them, required anti-affinity (per hostname, within
 * groups of ten) on a tenth. Two runs, each on a fresh store:
 *
 *   streaming: the pods are created (64 clients) while the scheduler runs; prints pods bound per
 *              second from the first create to the last binding, and the time from each pod's
 *              create request to its binding (p50 / p99);
 *   backlog:   the 10,000 pods are pending before the scheduler starts; prints pods bound per
 *              second from the scheduler's start to the last binding.
 *
 * The scheduler runs in-process over the in-process client, as in `kts server`, against a real
 * store (SQLite in a temp dir) with the server's admission chain; pods are created through the
 * same client, so creation, scheduling, binding writes and events share this one process.
 *
 *   bun scripts/bench/scheduler.ts [--nodes 1000] [--pods 10000] [--mode both|streaming|backlog] [--datastore-sync full|normal]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { KubeObject } from "../../src/apiserver/api/types.ts";
import { defaultAdmission, NO_SERVICE_ACCOUNTS } from "../../src/apiserver/admission/index.ts";
import { LocalClient } from "../../src/apiserver/local-client.ts";
import { Registry } from "../../src/apiserver/registry/registry.ts";
import { builtinDefinitions } from "../../src/apiserver/resources/index.ts";
import { bootstrapPriorityClasses } from "../../src/apiserver/resources/scheduling/system-classes.ts";
import { SeriesBroadcaster, SharedInformerFactory } from "../../src/client/index.ts";
import { logger } from "../../src/log/index.ts";
import { Scheduler } from "../../src/scheduler/index.ts";
import { nodeObject } from "../../src/scheduler/testing.ts";
import { SqliteBackend, type SyncMode } from "../../src/store/index.ts";
import { tempDir } from "../../src/store/sqlite/testing.ts";
import { percentile, step } from "./lib.ts";

const { values: args } = parseArgs({
  options: {
    nodes: { type: "string", default: "1000" },
    pods: { type: "string", default: "10000" },
    clients: { type: "string", default: "64" },
    mode: { type: "string", default: "both" },
    "datastore-sync": { type: "string", default: "full" },
  },
});
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const CLIENTS = Number(args.clients);
const ZONES = 10;
const PODS_REF = { group: "", version: "v1", resource: "pods" };
const NODES_REF = { group: "", version: "v1", resource: "nodes" };

function pod(i: number): KubeObject {
  const spec: Record<string, unknown> = {
    containers: [{ name: "c", image: "registry.local/app:1", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
  };
  const labels: Record<string, string> = { app: "bench" };
  if (i % 3 === 0) {
    spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "tier", operator: "In", values: ["gold"] }] }] } } };
  }
  if (i % 10 === 1) {
    const group = `g${Math.floor(i / 10) % 100}`;
    labels.group = group;
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: "kubernetes.io/hostname" }] } };
  }
  return { apiVersion: "v1", kind: "Pod", metadata: { name: `p-${i}`, namespace: "default", labels }, spec };
}

async function inParallel(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

interface Result {
  bound: number;
  seconds: number;
  latencies: number[];
  createSeconds: number;
  /** CPU time of this process over the run (user + system), less sensitive to other load than wall time. */
  cpuSeconds: number;
}

async function run(mode: "streaming" | "backlog"): Promise<Result> {
  const t = tempDir("kts-bench-sched-");
  const backend = SqliteBackend.open({ path: join(t.dir, "state.db"), sync: args["datastore-sync"] as SyncMode });
  const registry: Registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), disable: NO_SERVICE_ACCOUNTS }));
  for (const d of builtinDefinitions()) registry.add(d);
  const client = new LocalClient(registry);
  await client.create({ group: "", version: "v1", resource: "namespaces" }, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
  for (const pc of bootstrapPriorityClasses()) await client.create({ group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses" }, "", pc);
  step(`${mode}: creating ${NODES} nodes`);
  await inParallel(NODES, async (i) => {
    const labels = { "topology.kubernetes.io/zone": `zone-${i % ZONES}`, tier: i % 2 === 0 ? "gold" : "silver" };
    await client.create(NODES_REF, "", nodeObject(`node-${i}`, { cpu: "8", memory: "32Gi", pods: "110", labels }) as unknown as KubeObject);
  });

  const createdAt = new Map<string, number>();
  const createPods = async () => {
    const started = performance.now();
    await inParallel(PODS, async (i) => {
      createdAt.set(`p-${i}`, performance.now());
      await client.create(PODS_REF, "default", pod(i));
    });
    return (performance.now() - started) / 1000;
  };
  let createSeconds = 0;
  if (mode === "backlog") {
    step(`backlog: creating ${PODS} pending pods`);
    createSeconds = await createPods();
  }

  const log = logger("bench");
  const informers = new SharedInformerFactory(client, log);
  const events = new SeriesBroadcaster(client, { host: "bench", log });
  const scheduler = new Scheduler(client, { informers, recorder: (name) => events.recorder(name), log });
  const boundAt = new Map<string, number>();
  const allBound = Promise.withResolvers<void>();
  informers.informer(PODS_REF).on({
    update: (old, obj) => {
      const name = obj.metadata!.name!;
      if ((old.spec as { nodeName?: string }).nodeName || !(obj.spec as { nodeName?: string }).nodeName || boundAt.has(name)) return;
      boundAt.set(name, performance.now());
      if (boundAt.size === PODS) allBound.resolve();
    },
  });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await scheduler.start();
  if (mode === "streaming") {
    step(`streaming: creating ${PODS} pods with ${CLIENTS} clients while the scheduler runs`);
    createSeconds = await createPods();
  }
  const timeout = setTimeout(() => allBound.resolve(), 300_000);
  await allBound.promise;
  clearTimeout(timeout);
  const end = Math.max(...boundAt.values());
  const cpu = process.cpuUsage(cpuStart);
  const latencies = [...boundAt].map(([name, at]) => at - createdAt.get(name)!).sort((a, b) => a - b);
  await scheduler.stop();
  informers.stop();
  events.stop();
  await backend.close();
  t.cleanup();
  return { bound: boundAt.size, seconds: (end - start) / 1000, latencies, createSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

console.log(`scheduler bench: ${NODES} nodes, ${PODS} pods (node affinity on ${Math.ceil(PODS / 3)}, anti-affinity on ${Math.floor(PODS / 10)}), datastore-sync ${args["datastore-sync"]}`);
if (args.mode === "both" || args.mode === "streaming") {
  const r = await run("streaming");
  const l = r.latencies;
  console.log(`streaming: ${r.bound}/${PODS} bound in ${r.seconds.toFixed(2)} s -> ${Math.round(r.bound / r.seconds)} pods/s (creating them took ${r.createSeconds.toFixed(2)} s; CPU ${r.cpuSeconds.toFixed(2)} s)`);
  console.log(`streaming: create -> bound p50 ${percentile(l, 50).toFixed(0)} ms, p99 ${percentile(l, 99).toFixed(0)} ms, max ${l[l.length - 1]!.toFixed(0)} ms`);
}
if (args.mode === "both" || args.mode === "backlog") {
  const r = await run("backlog");
  console.log(`backlog: ${r.bound}/${PODS} pending pods bound in ${r.seconds.toFixed(2)} s after the scheduler started -> ${Math.round(r.bound / r.seconds)} pods/s (CPU ${r.cpuSeconds.toFixed(2)} s)`);
}
