/**
 * Test setup for the pod manager against real Docker Engine: an in-process API server (the
 * controllers' test cluster with a LocalClient), a temporary agent data dir, short backoffs and
 * resyncs, and the run's cleanup label on every container; plus waiting and event helpers.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { memoryLogger, testCluster, type TestCluster } from "../../controllers/testing.ts";
import { ensureTestImage, removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../testing/docker.ts";
import { DockerEngine, type CoreEvent, type Pod } from "../runtime/index.ts";
import { tearDownPodDir } from "../volumes/index.ts";
import { readdirSync, rmSync, existsSync } from "node:fs";
import { startPodManager, type PodManager, type PodManagerOptions } from "./index.ts";

export const PODS = { group: "", version: "v1", resource: "pods" };
export const EVENTS = { group: "", version: "v1", resource: "events" };
export { TEST_IMAGE };

export interface PodTestEnv {
  cluster: TestCluster;
  docker: DockerEngine;
  dataDir: string;
  nodeName: string;
  manager: PodManager;
  logs: string[];
  /** Starts a new pod manager on the same node and data dir (an agent restart). */
  restart(): Promise<PodManager>;
  createPod(spec: Record<string, unknown>, name: string, extra?: Record<string, unknown>): Promise<Pod>;
  getPod(name: string): Promise<Pod | undefined>;
  waitPod(name: string, what: string, cond: (p: Pod) => boolean, timeoutMs?: number): Promise<Pod>;
  events(name: string): Promise<CoreEvent[]>;
  /** The pod's events once one matches (they are written asynchronously). */
  eventsUntil(name: string, match: (e: CoreEvent) => boolean, timeoutMs?: number): Promise<CoreEvent[]>;
  close(): Promise<void>;
}

let nodeSeq = 0;

export async function podTestEnv(overrides: Partial<PodManagerOptions> = {}): Promise<PodTestEnv> {
  const docker = new DockerEngine();
  await ensureTestImage();
  const cluster = testCluster();
  await cluster.client.create({ group: "", version: "v1", resource: "namespaces" }, "", { metadata: { name: "default" } });
  const dataDir = mkdtempSync(join(tmpdir(), "kts-agent-"));
  const nodeName = `test-${RUN_ID}-${nodeSeq++}`.toLowerCase();
  const logs: string[] = [];
  const options = (): PodManagerOptions => ({
    client: cluster.client,
    nodeName,
    nodeIP: "127.0.0.1",
    docker,
    dataDir,
    log: memoryLogger(logs),
    containerLabels: { [TEST_LABEL]: RUN_ID },
    backoff: { initialMs: 300, maxMs: 3000 },
    resyncMs: 1000,
    volumeResyncMs: 500,
    housekeepingMs: 1000,
    ...overrides,
  });
  const env: PodTestEnv = {
    cluster,
    docker,
    dataDir,
    nodeName,
    logs,
    manager: await startPodManager(options()),
    async restart() {
      await env.manager.stop();
      env.manager = await startPodManager(options());
      return env.manager;
    },
    async createPod(spec, name, extra = {}) {
      return (await cluster.client.create(PODS, "default", {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, ...((extra.metadata as object) ?? {}) },
        spec: { nodeName, terminationGracePeriodSeconds: 2, ...spec },
      })) as Pod;
    },
    async getPod(name) {
      try {
        return (await cluster.client.get(PODS, "default", name)) as Pod;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    async waitPod(name, what, cond, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Pod | undefined;
      while (Date.now() < deadline) {
        last = await env.getPod(name);
        if (last && cond(last)) return last;
        await Bun.sleep(50);
      }
      throw new Error(`timed out waiting until ${name} ${what}; last status: ${JSON.stringify(last?.status, null, 1)}\nlogs:\n${logs.slice(-20).join("\n")}`);
    },
    async events(name) {
      const list = await cluster.client.list(EVENTS, "default", { fieldSelector: `involvedObject.name=${name}` });
      return list.items as unknown as CoreEvent[];
    },
    async eventsUntil(name, match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = await env.events(name);
        if (list.some(match) || Date.now() > deadline) return list;
        await Bun.sleep(50);
      }
    },
    async close() {
      await env.manager.stop();
      await removeTestContainers();
      const pods = join(dataDir, "pods");
      if (existsSync(pods)) for (const uid of readdirSync(pods)) tearDownPodDir(join(pods, uid));
      rmSync(dataDir, { recursive: true, force: true });
      await cluster.close();
    },
  };
  return env;
}

/** A container status by name (main, init or ephemeral). */
export function containerStatus(pod: Pod, name: string) {
  const s = pod.status;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])].find((c) => c.name === name);
}

export function condition(pod: Pod, type: string): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === type)?.status;
}

export function isRunningReady(p: Pod): boolean {
  return p.status?.phase === "Running" && condition(p, "Ready") === "True";
}

export type { KubeObject };
