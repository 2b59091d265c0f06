/**
 * Cluster DNS: queries per second and latency (target ≥ 10,000 qps, p99 ≤ 2 ms).
 *
 *   bun scripts/bench/dns.ts [--services 1000] [--seconds 5] [--rate 10000] [--window 32]
 *   bun scripts/bench/dns.ts --cluster <kubeconfig of scripts/e2e-cluster>
 *
 * Default (on this machine): a real `kts server`, that many Services, and `kts dns` as its own
 * process on loopback; the load generator (scripts/bench/dns-load.ts) runs as a third process.
 * `--cluster`: on the e2e cluster, the load generator runs in a pod (kts image, BUN_BE_BUN) on an
 * agent and queries the cluster DNS Service (10.43.0.10) through the service proxy.
 * Both print a closed-loop run (--window queries outstanding: throughput) and an open-loop run at
 * --rate queries per second (latency under that load). Only Service names are asked: nothing is
 * forwarded outside the cluster.
 */
import { join } from "node:path";
import { freePort, step } from "./lib.ts";
import type { LoadResult } from "./dns-cluster.ts";
import { startTestServer } from "../../src/testing/server.ts";

const args = process.argv.slice(2);
const value = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const SERVICES = Number(value("--services", "1000"));
const SECONDS = value("--seconds", "5");
const RATE = value("--rate", "10000");
const WINDOW = value("--window", "32");
const CLUSTER = value("--cluster", "");
const ROOT = join(import.meta.dir, "..", "..");
const LOAD = join(import.meta.dir, "dns-load.ts");

function serviceList(count: number): object {
  const items = Array.from({ length: count }, (_, i) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `svc-${i}`, namespace: "bench" },
    spec: { ports: [{ name: "http", port: 80 }] },
  }));
  return { apiVersion: "v1", kind: "List", items };
}

function names(count: number): string {
  return Array.from({ length: Math.min(count, 200) }, (_, i) => `svc-${Math.floor((i * count) / Math.min(count, 200))}.bench.svc.cluster.local`).join(",");
}

function report(label: string, r: LoadResult): void {
  console.log(`${label}: ${r.qps.toLocaleString("en-US")} answers/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, max ${r.maxMs} ms (sent ${r.sent}, lost ${r.lost}, errors ${r.errors})`);
}

async function local(): Promise<void> {
  step("starting kts server");
  const s = await startTestServer();
  try {
    await s.k("create", "namespace", "bench");
    step(`creating ${SERVICES} Services`);
    const r = await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: JSON.stringify(serviceList(SERVICES)), timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(r.stderr);
    const port = await freePort();
    step("starting kts dns");
    const dns = Bun.spawn(
      [process.execPath, join(ROOT, "cmd", "kts.ts"), "dns", "--kubeconfig", s.kubeconfig, "--listen", `127.0.0.1:${port}`, "--upstream", "127.0.0.1:1", "--health-port", "-1", "--ready-port", "-1", "--metrics-port", "-1"],
      { stdout: "ignore", stderr: "pipe" },
    );
    try {
      let log = "";
      const reader = (async () => {
        for await (const chunk of dns.stderr) log += new TextDecoder().decode(chunk);
      })();
      const deadline = Date.now() + 60_000;
      while (!log.includes("cluster caches synced") && Date.now() < deadline) await Bun.sleep(50);
      if (!log.includes("cluster caches synced")) throw new Error(`kts dns did not sync:\n${log}`);
      const run = async (mode: string[]): Promise<LoadResult> => {
        const p = Bun.spawn([process.execPath, LOAD, "--server", `127.0.0.1:${port}`, "--names", names(SERVICES), "--seconds", SECONDS, ...mode], { stdout: "pipe" });
        const out = await new Response(p.stdout).text();
        return JSON.parse(out.trim()) as LoadResult;
      };
      step("warm-up");
      await run(["--window", "8", "--seconds", "1"]);
      step(`closed loop, ${WINDOW} outstanding, ${SECONDS} s`);
      const closed = await run(["--window", WINDOW]);
      step(`open loop at ${RATE} queries/s, ${SECONDS} s`);
      const open = await run(["--rate", RATE]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(await Bun.file(`/proc/${dns.pid}/status`).text())?.[1] ?? 0) / 1024;
      console.log(`kts dns on loopback, ${SERVICES} Services (load generator in its own process):`);
      report(`  closed loop (${WINDOW} outstanding)`, closed);
      report(`  open loop at ${RATE}/s`, open);
      console.log(`  kts dns RSS after the runs: ${rss.toFixed(1)} MB`);
      dns.kill("SIGTERM");
      await reader;
    } finally {
      dns.kill("SIGKILL");
    }
  } finally {
    await s.stop();
  }
}

async function cluster(kubeconfig: string): Promise<void> {
  const { clusterDnsBench } = await import("./dns-cluster.ts");
  const { closed, open } = await clusterDnsBench({ kubeconfig, services: SERVICES, seconds: SECONDS, rate: RATE, window: WINDOW, names, loadScript: LOAD });
  console.log(`kts dns on the e2e cluster, ${SERVICES} Services, load generator in a pod on another node, via the kube-dns ClusterIP:`);
  report(`  closed loop (${WINDOW} outstanding)`, closed);
  report(`  open loop at ${RATE}/s`, open);
}

if (CLUSTER) await cluster(CLUSTER);
else await local();
