/**
 * Test setup for the cluster-lifecycle controllers: a controller context over the in-process
 * API server (real admission and validation), and the kubelet's part played by the test —
 * writing pod phases, readiness and exit codes into pod status.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { LocalClient } from "../../apiserver/local-client.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import { EventBroadcaster, EVENTS, SharedInformerFactory } from "../../client/index.ts";
import { memoryLogger, testCluster, type TestCluster } from "../testing.ts";
import { NAMESPACES, PODS, rfc3339, type Pod } from "./types.ts";

export interface Harness {
  cluster: TestCluster;
  client: LocalClient;
  ctx: ControllerContext;
  logs: string[];
  /** Starts a controller; it is stopped by close(). */
  run<C extends Controller>(c: C): Promise<C>;
  namespace(name: string): Promise<void>;
  /** Events recorded about an object (by name), as "Type Reason Message". */
  events(name: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function harness(): Promise<Harness> {
  const cluster = testCluster();
  const client = cluster.client;
  const logs: string[] = [];
  const log = memoryLogger(logs);
  const informers = new SharedInformerFactory(client, log);
  const broadcaster = new EventBroadcaster(client, { log, retryDelayMs: 10 });
  const ctx: ControllerContext = { client, informers, recorder: (c) => broadcaster.recorder(c), log };
  const running: Controller[] = [];
  // Events about cluster-scoped objects (nodes) are written to "default".
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
  return {
    cluster,
    client,
    ctx,
    logs,
    async run(c) {
      running.push(c);
      await c.start();
      return c;
    },
    async namespace(name) {
      await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    },
    async events(name) {
      await broadcaster.flush();
      const list = await client.list(EVENTS, "");
      return list.items
        .filter((e) => (e.involvedObject as { name?: string }).name === name)
        .map((e) => `${e.type} ${e.reason} ${e.message}`);
    },
    async close() {
      for (const c of running.reverse()) await c.stop();
      informers.stop();
      await broadcaster.flush();
      broadcaster.stop();
      await cluster.close();
    },
  };
}

/** A harness with namespace `ns` and the controllers `make` builds started, one after another. */
export async function harnessWith(ns: string, make: (ctx: ControllerContext) => Controller[]): Promise<Harness> {
  const h = await harness();
  await h.namespace(ns);
  for (const c of make(h.ctx)) await h.run(c);
  return h;
}

type ContainerStatus = NonNullable<NonNullable<Pod["status"]>["containerStatuses"]>[number];

/** The kubelet's report of a pod: phase, readiness and, for finished pods, exit codes. */
export async function setPodStatus(client: LocalClient, pod: KubeObject, phase: string, opts: { ready?: boolean; exitCode?: number; podIP?: string; conditions?: Array<{ type: string; status: string }> } = {}): Promise<Pod> {
  const fresh = (await client.get(PODS, pod.metadata!.namespace!, pod.metadata!.name!)) as Pod;
  const now = rfc3339(Date.now());
  const ready = opts.ready ?? phase === "Running";
  const containers = fresh.spec?.containers ?? [];
  const statuses: ContainerStatus[] = containers.map((c) => ({
    name: c.name,
    image: c.image ?? "",
    imageID: "",
    ready,
    restartCount: 0,
    state:
      phase === "Succeeded" || phase === "Failed"
        ? { terminated: { exitCode: opts.exitCode ?? (phase === "Succeeded" ? 0 : 1), reason: phase === "Succeeded" ? "Completed" : "Error", startedAt: now, finishedAt: now } }
        : phase === "Running"
          ? { running: { startedAt: now } }
          : { waiting: { reason: "ContainerCreating" } },
  }));
  fresh.status = {
    ...fresh.status,
    phase,
    conditions: [
      { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now },
      { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: now },
      ...(opts.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: now })),
    ],
    containerStatuses: statuses,
    ...(opts.podIP ? { podIP: opts.podIP, podIPs: [{ ip: opts.podIP }] } : {}),
  };
  return (await client.update(PODS, fresh.metadata!.namespace!, fresh, { subresource: "status" })) as Pod;
}

/** A pod spec with one busybox container. */
export function podSpec(extra: Record<string, unknown> = {}): NonNullable<Pod["spec"]> {
  return { containers: [{ name: "c", image: "busybox" }], restartPolicy: "Never", ...extra } as NonNullable<Pod["spec"]>;
}
