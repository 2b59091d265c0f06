import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { EVENTS } from "../../client/index.ts";
import { until } from "../testing.ts";
import { DEPLOYMENTS, PODS, REPLICASETS, type Deployment, type Pod, type ReplicaSet } from "../common/types.ts";
import { fakeKubelet, listPods, markAllReady, podTemplate, workloadCluster, type WorkloadCluster } from "../common/testing.ts";
import { REPLICA_SET_KIND } from "../replicaset/kinds.ts";
import { ReplicaSetController } from "../replicaset/replica-set-controller.ts";
import { DeploymentController } from "./deployment-controller.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<WorkloadCluster> {
  const w = await workloadCluster("ns", (ctx) => [new DeploymentController(ctx), new ReplicaSetController(ctx, REPLICA_SET_KIND)]);
  cleanups.push(() => w.stop());
  return w;
}

function kubelet(w: WorkloadCluster, delayMs = 0) {
  const k = fakeKubelet(w.client, "ns", { delayMs });
  cleanups.push(() => k.stop());
  return k;
}

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...spec },
  };
}

async function getD(w: WorkloadCluster, name: string): Promise<Deployment> {
  return (await w.client.get(DEPLOYMENTS, "ns", name)) as Deployment;
}

async function replicaSets(w: WorkloadCluster, app: string): Promise<ReplicaSet[]> {
  return (await w.client.list(REPLICASETS, "ns", { labelSelector: `app=${app}` })).items as ReplicaSet[];
}

/** kubectl rollout status's test (rollout_status.go). */
function rolledOut(d: Deployment): boolean {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  return (
    (d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === (s.updatedReplicas ?? 0) &&
    (s.availableReplicas ?? 0) === (s.updatedReplicas ?? 0)
  );
}

async function waitRolledOut(w: WorkloadCluster, name: string, timeoutMs = 10_000): Promise<Deployment> {
  await until(`deployment ${name} rolled out`, async () => rolledOut(await getD(w, name)), timeoutMs);
  return getD(w, name);
}

async function setImage(w: WorkloadCluster, name: string, image: string): Promise<void> {
  await w.client.patch(DEPLOYMENTS, "ns", name, "application/strategic-merge-patch+json", { spec: { template: { spec: { containers: [{ name: "c", image }] } } } });
}

test("a rollout: ReplicaSet <name>-<hash> with the pod-template-hash label, revision 1, the status and conditions kubectl reads", async () => {
  const w = await setup();
  kubelet(w);
  await w.client.create(DEPLOYMENTS, "ns", deployment("web", 3));
  const d = await waitRolledOut(w, "web");
  const [rs] = await replicaSets(w, "web");
  const hash = rs!.metadata!.labels!["pod-template-hash"]!;
  expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  expect(rs!.metadata!.name).toBe(`web-${hash}`);
  expect(rs!.metadata!.annotations).toMatchObject({
    "deployment.kubernetes.io/revision": "1",
    "deployment.kubernetes.io/desired-replicas": "3",
    "deployment.kubernetes.io/max-replicas": "4",
  });
  expect(rs!.spec!.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
  expect(rs!.metadata!.ownerReferences![0]).toMatchObject({ kind: "Deployment", name: "web", controller: true });
  expect(d.metadata!.annotations!["deployment.kubernetes.io/revision"]).toBe("1");
  expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
  await until("Progressing says NewReplicaSetAvailable", async () => (await getD(w, "web")).status?.conditions?.some((c) => c.reason === "NewReplicaSetAvailable") ?? false);
  const conditions = (await getD(w, "web")).status!.conditions!;
  expect(conditions.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
    ["Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."],
    ["Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "web-${hash}" has successfully progressed.`],
  ]);
  for (const p of await listPods(w.client, "ns", "app=web")) expect(p.metadata!.labels!["pod-template-hash"]).toBe(hash);
  await w.events.flush();
  const events = (await w.client.list(EVENTS, "ns", { fieldSelector: "involvedObject.kind=Deployment" })).items;
  expect(events.map((e) => `${e.reason}: ${e.message}`)).toContain(`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`);
});

test("a rolling update never has fewer available pods than replicas - maxUnavailable, nor more ReplicaSet replicas than replicas + maxSurge", async () => {
  const w = await setup();
  kubelet(w, 20);
  const replicas = 6;
  await w.client.create(DEPLOYMENTS, "ns", deployment("roll", replicas, { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } } }));
  await waitRolledOut(w, "roll");

  // Watch pods and ReplicaSets through the whole update.
  const abort = new AbortController();
  const pods = new Map<string, Pod>();
  const rss = new Map<string, ReplicaSet>();
  let minAvailable = Number.POSITIVE_INFINITY;
  let maxSpec = 0;
  const available = () => [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
  const startRv = (await w.client.list(PODS, "ns")).metadata.resourceVersion;
  for (const p of (await w.client.list(PODS, "ns")).items) pods.set(p.metadata!.name!, p as Pod);
  for (const rs of await replicaSets(w, "roll")) rss.set(rs.metadata!.name!, rs);
  const watchPods = (async () => {
    for await (const ev of w.client.watch(PODS, "ns", { resourceVersion: startRv }, abort.signal)) {
      if (ev.type === "DELETED") pods.delete(ev.object.metadata!.name!);
      else if (ev.type !== "BOOKMARK" && ev.type !== "ERROR") pods.set(ev.object.metadata!.name!, ev.object as Pod);
      minAvailable = Math.min(minAvailable, available());
    }
  })();
  const watchRss = (async () => {
    for await (const ev of w.client.watch(REPLICASETS, "ns", { resourceVersion: startRv }, abort.signal)) {
      if (ev.type === "DELETED") rss.delete(ev.object.metadata!.name!);
      else if (ev.type !== "BOOKMARK" && ev.type !== "ERROR") rss.set(ev.object.metadata!.name!, ev.object as ReplicaSet);
      maxSpec = Math.max(maxSpec, [...rss.values()].reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0));
    }
  })();

  await setImage(w, "roll", "busybox:2");
  await until("generation observed", async () => (await getD(w, "roll")).status?.observedGeneration === 2);
  const d = await waitRolledOut(w, "roll", 20_000);
  abort.abort();
  await Promise.allSettled([watchPods, watchRss]);
  expect(minAvailable).toBeGreaterThanOrEqual(replicas - 1);
  expect(maxSpec).toBeLessThanOrEqual(replicas + 2);
  // It did surge (it is not a one-at-a-time rollout).
  expect(maxSpec).toBe(replicas + 2);
  expect(d.metadata!.annotations!["deployment.kubernetes.io/revision"]).toBe("2");
  const sets = await replicaSets(w, "roll");
  expect(sets.length).toBe(2);
  const byRevision = Object.fromEntries(sets.map((rs) => [rs.metadata!.annotations!["deployment.kubernetes.io/revision"], rs.spec!.replicas]));
  expect(byRevision).toEqual({ "1": 0, "2": replicas });
  const images = (await listPods(w.client, "ns", "app=roll")).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec!.containers[0]!.image);
  expect(images).toEqual(Array(replicas).fill("busybox:2"));
});

test("scale up and down", async () => {
  const w = await setup();
  kubelet(w);
  await w.client.create(DEPLOYMENTS, "ns", deployment("sc", 2));
  await waitRolledOut(w, "sc");
  await w.client.patch(DEPLOYMENTS, "ns", "sc", "application/merge-patch+json", { spec: { replicas: 5 } });
  await waitRolledOut(w, "sc");
  expect((await listPods(w.client, "ns", "app=sc")).length).toBe(5);
  await w.client.patch(DEPLOYMENTS, "ns", "sc", "application/merge-patch+json", { spec: { replicas: 1 } });
  await until("1 pod", async () => (await listPods(w.client, "ns", "app=sc")).length === 1);
  await waitRolledOut(w, "sc");
  const [rs] = await replicaSets(w, "sc");
  expect(rs!.metadata!.annotations!["deployment.kubernetes.io/desired-replicas"]).toBe("1");
});

test("rollout undo as kubectl does it (the old ReplicaSet's template patched back) returns to that ReplicaSet under a new revision", async () => {
  const w = await setup();
  kubelet(w);
  await w.client.create(DEPLOYMENTS, "ns", deployment("undo", 2, { revisionHistoryLimit: 5 }));
  await waitRolledOut(w, "undo");
  const [first] = await replicaSets(w, "undo");
  await w.client.patch(DEPLOYMENTS, "ns", "undo", "application/merge-patch+json", { metadata: { annotations: { "kubernetes.io/change-cause": "to v2" } } });
  await setImage(w, "undo", "busybox:2");
  await until("rev 2", async () => (await getD(w, "undo")).metadata?.annotations?.["deployment.kubernetes.io/revision"] === "2");
  await waitRolledOut(w, "undo");
  // kubectl rollout undo: the template of revision 1 without its hash label, the RS's annotations.
  const template = structuredClone(first!.spec!.template!);
  delete template.metadata!.labels!["pod-template-hash"];
  const annotations: Record<string, string> = { ...first!.metadata!.annotations, "deployment.kubernetes.io/revision": "2" };
  delete annotations["deployment.kubernetes.io/desired-replicas"];
  delete annotations["deployment.kubernetes.io/max-replicas"];
  await w.client.patch(DEPLOYMENTS, "ns", "undo", "application/json-patch+json", [
    { op: "replace", path: "/spec/template", value: template },
    { op: "replace", path: "/metadata/annotations", value: annotations },
  ]);
  await until("rev 3", async () => (await getD(w, "undo")).metadata?.annotations?.["deployment.kubernetes.io/revision"] === "3");
  await waitRolledOut(w, "undo");
  const sets = await replicaSets(w, "undo");
  expect(sets.length).toBe(2);
  const back = sets.find((rs) => rs.metadata!.name === first!.metadata!.name)!;
  expect(back.spec!.replicas).toBe(2);
  expect(back.metadata!.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
  const v2 = sets.find((rs) => rs !== back)!;
  expect(v2.metadata!.annotations!["kubernetes.io/change-cause"]).toBe("to v2");
  expect((await listPods(w.client, "ns", "app=undo")).map((p) => p.spec!.containers[0]!.image)).toEqual(["busybox:1", "busybox:1"]);
});

test("Recreate: every old pod is gone before a new one is created", async () => {
  const w = await setup();
  kubelet(w);
  await w.client.create(DEPLOYMENTS, "ns", deployment("rec", 3, { strategy: { type: "Recreate" } }));
  await waitRolledOut(w, "rec");
  const abort = new AbortController();
  let mixed = false;
  const live = new Map<string, string>();
  for (const p of await listPods(w.client, "ns", "app=rec")) live.set(p.metadata!.name!, p.spec!.containers[0]!.image!);
  const startRv = (await w.client.list(PODS, "ns")).metadata.resourceVersion;
  const watching = (async () => {
    for await (const ev of w.client.watch(PODS, "ns", { resourceVersion: startRv }, abort.signal)) {
      if (ev.type === "DELETED") live.delete(ev.object.metadata!.name!);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED") live.set(ev.object.metadata!.name!, (ev.object as Pod).spec!.containers[0]!.image!);
      if (new Set(live.values()).size > 1) mixed = true;
    }
  })();
  await setImage(w, "rec", "busybox:2");
  await until("generation observed", async () => (await getD(w, "rec")).status?.observedGeneration === 2);
  await waitRolledOut(w, "rec");
  abort.abort();
  await watching.catch(() => undefined);
  expect(mixed).toBe(false);
  expect([...live.values()]).toEqual(["busybox:2", "busybox:2", "busybox:2"]);
});

test("revisionHistoryLimit keeps that many old ReplicaSets; restart (an annotation on the template) rolls out anew", async () => {
  const w = await setup();
  kubelet(w);
  await w.client.create(DEPLOYMENTS, "ns", deployment("hist", 1, { revisionHistoryLimit: 1 }));
  await waitRolledOut(w, "hist");
  for (const image of ["busybox:2", "busybox:3"]) {
    await setImage(w, "hist", image);
    await until("observed", async () => (await getD(w, "hist")).status?.observedGeneration === (await getD(w, "hist")).metadata?.generation);
    await waitRolledOut(w, "hist");
  }
  await w.client.patch(DEPLOYMENTS, "ns", "hist", "application/strategic-merge-patch+json", {
    spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" } } } },
  });
  await until("rev 4", async () => (await getD(w, "hist")).metadata?.annotations?.["deployment.kubernetes.io/revision"] === "4");
  await waitRolledOut(w, "hist");
  await until("one old ReplicaSet kept", async () => (await replicaSets(w, "hist")).length === 2);
  const revisions = (await replicaSets(w, "hist")).map((rs) => rs.metadata!.annotations!["deployment.kubernetes.io/revision"]).sort();
  expect(revisions).toEqual(["3", "4"]);
});

test("paused: a template change waits (Progressing Unknown DeploymentPaused) until resumed", async () => {
  const w = await setup();
  kubelet(w);
  await w.client.create(DEPLOYMENTS, "ns", deployment("p", 2));
  await waitRolledOut(w, "p");
  await w.client.patch(DEPLOYMENTS, "ns", "p", "application/merge-patch+json", { spec: { paused: true } });
  await setImage(w, "p", "busybox:2");
  await until("paused condition", async () => (await getD(w, "p")).status?.conditions?.some((c) => c.type === "Progressing" && c.reason === "DeploymentPaused") ?? false);
  await until("generation observed", async () => (await getD(w, "p")).status?.observedGeneration === 3);
  expect((await replicaSets(w, "p")).length).toBe(1);
  await w.client.patch(DEPLOYMENTS, "ns", "p", "application/merge-patch+json", { spec: { paused: false } });
  await until("rolled out to v2", async () => {
    const d = await getD(w, "p");
    return rolledOut(d) && d.metadata?.annotations?.["deployment.kubernetes.io/revision"] === "2";
  });
});

test("progressDeadlineSeconds: no progress makes Progressing False with ProgressDeadlineExceeded", async () => {
  const w = await setup();
  await w.client.create(DEPLOYMENTS, "ns", deployment("stuck", 1, { progressDeadlineSeconds: 1 }));
  await until(
    "deadline exceeded",
    async () => (await getD(w, "stuck")).status?.conditions?.some((c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded") ?? false,
    8000,
  );
  const c = (await getD(w, "stuck")).status!.conditions!.find((x) => x.type === "Progressing")!;
  expect(c.message).toMatch(/^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  // Progress after the deadline is reported again.
  await markAllReady(w.client, "ns", "app=stuck");
  await until("available", async () => (await getD(w, "stuck")).status?.conditions?.some((x) => x.reason === "NewReplicaSetAvailable") ?? false);
});

test("a resize in the middle of a rollout is spread over the ReplicaSets in proportion", async () => {
  const w = await setup();
  await w.client.create(DEPLOYMENTS, "ns", deployment("prop", 10, { strategy: { rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
  await until("10 pods", async () => (await listPods(w.client, "ns", "app=prop")).length === 10);
  await markAllReady(w.client, "ns", "app=prop");
  await waitRolledOut(w, "prop");
  // The new pods never become ready: the rollout stops at old 8, new 5.
  await setImage(w, "prop", "busybox:2");
  const sizes = async () => Object.fromEntries((await replicaSets(w, "prop")).map((rs) => [rs.spec!.template!.spec!.containers[0]!.image, rs.spec!.replicas]));
  await until("old 8, new 5", async () => {
    const s = await sizes();
    return s["busybox:1"] === 8 && s["busybox:2"] === 5;
  });
  await w.client.patch(DEPLOYMENTS, "ns", "prop", "application/merge-patch+json", { spec: { replicas: 15 } });
  await until("old 11, new 7", async () => {
    const s = await sizes();
    return s["busybox:1"] === 11 && s["busybox:2"] === 7;
  });
});
