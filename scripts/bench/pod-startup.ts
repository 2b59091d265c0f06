/**
 * Pod startup latency on one node (upstream's SLO: create → Running, seen through a watch, image
 * present locally; p99 ≤ 5 s) and the agent's idle memory.
 *
 *   bun scripts/bench/pod-startup.ts [--pods 30] [--rate 2] [--in-process] [--bind] [--timeline] [--burst-only] [--docker-bridge]
 *
 * Default: a real `kts server --disable-agent` and a real `kts agent` joined to it (separate
 * processes, HTTPS between them); the pods are created together through the API and scheduled by
 * the server's scheduler (`--bind` sets spec.nodeName instead). Printed: p50/p99/max latency, the
 * time until all pods run, the agent's idle RSS before the pods and after they are deleted, and
 * the idle RSS of a `kts server` running its embedded agent. Pods are created all at once (a
 * burst), then again at `--rate` pods per second (default 2), closer to how upstream's density
 * tests pace creations.
 * `--in-process`: the pod manager and an in-process API server in this process (no HTTPS, no
 * scheduler): the agent's own share of the latency.
 * `--timeline`: where each pod's time goes, from Docker's event stream (create/start of the pause
 * and app containers) and the watch: the median and max of each step after a burst.
 * `--burst-only`: the burst alone (no paced run, no memory figures), for back-to-back comparisons.
 * The agent runs kts's pod network, as a default install does (host-gw): cluster CIDR
 * 198.18.0.0/16, service CIDR 198.19.0.0/20 (the benchmarking range), its own bridge and chains
 * (KTS_NET_PREFIX kbench), no service proxy; everything it made is removed at the end.
 * `--docker-bridge`: no pod network (`--flannel-backend none`), the pods on Docker's default bridge. `KTS_BENCH_AGENT_LOG=<file>` keeps the
 * agent's log.
 * Every container carries the `kts.test=<run id>` label and is removed at the end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, step } from "./lib.ts";
import { dockerFloor } from "./docker-floor.ts";
import type { KubeObject } from "../../src/apiserver/api/types.ts";
import type { Client } from "../../src/client/index.ts";
import { DockerEngine, LABEL_CONTAINER_NAME, LABEL_POD_NAME, SANDBOX_NAME } from "../../src/agent/runtime/index.ts";
import { ensureTestImage, removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../src/testing/docker.ts";
import { startTestServer, type TestServer } from "../../src/testing/server.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const POD_COUNT = value("--pods", 30);
const RATE = value("--rate", 2);
const NS = "bench";
const PODS = { group: "", version: "v1", resource: "pods" };
const KTS = join(import.meta.dir, "..", "..", "cmd", "kts.ts");
const POD_NETWORK = !flag("--docker-bridge");
const BENCH_NET = { prefix: "kbench", cluster: "198.18.0.0/16", service: "198.19.0.0/20" };

interface PodObj extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string; containerStatuses?: Array<{ state?: { running?: unknown } }> };
}

/** Wall-clock milliseconds of each pod's steps (Docker's events carry wall-clock times). */
type Timeline = Map<string, Partial<Record<TimelineStep, number>>>;
const STEPS = ["created", "bound", "pauseCreated", "pauseStarted", "appCreated", "appStarted", "running"] as const;
type TimelineStep = (typeof STEPS)[number];

/** Records the create/start events of this run's containers into the timeline until aborted. */
async function dockerTimeline(timeline: Timeline, signal: AbortSignal): Promise<void> {
  const docker = new DockerEngine();
  const stream = await docker.getEvents({ filters: { type: ["container"], label: [`${TEST_LABEL}=${RUN_ID}`], event: ["create", "start"] } });
  signal.addEventListener("abort", () => (stream as unknown as { destroy(): void }).destroy());
  let buf = "";
  stream.on("data", (chunk: Buffer) => {
    buf += chunk.toString();
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const ev = JSON.parse(buf.slice(0, nl)) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } };
      buf = buf.slice(nl + 1);
      const pod = ev.Actor.Attributes[LABEL_POD_NAME];
      if (!pod) continue;
      const sandbox = ev.Actor.Attributes[LABEL_CONTAINER_NAME] === SANDBOX_NAME;
      const step: TimelineStep = sandbox ? (ev.Action === "create" ? "pauseCreated" : "pauseStarted") : ev.Action === "create" ? "appCreated" : "appStarted";
      const t = timeline.get(pod) ?? timeline.set(pod, {}).get(pod)!;
      t[step] ??= ev.timeNano / 1e6;
    }
  });
}

function reportTimeline(timeline: Timeline): void {
  console.log("\nWhere the time goes (ms; each step from the one before it, per pod):");
  console.log("| step | median | max |");
  console.log("| --- | --- | --- |");
  for (let i = 1; i < STEPS.length; i++) {
    const gaps = [...timeline.values()]
      .map((t) => (t[STEPS[i]!] ?? NaN) - (t[STEPS[i - 1]!] ?? NaN))
      .filter((g) => !Number.isNaN(g))
      .sort((a, b) => a - b);
    if (gaps.length) console.log(`| ${STEPS[i - 1]} → ${STEPS[i]} | ${percentile(gaps, 50).toFixed(0)} | ${gaps[gaps.length - 1]!.toFixed(0)} |`);
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) a process used so far; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The pid of the process named `comm` (dockerd), if one runs. */
function pidByName(comm: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === comm) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** The pid of the process whose command line mentions `needle` (a child's data dir). */
function pidOf(needle: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

function podManifest(i: number, nodeName: string | undefined): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `startup-${i}`, namespace: NS },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"], imagePullPolicy: "IfNotPresent" }],
    },
  };
}

const running = (p: PodObj) => p.status?.phase === "Running" && (p.status.containerStatuses ?? []).every((c) => c.state?.running);

/**
 * Creates the pods (all at once, or `rate` per second) and returns each one's create → Running
 * latency (ms), seen through a watch.
 */
async function measure(client: Client, nodeName: string | undefined, rate = 0, timeline?: Timeline): Promise<{ latencies: number[]; allMs: number }> {
  const abort = new AbortController();
  const mark = (pod: string, step: TimelineStep) => {
    const t = timeline?.get(pod) ?? timeline?.set(pod, {}).get(pod);
    if (t) t[step] ??= Date.now();
  };
  if (timeline) await dockerTimeline(timeline, abort.signal);
  const created = new Map<string, number>();
  const latencies = new Map<string, number>();
  const done = Promise.withResolvers<void>();
  const list = await client.list(PODS, NS);
  const watching = (async () => {
    for await (const ev of client.watch(PODS, NS, { resourceVersion: list.metadata.resourceVersion }, abort.signal)) {
      const p = ev.object as PodObj;
      const name = p.metadata?.name ?? "";
      if (p.spec?.nodeName) mark(name, "bound");
      if (!latencies.has(name) && running(p)) {
        mark(name, "running");
        latencies.set(name, performance.now() - (created.get(name) ?? performance.now()));
        if (latencies.size === POD_COUNT) done.resolve();
      }
    }
  })().catch(() => {});
  const start = performance.now();
  await Promise.all(
    Array.from({ length: POD_COUNT }, async (_, i) => {
      if (rate > 0) await Bun.sleep((i * 1000) / rate);
      created.set(`startup-${i}`, performance.now());
      mark(`startup-${i}`, "created");
      await client.create(PODS, NS, podManifest(i, nodeName));
    }),
  );
  const timeout = setTimeout(() => done.reject(new Error(`only ${latencies.size}/${POD_COUNT} pods ran within 120 s`)), 120_000);
  await done.promise.finally(() => clearTimeout(timeout));
  const allMs = performance.now() - start;
  abort.abort();
  await watching;
  return { latencies: [...latencies.values()].sort((a, b) => a - b), allMs };
}

async function deleteAll(client: Client): Promise<void> {
  for (let i = 0; i < POD_COUNT; i++) await client.delete(PODS, NS, `startup-${i}`).catch(() => {});
  const deadline = Date.now() + 60_000;
  while ((await client.list(PODS, NS)).items.length > 0 && Date.now() < deadline) await Bun.sleep(200);
}

function report(title: string, r: { latencies: number[]; allMs: number }, rate = 0): void {
  const l = r.latencies;
  const how = rate > 0 ? `created at ${rate} pods/s` : "created together";
  console.log(`\n${title}: ${POD_COUNT} pods ${how} on one node (image present locally)`);
  console.log("| measure | kts | upstream SLO | target |");
  console.log("| --- | --- | --- | --- |");
  console.log(`| pod startup p50 | ${(percentile(l, 50) / 1000).toFixed(2)} s | | |`);
  console.log(`| pod startup p99 | ${(percentile(l, 99) / 1000).toFixed(2)} s | ≤ 5 s | ≤ 2 s |`);
  console.log(`| pod startup max | ${(l[l.length - 1]! / 1000).toFixed(2)} s | | |`);
  console.log(`| all ${POD_COUNT} running after | ${(r.allMs / 1000).toFixed(2)} s | | |`);
}

async function waitNodeReady(client: Client, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const node = (await client.get({ group: "", version: "v1", resource: "nodes" }, "", name)) as KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };
      if (node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) return;
    } catch {
      // not registered yet
    }
    await Bun.sleep(200);
  }
  throw new Error(`node ${name} did not become Ready`);
}

/** Docker alone, on the pause's Docker network and (kts's pod network, the cheaper floor) on a veth of its own. */
async function printFloors(docker: DockerEngine): Promise<void> {
  step("measuring Docker alone");
  const floor = await dockerFloor(docker, POD_COUNT);
  const veth = await dockerFloor(docker, POD_COUNT, "veth");
  console.log(`\nDocker alone (no agent, no API): ${POD_COUNT} pause + app container pairs created and started, 16 at a time: ${(floor / 1000).toFixed(2)} s`);
  console.log(`The same with the pause off Docker's networking and a veth pair made with ip (as kts's pod network does): ${Number.isNaN(veth) ? "n/a (needs root, ip and nsenter)" : `${(veth / 1000).toFixed(2)} s`}`);
}

async function inProcess(docker: DockerEngine): Promise<void> {
  const { testCluster, memoryLogger } = await import("../../src/controllers/testing.ts");
  const { startPodManager } = await import("../../src/agent/pods/index.ts");
  const cluster = testCluster();
  await cluster.client.create({ group: "", version: "v1", resource: "namespaces" }, "", { metadata: { name: NS } });
  const dataDir = mkdtempSync(join(tmpdir(), "kts-bench-agent-"));
  const nodeName = `bench-${RUN_ID}`.toLowerCase();
  const logs: string[] = [];
  const manager = await startPodManager({ client: cluster.client, nodeName, nodeIP: "127.0.0.1", docker, dataDir, log: memoryLogger(logs), containerLabels: { [TEST_LABEL]: RUN_ID } });
  process.on("exit", () => flag("--verbose") && console.error(logs.join("\n")));
  try {
    step(`creating ${POD_COUNT} pods (in-process API server and pod manager)`);
    const cpu0 = process.cpuUsage();
    const timeline: Timeline | undefined = flag("--timeline") ? new Map() : undefined;
    report("In-process (pod manager + LocalClient)", await measure(cluster.client, nodeName, 0, timeline));
    const cpu = process.cpuUsage(cpu0);
    console.log(`| CPU of this process (API server + pod manager) during the burst | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s | | |`);
    if (timeline) reportTimeline(timeline);
    await deleteAll(cluster.client);
    if (flag("--burst-only")) return;
    if (RATE > 0) {
      report("In-process (pod manager + LocalClient)", await measure(cluster.client, nodeName, RATE), RATE);
      await deleteAll(cluster.client);
    }
    await printFloors(docker);
  } finally {
    await manager.stop();
    await removeTestContainers();
    rmSync(dataDir, { recursive: true, force: true });
    await cluster.close();
  }
}

/** Takes away what the agent's pod network made. */
async function removeBenchNetwork(): Promise<void> {
  const { Iptables } = await import("../../src/iptables/index.ts");
  const { networkNames, removeNodeNetwork } = await import("../../src/agent/network/index.ts");
  await removeNodeNetwork({ names: networkNames(BENCH_NET.prefix), iptables: await Iptables.detect(), clusterCidr: BENCH_NET.cluster, serviceCidr: BENCH_NET.service });
}

async function processes(): Promise<void> {
  const { HttpClient } = await import("../../src/client/http/index.ts");
  const { readKubeconfig } = await import("../../src/pki/index.ts");
  let server: TestServer | undefined;
  let agent: ReturnType<typeof Bun.spawn> | undefined;
  const agentDir = mkdtempSync(join(tmpdir(), "kts-bench-agent-"));
  const nodeName = `bench-${RUN_ID}`.toLowerCase();
  try {
    step("starting kts server --disable-agent");
    server = POD_NETWORK
      ? await startTestServer(["--cluster-cidr", BENCH_NET.cluster, "--service-cidr", BENCH_NET.service, "--disable-kube-proxy"], { network: true })
      : await startTestServer();
    const kc = readKubeconfig(server.kubeconfig);
    const client = new HttpClient({ server: kc.server, caPem: kc.caPem, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem });
    await client.create({ group: "", version: "v1", resource: "namespaces" }, "", { metadata: { name: NS } });
    step("starting kts agent");
    agent = Bun.spawn([process.execPath, KTS, "agent", "--join", server.url, "--token", server.token(), "--node-name", nodeName, "--node-ip", "127.0.0.1", "--data-dir", agentDir], {
      stdout: "ignore",
      stderr: process.env.KTS_BENCH_AGENT_LOG ? Bun.file(process.env.KTS_BENCH_AGENT_LOG) : "ignore",
      env: { ...process.env, KTS_CONTAINER_LABELS: `${TEST_LABEL}=${RUN_ID}`, ...(POD_NETWORK ? { KTS_NET_PREFIX: BENCH_NET.prefix } : {}) },
    });
    await waitNodeReady(client, nodeName);
    await Bun.sleep(5000);
    const idleBefore = rssMb(agent.pid);
    step(`creating ${POD_COUNT} pods through the API`);
    const title = `kts server + kts agent (separate processes, ${flag("--bind") ? "spec.nodeName set" : "scheduled by the server"}, ${POD_NETWORK ? "kts's pod network" : "Docker's default bridge"})`;
    const timeline: Timeline | undefined = flag("--timeline") ? new Map() : undefined;
    const pids = { agent: agent.pid, server: pidOf(server.dataDir), dockerd: pidByName("dockerd") };
    const cpu0 = Object.values(pids).map(cpuSeconds);
    report(title, await measure(client, flag("--bind") ? nodeName : undefined, 0, timeline));
    const cpu = Object.values(pids).map((pid, i) => (cpuSeconds(pid) - cpu0[i]!).toFixed(2));
    console.log(`| CPU during the burst: agent / server / dockerd | ${cpu.join(" / ")} s | | |`);
    if (timeline) reportTimeline(timeline);
    const loaded = rssMb(agent.pid);
    step("deleting the pods");
    await deleteAll(client);
    if (flag("--burst-only")) return;
    step(`creating ${POD_COUNT} pods at ${RATE}/s`);
    report(title, await measure(client, flag("--bind") ? nodeName : undefined, RATE), RATE);
    await deleteAll(client);
    await Bun.sleep(5000);
    const idleAfter = rssMb(agent.pid);
    console.log(`| agent RSS, idle after joining | ${idleBefore.toFixed(1)} MB | | ≤ 50 MB |`);
    console.log(`| agent RSS, running ${POD_COUNT} pods | ${loaded.toFixed(1)} MB | | |`);
    console.log(`| agent RSS, idle after the pods were deleted | ${idleAfter.toFixed(1)} MB | | ≤ 50 MB |`);
    await printFloors(new DockerEngine());
  } finally {
    agent?.kill("SIGTERM");
    await agent?.exited;
    await server?.stop();
    await removeTestContainers();
    rmSync(agentDir, { recursive: true, force: true });
    if (POD_NETWORK) await removeBenchNetwork();
  }
  if (flag("--burst-only")) return;
  // The one-process setup: kts server with its embedded agent, idle.
  step("starting kts server with its embedded agent");
  const both = await startTestServer([], { agent: true });
  try {
    const kc = readKubeconfig(both.kubeconfig);
    const client = new HttpClient({ server: kc.server, caPem: kc.caPem, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem });
    await waitNodeReady(client, both.nodeName!);
    await Bun.sleep(5000);
    const pid = pidOf(both.dataDir);
    const rss = pid ? rssMb(pid) : NaN;
    console.log(`| server + embedded agent RSS, idle | ${Number.isNaN(rss) ? "n/a" : `${rss.toFixed(1)} MB`} | | ≤ 150 MB |`);
  } finally {
    await both.stop();
    await removeTestContainers();
  }
}

await ensureTestImage();
if (flag("--in-process")) await inProcess(new DockerEngine());
else await processes();
