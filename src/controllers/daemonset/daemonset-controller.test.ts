import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { EVENTS } from "../../client/index.ts";
import { until } from "../testing.ts";
import { CONTROLLER_REVISIONS, DAEMONSETS, NODES, PODS, type ControllerRevision, type DaemonSet, type Pod } from "../common/types.ts";
import { fakeKubelet, listPods, podTemplate, workloadCluster, type WorkloadCluster } from "../common/testing.ts";
import { DaemonSetController } from "./daemonset-controller.ts";
import { targetNode } from "./placement.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<WorkloadCluster> {
  const w = await workloadCluster("ns", (ctx) => [new DaemonSetController(ctx)]);
  cleanups.push(() => w.stop());
  return w;
}

function kubelet(w: WorkloadCluster) {
  const k = fakeKubelet(w.client, "ns");
  cleanups.push(() => k.stop());
}

async function node(w: WorkloadCluster, name: string, extra: { labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}): Promise<void> {
  await w.client.create(NODES, "", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...extra.labels } },
    spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
  } as KubeObject);
}

function ds(name: string, spec: Record<string, unknown> = {}, template = podTemplate({ app: name })): KubeObject {
  return { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template, ...spec } };
}

async function getDs(w: WorkloadCluster, name: string): Promise<DaemonSet> {
  return (await w.client.get(DAEMONSETS, "ns", name)) as DaemonSet;
}

const nodesOf = async (w: WorkloadCluster, app: string) =>
  (await listPods(w.client, "ns", `app=${app}`))
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => targetNode(p))
    .sort();

/** kubectl rollout status's test for DaemonSets. */
function rolledOut(d: DaemonSet): boolean {
  const s = d.status;
  if (!s || (d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  return (s.updatedNumberScheduled ?? 0) >= s.desiredNumberScheduled && (s.numberAvailable ?? 0) >= s.desiredNumberScheduled;
}

test("a pod on every eligible node, tainted ones it tolerates included; pinned by node affinity, with upstream's tolerations", async () => {
  const w = await setup();
  kubelet(w);
  await node(w, "n1");
  await node(w, "n2");
  await node(w, "infra", { taints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }] });
  await node(w, "private", { taints: [{ key: "dedicated", value: "private", effect: "NoSchedule" }] });
  await node(w, "cordoned", { unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] });
  const template = podTemplate({ app: "agent" }) as { spec: Record<string, unknown> };
  template.spec.tolerations = [{ key: "dedicated", operator: "Equal", value: "infra", effect: "NoSchedule" }];
  await w.client.create(DAEMONSETS, "ns", ds("agent", {}, template as KubeObject));
  await until("4 pods", async () => (await nodesOf(w, "agent")).length === 4);
  await Bun.sleep(100);
  expect(await nodesOf(w, "agent")).toEqual(["cordoned", "infra", "n1", "n2"]);
  const pod = (await listPods(w.client, "ns", "app=agent")).find((p) => targetNode(p) === "infra")!;
  expect(pod.metadata!.name).toMatch(/^agent-[a-z0-9]{5}$/);
  expect(pod.spec!.affinity).toEqual({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["infra"] }] }] } },
  });
  expect(pod.spec!.tolerations!.map((t) => `${t.key}:${t.operator}:${t.effect}`)).toEqual([
    "dedicated:Equal:NoSchedule",
    "node.kubernetes.io/not-ready:Exists:NoExecute",
    "node.kubernetes.io/unreachable:Exists:NoExecute",
    "node.kubernetes.io/disk-pressure:Exists:NoSchedule",
    "node.kubernetes.io/memory-pressure:Exists:NoSchedule",
    "node.kubernetes.io/pid-pressure:Exists:NoSchedule",
    "node.kubernetes.io/unschedulable:Exists:NoSchedule",
  ]);
  const hash = pod.metadata!.labels!["controller-revision-hash"]!;
  expect(pod.metadata!.labels!["pod-template-generation"]).toBe("1");
  await until("rolled out", async () => rolledOut(await getDs(w, "agent")));
  expect((await getDs(w, "agent")).status).toMatchObject({
    desiredNumberScheduled: 4,
    currentNumberScheduled: 4,
    numberReady: 4,
    numberAvailable: 4,
    updatedNumberScheduled: 4,
    numberMisscheduled: 0,
    observedGeneration: 1,
  });
  const [rev] = (await w.client.list(CONTROLLER_REVISIONS, "ns")).items as ControllerRevision[];
  expect(rev!.metadata!.name).toBe(`agent-${hash}`);
  expect(rev!.revision).toBe(1);

  // A new node gets a pod; a node that stops matching the node selector loses it.
  await node(w, "n3");
  await until("pod on n3", async () => (await nodesOf(w, "agent")).includes("n3"));
  await w.client.patch(DAEMONSETS, "ns", "agent", "application/strategic-merge-patch+json", { spec: { template: { spec: { nodeSelector: { "kubernetes.io/hostname": "n1" } } } } });
  await until("only n1", async () => JSON.stringify(await nodesOf(w, "agent")) === JSON.stringify(["n1"]), 8000);
  await until("create and delete events", async () => {
    await w.events.flush();
    const reasons = (await w.client.list(EVENTS, "ns")).items.map((e) => e.reason);
    return reasons.includes("SuccessfulCreate") && reasons.includes("SuccessfulDelete");
  });
});

test("rolling update with maxUnavailable 1: one node at a time; rollout undo with the revision's data", async () => {
  const w = await setup();
  kubelet(w);
  for (const n of ["a", "b", "c", "d"]) await node(w, n);
  await w.client.create(DAEMONSETS, "ns", ds("ru", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } }));
  await until("rolled out", async () => rolledOut(await getDs(w, "ru")) && (await getDs(w, "ru")).status?.numberAvailable === 4);

  // Track available pods per node through the update.
  const abort = new AbortController();
  const pods = new Map<string, Pod>();
  for (const p of await listPods(w.client, "ns", "app=ru")) pods.set(p.metadata!.name!, p);
  let worst = 4;
  const rv = (await w.client.list(PODS, "ns")).metadata.resourceVersion;
  const watching = (async () => {
    for await (const ev of w.client.watch(PODS, "ns", { resourceVersion: rv }, abort.signal)) {
      if (ev.type === "DELETED") pods.delete(ev.object.metadata!.name!);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED") pods.set(ev.object.metadata!.name!, ev.object as Pod);
      const covered = new Set(
        [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((p) => targetNode(p)),
      );
      worst = Math.min(worst, covered.size);
    }
  })();
  await w.client.patch(DAEMONSETS, "ns", "ru", "application/strategic-merge-patch+json", { spec: { template: { spec: { containers: [{ name: "c", image: "busybox:2" }] } } } });
  await until("generation 2 rolled out", async () => {
    const d = await getDs(w, "ru");
    return d.status?.observedGeneration === 2 && rolledOut(d);
  }, 10_000);
  abort.abort();
  await watching.catch(() => undefined);
  expect(worst).toBeGreaterThanOrEqual(3);
  const images = (await listPods(w.client, "ns", "app=ru")).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec!.containers[0]!.image);
  expect(images).toEqual(["busybox:2", "busybox:2", "busybox:2", "busybox:2"]);
  const revs = ((await w.client.list(CONTROLLER_REVISIONS, "ns")).items as ControllerRevision[]).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  expect(revs.map((r) => r.revision)).toEqual([1, 2]);

  // kubectl rollout undo for DaemonSets applies the previous revision's data.
  await w.client.patch(DAEMONSETS, "ns", "ru", "application/strategic-merge-patch+json", revs[0]!.data);
  await until("back to busybox:1", async () => {
    const d = await getDs(w, "ru");
    const live = (await listPods(w.client, "ns", "app=ru")).filter((p) => !p.metadata?.deletionTimestamp);
    return d.status?.observedGeneration === 3 && rolledOut(d) && live.length === 4 && live.every((p) => p.spec!.containers[0]!.image === "busybox:1");
  }, 10_000);
  const after = ((await w.client.list(CONTROLLER_REVISIONS, "ns")).items as ControllerRevision[]).map((r) => [r.metadata!.name, r.revision]);
  expect(after).toContainEqual([revs[0]!.metadata!.name, 3]);
});

test("maxSurge: the new pod comes up beside the old one, which goes once the new one is available", async () => {
  const w = await setup();
  await node(w, "only");
  await w.client.create(DAEMONSETS, "ns", ds("surge", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await until("1 pod", async () => (await listPods(w.client, "ns", "app=surge")).length === 1);
  const k = fakeKubelet(w.client, "ns");
  cleanups.push(() => k.stop());
  await until("rolled out", async () => rolledOut(await getDs(w, "surge")));
  const [old] = await listPods(w.client, "ns", "app=surge");
  await k.stop();
  await w.client.patch(DAEMONSETS, "ns", "surge", "application/strategic-merge-patch+json", { spec: { template: { spec: { containers: [{ name: "c", image: "busybox:2" }] } } } });
  await until("2 pods on the node", async () => (await listPods(w.client, "ns", "app=surge")).length === 2);
  await Bun.sleep(200);
  // The old one stays while the new one is not ready.
  expect((await listPods(w.client, "ns", "app=surge")).map((p) => p.metadata!.name)).toContain(old!.metadata!.name);
  const k2 = fakeKubelet(w.client, "ns");
  cleanups.push(() => k2.stop());
  await until("old pod gone", async () => {
    const pods = await listPods(w.client, "ns", "app=surge");
    return pods.length === 1 && pods[0]!.metadata!.name !== old!.metadata!.name;
  });
});

test("a failed daemon pod is replaced, and said so", async () => {
  const w = await setup();
  await node(w, "n1");
  await w.client.create(DAEMONSETS, "ns", ds("f"));
  await until("1 pod", async () => (await listPods(w.client, "ns", "app=f")).length === 1);
  const [pod] = await listPods(w.client, "ns", "app=f");
  await w.client.update(PODS, "ns", { ...pod!, status: { ...pod!.status, phase: "Failed" } } as KubeObject, { subresource: "status" });
  await until("replaced", async () => {
    const pods = await listPods(w.client, "ns", "app=f");
    return pods.length === 1 && pods[0]!.metadata!.name !== pod!.metadata!.name;
  });
  await until("the FailedDaemonPod event", async () => {
    await w.events.flush();
    const msgs = (await w.client.list(EVENTS, "ns")).items.map((e) => `${e.reason}: ${e.message}`);
    return msgs.includes(`FailedDaemonPod: Found failed daemon pod ns/${pod!.metadata!.name} on node n1, will try to kill it`);
  });
});
