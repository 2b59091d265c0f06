import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { until } from "../testing.ts";
import { REPLICASETS, REPLICATION_CONTROLLERS, type Pod, type ReplicaSet } from "../common/types.ts";
import { listPods, markAllReady, markReady, podTemplate, workloadCluster, type WorkloadCluster } from "../common/testing.ts";
import { EVENTS } from "../../client/index.ts";
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from "./kinds.ts";
import { ReplicaSetController } from "./replica-set-controller.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<WorkloadCluster> {
  const w = await workloadCluster("ns", (ctx) => [new ReplicaSetController(ctx, REPLICA_SET_KIND), new ReplicaSetController(ctx, REPLICATION_CONTROLLER_KIND)]);
  cleanups.push(() => w.stop());
  return w;
}

function rs(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...extra },
  };
}

async function getRs(w: WorkloadCluster, name: string): Promise<ReplicaSet> {
  return (await w.client.get(REPLICASETS, "ns", name)) as ReplicaSet;
}

test("creates the replicas with a controller reference, counts them ready and available, scales down", async () => {
  const w = await setup();
  await w.client.create(REPLICASETS, "ns", rs("web", 3));
  await until("3 pods", async () => (await listPods(w.client, "ns", "app=web")).length === 3);
  const pods = await listPods(w.client, "ns", "app=web");
  for (const p of pods) {
    expect(p.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(p.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: "ReplicaSet", name: "web", controller: true, blockOwnerDeletion: true })]);
  }
  await until("status counts 3 replicas", async () => (await getRs(w, "web")).status?.replicas === 3);
  expect((await getRs(w, "web")).status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  await markAllReady(w.client, "ns", "app=web");
  await until("3 available", async () => (await getRs(w, "web")).status?.availableReplicas === 3);
  expect((await getRs(w, "web")).status).toMatchObject({ readyReplicas: 3, availableReplicas: 3 });

  // Scale down: the not-ready pod goes first.
  const [keepNotReady] = await listPods(w.client, "ns", "app=web");
  await markReady(w.client, keepNotReady!, false);
  await w.client.patch(REPLICASETS, "ns", "web", "application/merge-patch+json", { spec: { replicas: 2 } });
  await until("2 pods", async () => (await listPods(w.client, "ns", "app=web")).length === 2);
  expect((await listPods(w.client, "ns", "app=web")).map((p) => p.metadata?.name)).not.toContain(keepNotReady!.metadata?.name);
  const reasons = async () => {
    await w.events.flush();
    return (await w.client.list(EVENTS, "ns")).items.map((e) => `${e.reason}: ${e.message}`);
  };
  await until("the delete event", async () => (await reasons()).includes(`SuccessfulDelete: Deleted pod: ${keepNotReady!.metadata?.name}`));
  expect((await reasons()).filter((r) => r.startsWith("SuccessfulCreate: Created pod: web-")).length).toBe(3);
});

test("a deleted pod is replaced; an orphan that matches is adopted; a pod relabelled away is released", async () => {
  const w = await setup();
  await w.client.create(PODS_REF, "ns", { apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x" }] } });
  await w.client.create(REPLICASETS, "ns", rs("web", 2));
  await until("2 pods, orphan adopted", async () => {
    const pods = await listPods(w.client, "ns", "app=web");
    return pods.length === 2 && pods.every((p) => p.metadata?.ownerReferences?.[0]?.name === "web");
  });
  expect((await listPods(w.client, "ns", "app=web")).map((p) => p.metadata?.name)).toContain("orphan");
  await w.client.delete(PODS_REF, "ns", "orphan");
  await until("replaced", async () => (await listPods(w.client, "ns", "app=web")).length === 2);
  const [victim] = await listPods(w.client, "ns", "app=web");
  await w.client.patch(PODS_REF, "ns", victim!.metadata!.name!, "application/merge-patch+json", { metadata: { labels: { app: "gone" } } });
  await until("released and replaced", async () => {
    const released = (await w.client.get(PODS_REF, "ns", victim!.metadata!.name!)) as Pod;
    return (released.metadata?.ownerReferences ?? []).length === 0 && (await listPods(w.client, "ns", "app=web")).length === 2;
  });
});

test("never more than the replicas, however many times it is woken while the cache lags", async () => {
  const w = await setup();
  await w.client.create(REPLICASETS, "ns", rs("burst", 20));
  // Poke the object repeatedly while creations are in flight.
  for (let i = 0; i < 10; i++) await w.client.patch(REPLICASETS, "ns", "burst", "application/merge-patch+json", { metadata: { annotations: { poke: String(i) } } });
  await until("20 pods", async () => (await listPods(w.client, "ns", "app=burst")).length === 20);
  await Bun.sleep(300);
  expect((await listPods(w.client, "ns", "app=burst")).length).toBe(20);
});

test("minReadySeconds: ready pods become available only after it", async () => {
  const w = await setup();
  await w.client.create(REPLICASETS, "ns", rs("slow", 1, { minReadySeconds: 1 }));
  await until("1 pod", async () => (await listPods(w.client, "ns", "app=slow")).length === 1);
  await markAllReady(w.client, "ns", "app=slow");
  await until("ready", async () => (await getRs(w, "slow")).status?.readyReplicas === 1);
  expect((await getRs(w, "slow")).status?.availableReplicas ?? 0).toBe(0);
  await until("available", async () => (await getRs(w, "slow")).status?.availableReplicas === 1, 5000);
});

test("ReplicationControllers: a label-map selector, same behaviour", async () => {
  const w = await setup();
  await w.client.create(REPLICATION_CONTROLLERS, "ns", {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name: "rc" },
    spec: { replicas: 2, selector: { app: "rc" }, template: podTemplate({ app: "rc" }) },
  });
  await until("2 pods", async () => (await listPods(w.client, "ns", "app=rc")).length === 2);
  await markAllReady(w.client, "ns", "app=rc");
  await until("2 ready", async () => ((await w.client.get(REPLICATION_CONTROLLERS, "ns", "rc")).status as { readyReplicas?: number }).readyReplicas === 2);
  const pod = (await listPods(w.client, "ns", "app=rc"))[0]!;
  expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: "v1", kind: "ReplicationController", name: "rc" });
});

const PODS_REF = { group: "", version: "v1", resource: "pods" };
