import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { EVENTS } from "../../client/index.ts";
import { until } from "../testing.ts";
import { CONTROLLER_REVISIONS, PODS, PVCS, STATEFULSETS, type ControllerRevision, type Pod, type StatefulSet } from "../common/types.ts";
import { fakeKubelet, listPods, markReady, podTemplate, workloadCluster, type WorkloadCluster } from "../common/testing.ts";
import { StatefulSetController } from "./statefulset-controller.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<WorkloadCluster> {
  const w = await workloadCluster("ns", (ctx) => [new StatefulSetController(ctx)]);
  cleanups.push(() => w.stop());
  return w;
}

function sts(name: string, replicas: number, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name },
    spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...spec },
  };
}

async function getSet(w: WorkloadCluster, name: string): Promise<StatefulSet> {
  return (await w.client.get(STATEFULSETS, "ns", name)) as StatefulSet;
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!).sort();

/** kubectl rollout status's test for StatefulSets (RollingUpdate without partition). */
function rolledOut(s: StatefulSet): boolean {
  const st = s.status;
  if (!st || !st.observedGeneration || (s.metadata?.generation ?? 0) > st.observedGeneration) return false;
  if ((st.readyReplicas ?? 0) < (s.spec?.replicas ?? 1)) return false;
  const partition = s.spec?.updateStrategy?.rollingUpdate?.partition;
  if (partition !== undefined && partition !== null) return (st.updatedReplicas ?? 0) >= (s.spec?.replicas ?? 1) - partition;
  return st.updateRevision === st.currentRevision;
}

test("OrderedReady: pods <set>-0, -1, -2 are created one at a time, each after the previous is Running and Ready", async () => {
  const w = await setup();
  await w.client.create(STATEFULSETS, "ns", sts("web", 3));
  await until("web-0", async () => (await listPods(w.client, "ns", "app=web")).length === 1);
  await Bun.sleep(200);
  // web-1 waits for web-0.
  expect(names(await listPods(w.client, "ns", "app=web"))).toEqual(["web-0"]);
  const [p0] = await listPods(w.client, "ns", "app=web");
  expect(p0!.spec).toMatchObject({ hostname: "web-0", subdomain: "web" });
  expect(p0!.metadata!.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0" });
  expect(p0!.metadata!.labels!["controller-revision-hash"]).toMatch(/^web-[a-z0-9]+$/);
  await markReady(w.client, p0!);
  await until("web-1", async () => (await listPods(w.client, "ns", "app=web")).length === 2);
  await Bun.sleep(200);
  expect(names(await listPods(w.client, "ns", "app=web"))).toEqual(["web-0", "web-1"]);
  await markReady(w.client, (await w.client.get(PODS, "ns", "web-1")) as Pod);
  await until("web-2", async () => (await listPods(w.client, "ns", "app=web")).length === 3);
  await markReady(w.client, (await w.client.get(PODS, "ns", "web-2")) as Pod);
  await until("rolled out", async () => rolledOut(await getSet(w, "web")));
  const s = await getSet(w, "web");
  expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  expect(s.status!.currentRevision).toBe(s.status!.updateRevision);
  await w.events.flush();
  const msgs = (await w.client.list(EVENTS, "ns")).items.map((e) => `${e.reason} ${e.message}`);
  expect(msgs).toContain("SuccessfulCreate create Pod web-0 in StatefulSet web successful");

  // Scale down: the highest ordinal goes first, one at a time.
  await w.client.patch(STATEFULSETS, "ns", "web", "application/merge-patch+json", { spec: { replicas: 1 } });
  await until("1 pod", async () => (await listPods(w.client, "ns", "app=web")).length === 1);
  expect(names(await listPods(w.client, "ns", "app=web"))).toEqual(["web-0"]);
});

test("Parallel: all pods at once; a deleted pod comes back under its name", async () => {
  const w = await setup();
  await w.client.create(STATEFULSETS, "ns", sts("par", 3, { podManagementPolicy: "Parallel" }));
  await until("3 pods without any ready", async () => (await listPods(w.client, "ns", "app=par")).length === 3);
  expect(names(await listPods(w.client, "ns", "app=par"))).toEqual(["par-0", "par-1", "par-2"]);
  const uid = ((await w.client.get(PODS, "ns", "par-1")) as Pod).metadata!.uid;
  await w.client.delete(PODS, "ns", "par-1");
  await until("par-1 back", async () => {
    const p = (await listPods(w.client, "ns", "app=par")).find((x) => x.metadata?.name === "par-1");
    return !!p && p.metadata?.uid !== uid;
  });
});

test("volumeClaimTemplates: a claim <template>-<set>-<ordinal> per pod, mounted as the template's volume", async () => {
  const w = await setup();
  const k = fakeKubelet(w.client, "ns");
  cleanups.push(() => k.stop());
  await w.client.create(
    STATEFULSETS,
    "ns",
    sts("db", 2, {
      volumeClaimTemplates: [{ metadata: { name: "data", labels: { tier: "db" } }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
    }),
  );
  await until("rolled out", async () => rolledOut(await getSet(w, "db")));
  const claims = (await w.client.list(PVCS, "ns")).items;
  expect(claims.map((c) => c.metadata!.name).sort()).toEqual(["data-db-0", "data-db-1"]);
  expect(claims[0]!.metadata!.labels).toEqual({ tier: "db", app: "db" });
  const pod = (await w.client.get(PODS, "ns", "db-1")) as Pod;
  expect(pod.spec!.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "data-db-1" } });
});

test("rolling update with a partition: only ordinals >= partition move, highest first; then the rest; revisions and rollback", async () => {
  const w = await setup();
  const k = fakeKubelet(w.client, "ns");
  cleanups.push(() => k.stop());
  await w.client.create(STATEFULSETS, "ns", sts("ru", 3, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }));
  await until("rolled out", async () => rolledOut(await getSet(w, "ru")) && (await getSet(w, "ru")).status?.readyReplicas === 3);
  const rev1 = (await getSet(w, "ru")).status!.updateRevision!;
  await w.client.patch(STATEFULSETS, "ns", "ru", "application/strategic-merge-patch+json", { spec: { template: { spec: { containers: [{ name: "c", image: "busybox:2" }] } } } });
  await until("partition rolled", async () => {
    const s = await getSet(w, "ru");
    return s.status?.observedGeneration === 2 && s.status.updatedReplicas === 1 && s.status.readyReplicas === 3;
  });
  const images = async () => Object.fromEntries((await listPods(w.client, "ns", "app=ru")).map((p) => [p.metadata!.name, p.spec!.containers[0]!.image]));
  expect(await images()).toEqual({ "ru-0": "busybox:1", "ru-1": "busybox:1", "ru-2": "busybox:2" });
  const s = await getSet(w, "ru");
  expect(s.status!.currentRevision).toBe(rev1);
  expect(s.status!.updateRevision).not.toBe(rev1);
  await w.client.patch(STATEFULSETS, "ns", "ru", "application/merge-patch+json", { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
  await until("all updated", async () => {
    const x = await getSet(w, "ru");
    return x.status?.updatedReplicas === 3 && x.status.currentRevision === x.status.updateRevision && x.status.readyReplicas === 3;
  });
  expect(await images()).toEqual({ "ru-0": "busybox:2", "ru-1": "busybox:2", "ru-2": "busybox:2" });

  // ControllerRevisions as kubectl rollout history reads them.
  const revs = ((await w.client.list(CONTROLLER_REVISIONS, "ns")).items as ControllerRevision[]).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  expect(revs.map((r) => r.revision)).toEqual([1, 2]);
  expect(revs[0]!.metadata!.name).toBe(rev1);
  expect(revs[0]!.metadata!.labels!["controller-revision-hash"]).toBe(rev1.slice("ru-".length));
  expect(revs[0]!.metadata!.ownerReferences![0]).toMatchObject({ kind: "StatefulSet", name: "ru", controller: true });
  const data = revs[0]!.data as { spec: { template: Record<string, unknown> } };
  expect(data.spec.template.$patch).toBe("replace");

  // kubectl rollout undo: revision 1's data as a strategic merge patch.
  await w.client.patch(STATEFULSETS, "ns", "ru", "application/strategic-merge-patch+json", revs[0]!.data);
  await until("rolled back", async () => {
    const x = await getSet(w, "ru");
    return x.status?.observedGeneration === x.metadata?.generation && x.status?.updateRevision === rev1 && x.status.currentRevision === rev1 && x.status.readyReplicas === 3;
  });
  expect(await images()).toEqual({ "ru-0": "busybox:1", "ru-1": "busybox:1", "ru-2": "busybox:1" });
  const after = ((await w.client.list(CONTROLLER_REVISIONS, "ns")).items as ControllerRevision[]).map((r) => [r.metadata!.name, r.revision]);
  // The old revision is reused under the next number.
  expect(after).toContainEqual([rev1, 3]);
});

test("a failed pod is recreated under its name, and said so", async () => {
  const w = await setup();
  await w.client.create(STATEFULSETS, "ns", sts("fail", 1));
  await until("fail-0", async () => (await listPods(w.client, "ns", "app=fail")).length === 1);
  const pod = (await w.client.get(PODS, "ns", "fail-0")) as Pod;
  await w.client.update(PODS, "ns", { ...pod, status: { ...pod.status, phase: "Failed" } } as KubeObject, { subresource: "status" });
  await until("recreated", async () => {
    const p = (await listPods(w.client, "ns", "app=fail"))[0];
    return !!p && p.metadata?.uid !== pod.metadata?.uid && p.metadata?.name === "fail-0";
  });
  await until("the event", async () => {
    await w.events.flush();
    return (await w.client.list(EVENTS, "ns")).items.some((e) => e.reason === "RecreatingFailedPod" && e.message === "StatefulSet ns/fail is recreating failed Pod fail-0");
  });
});
