/**
 * How soon a new CRD serves: the time from the CRD's create request to the first successful
 * create of one of its objects, the way a client that applies both in one go sees it (POST the
 * CRD, then POST the object until the server takes it). Also the time until the CRD reports
 * Established, and the same two with kubectl (`kubectl apply -f crd.yaml && kubectl apply -f
 * cr.yaml`, process starts included).
 *
 * The server is a real `kts server` child process (data in a temp dir, removed at the end).
 *
 *   bun scripts/bench/crd.ts [--runs 50] [--binary dist/kts]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { kubectlPath } from "../../src/testing/kubectl.ts";
import { ktsCommand, percentile, startBenchServer, step } from "./lib.ts";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "50" }, binary: { type: "string" } } });
const RUNS = Number(args.runs);
const TOKEN = "bench-token-0123456789";
const KTS = ktsCommand(args.binary);
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-crd-"));

const crd = (i: number) => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `things${i}.bench.example.com` },
  spec: {
    group: "bench.example.com",
    scope: "Namespaced",
    names: { plural: `things${i}`, kind: `Thing${i}` },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer", default: 1 } } } } } },
      },
    ],
  },
});

const thing = (i: number) => ({ apiVersion: "bench.example.com/v1", kind: `Thing${i}`, metadata: { name: "first" }, spec: {} });

async function main(): Promise<void> {
  const server = await startBenchServer({ kts: KTS, dataDir: join(scratch, "data"), token: TOKEN });
  const { kubeconfig } = server;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.base}${path}`, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, tls: { ca: server.ca } } as RequestInit);
  try {
    step(`${RUNS} CRDs over the API`);
    const toObject: number[] = [];
    const toEstablished: number[] = [];
    let attempts = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await api("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", { method: "POST", body: JSON.stringify(crd(i)) });
      if (res.status !== 201) throw new Error(`CRD create: ${res.status} ${await res.text()}`);
      for (;;) {
        attempts++;
        const r = await api(`/apis/bench.example.com/v1/namespaces/default/things${i}`, { method: "POST", body: JSON.stringify(thing(i)) });
        await r.arrayBuffer();
        if (r.status === 201) break;
        if (r.status !== 404) throw new Error(`object create: ${r.status}`);
        if (performance.now() - t0 > 10_000) throw new Error("CRD not served after 10s");
      }
      toObject.push(performance.now() - t0);
      for (;;) {
        const got = (await (await api(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things${i}.bench.example.com`)).json()) as { status?: { conditions?: Array<{ type: string; status: string }> } };
        if (got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
        await Bun.sleep(1);
      }
      toEstablished.push(performance.now() - t0);
    }
    toObject.sort((a, b) => a - b);
    toEstablished.sort((a, b) => a - b);

    step("kubectl apply -f crd.yaml && kubectl apply -f cr.yaml");
    const kubectl = kubectlPath();
    const cacheDir = join(scratch, "kube-cache");
    const run = async (stdin: string) => {
      const p = Bun.spawn([kubectl, "--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "apply", "-f", "-"], { stdin: new Blob([stdin]), stdout: "pipe", stderr: "pipe" });
      const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
      if (code !== 0) throw new Error(`kubectl apply failed: ${err}`);
    };
    const withKubectl: number[] = [];
    for (let i = RUNS; i < RUNS + 5; i++) {
      const t0 = performance.now();
      await run(JSON.stringify(crd(i)));
      await run(JSON.stringify(thing(i)));
      withKubectl.push(performance.now() - t0);
    }
    withKubectl.sort((a, b) => a - b);

    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(`CRD create -> first object created (API, ${RUNS} CRDs): p50 ${ms(percentile(toObject, 50))}, p95 ${ms(percentile(toObject, 95))}, max ${ms(toObject.at(-1)!)}; ${(attempts / RUNS).toFixed(2)} object POSTs per CRD`);
    console.log(`CRD create -> Established seen (API): p50 ${ms(percentile(toEstablished, 50))}, p95 ${ms(percentile(toEstablished, 95))}`);
    console.log(`kubectl apply CRD && kubectl apply object (5 runs, process starts included): p50 ${ms(percentile(withKubectl, 50))}, max ${ms(withKubectl.at(-1)!)}`);
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
