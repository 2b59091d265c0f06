import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { until } from "../testing.ts";
import { harnessWith, podSpec, setPodStatus, type Harness } from "../common/harness.ts";
import { PDBS, PODS, REPLICASETS, type PodDisruptionBudget } from "../common/types.ts";
import { DisruptionController } from "./disruption-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function setup(): Promise<void> {
  h = await harnessWith("ns", (ctx) => [new DisruptionController(ctx)]);
}

async function replicaSet(name: string, replicas: number): Promise<KubeObject> {
  return h.client.create(REPLICASETS, "ns", {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec({ restartPolicy: "Always" }) } },
  });
}

async function pods(app: string, ready: boolean[], owner?: KubeObject): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const [i, r] of ready.entries()) {
    const ownerReferences = owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true }] : undefined;
    const pod = await h.client.create(PODS, "ns", { apiVersion: "v1", kind: "Pod", metadata: { name: `${app}-${i}`, labels: { app }, ownerReferences }, spec: podSpec() });
    out.push(await setPodStatus(h.client, pod, "Running", { ready: r, podIP: `10.42.0.${i + 1}` }));
  }
  return out;
}

async function pdb(name: string, app: string, spec: Record<string, unknown>): Promise<void> {
  await h.client.create(PDBS, "ns", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec: { selector: { matchLabels: { app } }, ...spec } });
}

async function status(name: string): Promise<NonNullable<PodDisruptionBudget["status"]>> {
  return ((await h.client.get(PDBS, "ns", name)) as PodDisruptionBudget).status ?? {};
}

test("minAvailable as a number: expected pods are the matching pods, disruptions allowed = healthy - minAvailable", async () => {
  await setup();
  await pods("web", [true, true, true]);
  await pdb("web", "web", { minAvailable: 2 });
  await until("status computed", async () => (await status("web")).observedGeneration === 1);
  const s = await status("web");
  expect(s).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
  expect(s.conditions).toEqual([expect.objectContaining({ type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "", observedGeneration: 1 })]);

  // One pod turns unready: nothing may be disrupted.
  await setPodStatus(h.client, (await h.client.get(PODS, "ns", "web-0")) as KubeObject, "Running", { ready: false, podIP: "10.42.0.1" });
  await until("no disruption allowed", async () => (await status("web")).disruptionsAllowed === 0);
  expect((await status("web")).conditions?.[0]).toMatchObject({ status: "False", reason: "InsufficientPods" });
});

test("percentages and maxUnavailable count against the pods' controller's scale", async () => {
  await setup();
  const rs = await replicaSet("api", 4);
  await pods("api", [true, true, true, false], rs);
  await pdb("api", "api", { maxUnavailable: "50%" });
  await until("status computed", async () => (await status("api")).expectedPods === 4);
  expect(await status("api")).toMatchObject({ expectedPods: 4, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
});

test("a percentage over pods without a controller cannot be computed: SyncFailed, nothing allowed", async () => {
  await setup();
  const rs = await replicaSet("gone", 2);
  await pods("orphaned", [true, true], { ...rs, metadata: { ...rs.metadata, uid: "00000000-0000-0000-0000-000000000000" } });
  await pdb("orphaned", "orphaned", { minAvailable: "50%" });
  await until("sync failed", async () => (await status("orphaned")).conditions?.[0]?.reason === "SyncFailed");
  expect((await status("orphaned")).conditions?.[0]?.message).toBe('found no controllers for pod "orphaned-0"');
  expect((await status("orphaned")).disruptionsAllowed).toBe(0);
});

test("evictions noted in disruptedPods do not count as healthy, and are dropped once the pod is gone", async () => {
  await setup();
  await pods("db", [true, true, true]);
  await pdb("db", "db", { minAvailable: 1 });
  await until("status computed", async () => (await status("db")).disruptionsAllowed === 2);
  // What the eviction subresource writes when it spends a disruption.
  const current = (await h.client.get(PDBS, "ns", "db")) as PodDisruptionBudget;
  current.status = { ...current.status, disruptionsAllowed: 1, disruptedPods: { "db-0": new Date().toISOString().replace(/\.\d{3}Z$/, "Z") } };
  await h.client.update(PDBS, "ns", current, { subresource: "status" });
  await until("the evicted pod is not healthy", async () => (await status("db")).currentHealthy === 2);
  await h.client.delete(PODS, "ns", "db-0");
  await until("the note is dropped", async () => (await status("db")).disruptedPods === undefined);
  expect(await status("db")).toMatchObject({ currentHealthy: 2, expectedPods: 2, disruptionsAllowed: 1 });
});
