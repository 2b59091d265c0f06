/**
 * Test setup for the workload controllers: the in-process API server (testCluster) with chosen
 * controllers running over a shared informer factory, and helpers that play the kubelet's part
 * (there is no agent in these tests): pods are marked Running and Ready through pods/status.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { LocalClient } from "../../apiserver/local-client.ts";
import { EventBroadcaster, Informer, SharedInformerFactory } from "../../client/index.ts";
import { memoryLogger, NAMESPACES, testCluster, type TestCluster } from "../testing.ts";
import type { Controller } from "../runner.ts";
import type { ControllerContext } from "../context.ts";
import type { Pod } from "./types.ts";
import { PODS, rfc3339 } from "./types.ts";

export interface WorkloadCluster {
  cluster: TestCluster;
  client: LocalClient;
  ctx: ControllerContext;
  events: EventBroadcaster;
  stop(): Promise<void>;
}

/** A cluster with namespace `ns` and the controllers `make` builds, started. */
export async function workloadCluster(ns: string, make: (ctx: ControllerContext) => Controller[]): Promise<WorkloadCluster> {
  const cluster = testCluster();
  const { client } = cluster;
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const informers = new SharedInformerFactory(client);
  const events = new EventBroadcaster(client, { host: "test" });
  const ctx: ControllerContext = { client, informers, recorder: (c) => events.recorder(c), log: memoryLogger() };
  const controllers = make(ctx);
  await Promise.all(controllers.map((c) => c.start()));
  return {
    cluster,
    client,
    ctx,
    events,
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      informers.stop();
      events.stop();
      await cluster.close();
    },
  };
}

export async function listPods(client: LocalClient, ns: string, labelSelector?: string): Promise<Pod[]> {
  return (await client.list(PODS, ns, { labelSelector })).items as Pod[];
}

/** What a kubelet writes once a pod's containers run and pass readiness. */
export async function markReady(client: LocalClient, pod: Pod, ready = true, at = Date.now()): Promise<Pod> {
  const fresh = (await client.get(PODS, pod.metadata!.namespace!, pod.metadata!.name!)) as Pod;
  const stamp = rfc3339(at);
  const status = {
    ...fresh.status,
    phase: "Running",
    startTime: fresh.status?.startTime ?? stamp,
    conditions: [
      { type: "Initialized", status: "True", lastTransitionTime: stamp },
      { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: stamp },
      { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: stamp },
      { type: "PodScheduled", status: "True", lastTransitionTime: stamp },
    ],
  };
  return (await client.update(PODS, fresh.metadata!.namespace!, { ...fresh, status } as KubeObject, { subresource: "status" })) as Pod;
}

/** Marks every not-yet-ready, not-deleting pod matching the selector ready; returns how many. */
export async function markAllReady(client: LocalClient, ns: string, labelSelector?: string): Promise<number> {
  let n = 0;
  for (const p of await listPods(client, ns, labelSelector)) {
    if (p.metadata?.deletionTimestamp) continue;
    if (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
    await markReady(client, p);
    n++;
  }
  return n;
}

export function podTemplate(labels: Record<string, string>, image = "busybox:1"): KubeObject {
  return { metadata: { labels }, spec: { containers: [{ name: "c", image }] } };
}

/**
 * A stand-in kubelet: marks each new pod in the namespace Running and Ready (after `delayMs`),
 * as an agent would once its containers start. Stop it before the cluster.
 */
export function fakeKubelet(client: LocalClient, ns: string, opts: { delayMs?: number; labelSelector?: string } = {}): { stop(): Promise<void> } {
  const inf = new Informer(client, PODS, { namespace: ns, labelSelector: opts.labelSelector });
  const pending = new Set<Promise<unknown>>();
  const seen = new Set<string>();
  const handle = (p: Pod) => {
    const uid = p.metadata?.uid ?? "";
    if (seen.has(uid) || p.metadata?.deletionTimestamp) return;
    if (p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) return;
    seen.add(uid);
    const job = (async () => {
      if (opts.delayMs) await Bun.sleep(opts.delayMs);
      await markReady(client, p).catch(() => undefined);
    })();
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };
  inf.on({ add: (p) => handle(p as Pod), update: (_, p) => handle(p as Pod) });
  void inf.start();
  return {
    async stop() {
      inf.stop();
      await Promise.all(pending);
    },
  };
}
