/**
 * A 100-replica Deployment on one real node: `kubectl apply` to every pod Running, and to every
 * pod Ready, seen through a watch on the pods (issue 6's benchmark).
 *
 *   bun scripts/bench/deployment-rollout.ts [--replicas 100]
 *
 * Starts its own `kts server` with the embedded agent in a temporary data dir (Docker Engine on
 * this machine, the busybox test image present locally), applies the Deployment with the real
 * kubectl, and prints the times from the apply to the first pod Running, half of them, all of
 * them, and all Ready, plus the time the ReplicaSet took to create every pod. The Deployment and
 * the server are then removed, with every container labelled with this run's id. Last, the floor
 * Docker sets: as many pause + app container pairs created and started directly, 16 at a time
 * (as the agent's workers), without the agent or the API.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { step } from "./lib.ts";
import { dockerFloor } from "./docker-floor.ts";
import { podReady, watchPods } from "../../src/controllers/e2e/pod-watch.ts";
import { DockerEngine } from "../../src/agent/runtime/index.ts";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../src/testing/docker.ts";
import { startTestServer, type TestServer } from "../../src/testing/server.ts";

const args = process.argv.slice(2);
const i = args.indexOf("--replicas");
const REPLICAS = i >= 0 ? Number(args[i + 1]) : 100;

const running = (p: V1Pod) => !p.metadata?.deletionTimestamp && p.status?.phase === "Running";

async function waitNodeReady(s: TestServer): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await s.kubectl(["get", "node", s.nodeName!])).code !== 0) {
    if (Date.now() > deadline) throw new Error("the node did not register");
    await Bun.sleep(200);
  }
  await s.k("wait", "--for=condition=Ready", `node/${s.nodeName}`, "--timeout=60s");
}

async function main(): Promise<void> {
  await ensureTestImage();
  step("starting kts server with its embedded agent");
  const s = await startTestServer([], { agent: true });
  try {
    await waitNodeReady(s);
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "bench" },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: "bench" } },
        template: {
          metadata: { labels: { app: "bench" } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", 'trap "exit 0" TERM; while true; do sleep 1; done'] }],
          },
        },
      },
    };
    const watch = await watchPods(s.kubeconfig, "default", "app=bench");
    const marks: Record<string, number> = {};
    let start = 0;
    watch.onChange((pods) => {
      if (!start) return;
      const all = [...pods.values()];
      const at = performance.now() - start;
      const nRunning = all.filter(running).length;
      if (all.length >= REPLICAS) marks.created ??= at;
      if (nRunning >= 1) marks.first ??= at;
      if (nRunning >= REPLICAS / 2) marks.half ??= at;
      if (nRunning >= REPLICAS) marks.running ??= at;
      if (all.filter(podReady).length >= REPLICAS) marks.ready ??= at;
    });
    step(`applying a Deployment of ${REPLICAS} replicas`);
    start = performance.now();
    const r = await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(manifest) });
    if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    marks.applied = performance.now() - start;
    await watch.until(`all ${REPLICAS} pods are Ready`, () => marks.ready !== undefined, 600_000);
    watch.close();
    const sec = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);
    console.log(`Deployment of ${REPLICAS} replicas on one real node (kts server + embedded agent, Docker ${await dockerVersion()}):`);
    console.log(`  kubectl apply returned      ${sec(marks.applied)}`);
    console.log(`  all pods created            ${sec(marks.created)}`);
    console.log(`  first pod Running           ${sec(marks.first)}`);
    console.log(`  half the pods Running       ${sec(marks.half)}`);
    console.log(`  all pods Running            ${sec(marks.running)}`);
    console.log(`  all pods Ready              ${sec(marks.ready)}`);
    step("deleting the Deployment");
    await s.kubectl(["delete", "deployment", "bench", "--wait=false"]);
  } finally {
    await s.stop();
    step(`removed ${await removeTestContainers()} containers`);
  }
  const floor = await dockerFloor(new DockerEngine(), REPLICAS);
  console.log(`  Docker alone: ${REPLICAS} pause + app container pairs created and started, 16 at a time: ${(floor / 1000).toFixed(2)} s`);
}

async function dockerVersion(): Promise<string> {
  const r = Bun.spawnSync(["docker", "version", "--format", "{{.Server.Version}}"]);
  return r.stdout.toString().trim();
}

await main();
