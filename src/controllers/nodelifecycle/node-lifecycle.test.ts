import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { find, stays, until } from "../testing.ts";
import { TaintEvictionController } from "../tainteviction/index.ts";
import { harness, podSpec, setPodStatus, type Harness } from "../common/harness.ts";
import { LEASES, NODES, PODS, rfc3339, rfc3339Nano, type Lease, type Node, type Pod } from "../common/types.ts";
import { NodeLifecycleController } from "./node-lifecycle-controller.ts";

let h: Harness;
const stops: Array<() => void> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await h?.close();
});

/** Plays a node's kubelet: registers the node with Ready=True and renews its Lease until stopped. */
async function kubelet(name: string, labels: Record<string, string> = {}): Promise<{ stop(): void; resume(): Promise<void> }> {
  const node = (await h.client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name, labels } })) as Node;
  const now = rfc3339(Date.now());
  node.status = { conditions: ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"].map((type) => ({ type, status: type === "Ready" ? "True" : "False", reason: "KubeletReady", lastHeartbeatTime: now, lastTransitionTime: now })) };
  await h.client.update(NODES, "", node, { subresource: "status" });
  await h.client.create(LEASES, "kube-node-lease", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Nano(Date.now()) } });
  let timer: ReturnType<typeof setInterval> | undefined;
  const renew = async () => {
    const lease = (await h.client.get(LEASES, "kube-node-lease", name)) as Lease;
    lease.spec = { ...lease.spec, renewTime: rfc3339Nano(Date.now()) };
    await h.client.update(LEASES, "kube-node-lease", lease).catch(() => undefined);
  };
  const start = () => {
    timer = setInterval(() => void renew(), 50);
  };
  start();
  const stop = () => clearInterval(timer);
  stops.push(stop);
  return {
    stop,
    async resume() {
      const fresh = (await h.client.get(NODES, "", name)) as Node;
      const t = rfc3339(Date.now() + 1000);
      fresh.status!.conditions = fresh.status!.conditions!.map((c) => ({ ...c, status: c.type === "Ready" ? "True" : "False", reason: "KubeletReady", message: "", lastHeartbeatTime: t, lastTransitionTime: t }));
      await h.client.update(NODES, "", fresh, { subresource: "status" });
      start();
    },
  };
}

async function boundPod(name: string, node: string, tolerations?: unknown[]): Promise<KubeObject> {
  const pod = await h.client.create(PODS, "ns", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: podSpec({ nodeName: node, ...(tolerations ? { tolerations } : {}) }) });
  return setPodStatus(h.client, pod, "Running");
}

async function node(name: string): Promise<Node> {
  return (await h.client.get(NODES, "", name)) as Node;
}

function taintKeys(n: Node): string[] {
  return (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
}

async function setup(): Promise<void> {
  h = await harness();
  await h.namespace("ns");
  await h.namespace("kube-node-lease");
}

async function runControllers(): Promise<void> {
  await h.run(new NodeLifecycleController(h.ctx, { monitorPeriodMs: 100, gracePeriodMs: 800, startupGracePeriodMs: 800 }));
  await h.run(new TaintEvictionController(h.ctx));
}

test("a node whose Lease stops being renewed turns Unknown, is tainted unreachable, and its pods are evicted after their tolerationSeconds", async () => {
  await setup();
  const n1 = await kubelet("n1");
  await kubelet("n2");
  const quick = await boundPod("quick", "n1", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 }]);
  await boundPod("default-tolerations", "n1");
  await boundPod("forever", "n1", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }]);
  await boundPod("elsewhere", "n2");
  await runControllers();
  await until("both nodes registered", async () => (await h.events("n2")).some((e) => e.includes("RegisteredNode")));

  n1.stop();
  await until("n1 is Unknown", async () => (await node("n1")).status?.conditions?.find((c) => c.type === "Ready")?.status === "Unknown", 10_000);
  const down = await node("n1");
  for (const type of ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]) {
    expect(down.status?.conditions?.find((c) => c.type === type)).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
  }
  await until("n1 tainted unreachable", async () => taintKeys(await node("n1")).join() === "node.kubernetes.io/unreachable:NoExecute,node.kubernetes.io/unreachable:NoSchedule", 10_000);
  expect((await node("n1")).spec?.taints?.find((t) => t.effect === "NoExecute")?.timeAdded).toBeString();
  expect((await node("n2")).spec?.taints ?? []).toEqual([]);
  await until("n1's pods are not ready", async () => ((await h.client.get(PODS, "ns", "forever")) as Pod).status?.conditions?.find((c) => c.type === "Ready")?.status === "False");
  expect(await h.events("n1")).toContain("Normal NodeNotReady Node n1 status is now: NodeNotReady");

  await until("the pod tolerating 1 s is evicted", async () => Boolean((await find(h.client, PODS, "ns", "quick"))?.metadata?.deletionTimestamp), 10_000);
  const evicted = (await h.client.get(PODS, "ns", "quick")) as Pod;
  expect(evicted.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint" });
  expect(await h.events(quick.metadata!.name!)).toContain("Normal TaintManagerEviction Marking for deletion Pod ns/quick");
  for (const name of ["default-tolerations", "forever", "elsewhere"]) expect((await stays(h.client, PODS, "ns", name, 0)).metadata?.deletionTimestamp).toBeUndefined();

  await n1.resume();
  await until("the taints are gone once n1 is back", async () => taintKeys(await node("n1")).length === 0, 10_000);
  expect((await stays(h.client, PODS, "ns", "default-tolerations", 0)).metadata?.deletionTimestamp).toBeUndefined();
}, 30_000);

test("when every node is down (full disruption) nodes are marked Unknown but nothing is evicted", async () => {
  await setup();
  const only = await kubelet("solo");
  await boundPod("p", "solo", [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 }]);
  await runControllers();
  only.stop();
  await until("solo is Unknown", async () => (await node("solo")).status?.conditions?.find((c) => c.type === "Ready")?.status === "Unknown", 10_000);
  await until("the NoSchedule taint", async () => taintKeys(await node("solo")).includes("node.kubernetes.io/unreachable:NoSchedule"));
  await Bun.sleep(500);
  expect(taintKeys(await node("solo"))).toEqual(["node.kubernetes.io/unreachable:NoSchedule"]);
  expect((await stays(h.client, PODS, "ns", "p", 0)).metadata?.deletionTimestamp).toBeUndefined();
}, 20_000);

test("cordon: spec.unschedulable adds the node.kubernetes.io/unschedulable NoSchedule taint, uncordon removes it", async () => {
  await setup();
  await kubelet("c1");
  await runControllers();
  const n = await node("c1");
  n.spec = { ...n.spec, unschedulable: true };
  await h.client.update(NODES, "", n);
  await until("the unschedulable taint", async () => taintKeys(await node("c1")).join() === "node.kubernetes.io/unschedulable:NoSchedule");
  const m = await node("c1");
  m.spec = { ...m.spec, unschedulable: false };
  await h.client.update(NODES, "", m);
  await until("the taint removed", async () => taintKeys(await node("c1")).length === 0);
});

test("a node that never reported gets NodeStatusNeverUpdated conditions after the startup grace period", async () => {
  await setup();
  await h.client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "silent" } });
  await runControllers();
  await until("conditions filled in", async () => ((await node("silent")).status?.conditions ?? []).length === 4, 10_000);
  expect((await node("silent")).status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status." });
});
