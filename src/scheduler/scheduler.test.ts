import { afterEach, describe, expect, test } from "bun:test";
import { until } from "../controllers/testing.ts";
import type { Pod } from "./api.ts";
import { NODES, PODS } from "./api.ts";
import { podObject, schedulerCluster, type SchedulerCluster } from "./testing.ts";

let c: SchedulerCluster | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

type Spec = Partial<NonNullable<Pod["spec"]>>;
const cpuPod = (name: string, cpu: string, spec: Spec = {}, labels?: Record<string, string>) => podObject(name, spec, labels ? { labels } : {}, { cpu });
const scheduledCondition = (p: Pod) => p.status?.conditions?.find((x) => x.type === "PodScheduled");

describe("an unschedulable pod", () => {
  test("says why in a FailedScheduling event and the PodScheduled condition, then schedules once a node is added", async () => {
    c = await schedulerCluster();
    await c.addNode("small", { cpu: "1" });
    await c.addNode("t1", { cpu: "8", taints: [{ key: "key", value: "value", effect: "NoSchedule" }] });
    await c.addNode("t2", { cpu: "8", taints: [{ key: "key", value: "value", effect: "NoSchedule" }] });
    await c.createPod(cpuPod("big", "2"));
    const message =
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {key: value}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    let pod: Pod | undefined;
    await until("the pod is marked unschedulable", async () => scheduledCondition((pod = await c!.getPod("big")))?.status === "False");
    expect(scheduledCondition(pod!)).toMatchObject({ type: "PodScheduled", status: "False", reason: "Unschedulable", message });
    await until("the FailedScheduling event is written", async () => (await c!.events("big")).some((e) => e.reason === "FailedScheduling"));
    expect((await c.events("big")).find((e) => e.reason === "FailedScheduling")).toEqual({ reason: "FailedScheduling", type: "Warning", note: message });

    await c.addNode("roomy", { cpu: "4" });
    expect(await c.boundNode("big")).toBe("roomy");
    const bound = await c.getPod("big");
    expect(scheduledCondition(bound)?.status).toBe("True");
    await until("the Scheduled event is written", async () => (await c!.events("big")).some((e) => e.reason === "Scheduled"));
    expect((await c.events("big")).find((e) => e.reason === "Scheduled")).toEqual({ reason: "Scheduled", type: "Normal", note: "Successfully assigned default/big to roomy" });
  });

  test("schedules once a pod on the node is deleted", async () => {
    c = await schedulerCluster();
    await c.addNode("n", { cpu: "1" });
    await c.createPod(cpuPod("first", "700m"));
    expect(await c.boundNode("first")).toBe("n");
    await c.createPod(cpuPod("second", "700m"));
    await until("second is unschedulable", async () => scheduledCondition(await c!.getPod("second"))?.reason === "Unschedulable");
    expect(scheduledCondition(await c.getPod("second"))?.message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
    // The kubelet would finish the deletion of a bound pod; no agent backs this node, so delete at once.
    await c.client.delete(PODS, "default", "first", { gracePeriodSeconds: 0 });
    expect(await c.boundNode("second")).toBe("n");
  });

  test("schedules once a node is uncordoned and its taint removed", async () => {
    c = await schedulerCluster();
    await c.addNode("n", { unschedulable: true, taints: [{ key: "maintenance", value: "yes", effect: "NoSchedule" }] });
    await c.createPod(podObject("waiting"));
    await until("the pod is unschedulable", async () => scheduledCondition(await c!.getPod("waiting"))?.reason === "Unschedulable");
    expect(scheduledCondition(await c.getPod("waiting"))?.message).toBe(
      "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
    await c.client.patch(NODES, "", "n", "application/merge-patch+json", { spec: { unschedulable: null } });
    await until("the message changes to the taint", async () => scheduledCondition(await c!.getPod("waiting"))?.message?.includes("untolerated taint {maintenance: yes}") === true);
    await c.client.patch(NODES, "", "n", "application/merge-patch+json", { spec: { taints: null } });
    expect(await c.boundNode("waiting")).toBe("n");
  });

  test("no nodes at all", async () => {
    c = await schedulerCluster();
    await c.createPod(podObject("lonely"));
    await until("the pod is marked unschedulable", async () => scheduledCondition(await c!.getPod("lonely"))?.status === "False");
    expect(scheduledCondition(await c.getPod("lonely"))).toMatchObject({ reason: "Unschedulable", message: "no nodes available to schedule pods" });
    await c.addNode("late");
    expect(await c.boundNode("lonely")).toBe("late");
  });
});

describe("placement across several nodes", () => {
  async function zonedCluster(): Promise<SchedulerCluster> {
    const cluster = await schedulerCluster();
    for (const zone of ["a", "b", "c"]) for (const i of [1, 2]) await cluster.addNode(`${zone}${i}`, { labels: { "topology.kubernetes.io/zone": zone, disk: zone === "c" ? "hdd" : "ssd" } });
    return cluster;
  }
  const zoneOf = (node: string) => node[0];

  test("required node affinity and nodeSelector keep pods on matching nodes", async () => {
    c = await zonedCluster();
    const affinity: Spec = {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["b"] }] }] } } },
    };
    for (let i = 0; i < 4; i++) await c.createPod(podObject(`aff${i}`, affinity));
    for (let i = 0; i < 4; i++) await c.createPod(podObject(`sel${i}`, { nodeSelector: { disk: "hdd" } }));
    for (let i = 0; i < 4; i++) expect(zoneOf(await c.boundNode(`aff${i}`))).toBe("b");
    for (let i = 0; i < 4; i++) expect(zoneOf(await c.boundNode(`sel${i}`))).toBe("c");
  });

  test("required anti-affinity on the hostname: one replica per node, the seventh waits", async () => {
    c = await zonedCluster();
    const anti: Spec = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" }] } } };
    for (let i = 0; i < 7; i++) await c.createPod(podObject(`web${i}`, anti, { labels: { app: "web" } }));
    const nodes = new Set<string>();
    let waiting = "";
    await until("six replicas are placed", async () => {
      nodes.clear();
      for (let i = 0; i < 7; i++) {
        const p = await c!.getPod(`web${i}`);
        if (p.spec?.nodeName) nodes.add(p.spec.nodeName);
        else waiting = `web${i}`;
      }
      return nodes.size === 6;
    });
    expect([...nodes].sort()).toEqual(["a1", "a2", "b1", "b2", "c1", "c2"]);
    await until("the seventh is unschedulable", async () => scheduledCondition(await c!.getPod(waiting))?.reason === "Unschedulable");
    expect(scheduledCondition(await c.getPod(waiting))?.message).toBe(
      "0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.",
    );
  });

  test("required pod affinity follows the pod it names into its zone", async () => {
    c = await zonedCluster();
    await c.createPod(podObject("db", { nodeSelector: { "kubernetes.io/hostname": "c2" } }, { labels: { app: "db" } }));
    expect(await c.boundNode("db")).toBe("c2");
    const affinity: Spec = { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "db" } }, topologyKey: "topology.kubernetes.io/zone" }] } } };
    for (let i = 0; i < 4; i++) await c.createPod(podObject(`app${i}`, affinity));
    for (let i = 0; i < 4; i++) expect(zoneOf(await c.boundNode(`app${i}`))).toBe("c");
  });

  test("topology spread with maxSkew 1 over zones: 9 pods land 3 per zone", async () => {
    c = await zonedCluster();
    const spread: Spec = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "spread" } } }] };
    for (let i = 0; i < 9; i++) await c.createPod(podObject(`s${i}`, spread, { labels: { app: "spread" } }));
    const perZone: Record<string, number> = {};
    for (let i = 0; i < 9; i++) {
      const z = zoneOf(await c.boundNode(`s${i}`))!;
      perZone[z] = (perZone[z] ?? 0) + 1;
    }
    expect(perZone).toEqual({ a: 3, b: 3, c: 3 });
  });
});

describe("priority and preemption", () => {
  test("a high-priority pod evicts a lower-priority one and takes its place", async () => {
    c = await schedulerCluster();
    await c.client.create({ group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses" }, "", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000 });
    await c.addNode("n", { cpu: "1" });
    await c.createPod(cpuPod("low", "800m"));
    expect(await c.boundNode("low")).toBe("n");
    await c.createPod(cpuPod("high", "800m", { priorityClassName: "high" }));
    // The victim is deleted gracefully, marked as disrupted by the scheduler; the preemptor is nominated.
    let victim: Pod | undefined;
    await until("the victim is being deleted", async () => !!(victim = await c!.getPod("low")).metadata?.deletionTimestamp);
    expect(victim!.status?.conditions?.find((x) => x.type === "DisruptionTarget")).toMatchObject({
      status: "True",
      reason: "PreemptionByScheduler",
      message: "default-scheduler: preempting to accommodate a higher priority pod",
    });
    await until("the preemptor is nominated", async () => (await c!.getPod("high")).status?.nominatedNodeName === "n");
    const preemptor = await c.getPod("high");
    await until("the Preempted event is written", async () => (await c!.events("low")).some((e) => e.reason === "Preempted"));
    expect((await c.events("low")).find((e) => e.reason === "Preempted")?.note).toBe(`Preempted by pod ${preemptor.metadata?.uid} on node n`);
    // A lower-priority newcomer must not take the room made for the preemptor.
    await c.createPod(cpuPod("sneaky", "800m"));
    // The kubelet finishes the victim's termination.
    await c.client.delete(PODS, "default", "low", { gracePeriodSeconds: 0 });
    expect(await c.boundNode("high")).toBe("n");
    expect((await c.getPod("sneaky")).spec?.nodeName).toBeUndefined();
  });

  test("victims protected by a PodDisruptionBudget are spared when another node will do", async () => {
    c = await schedulerCluster();
    await c.client.create({ group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses" }, "", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000 });
    await c.addNode("a", { cpu: "1" });
    await c.addNode("b", { cpu: "1" });
    await c.createPod(cpuPod("guarded", "800m", { nodeSelector: { "kubernetes.io/hostname": "a" } }, { app: "guarded" }));
    await c.createPod(cpuPod("plain", "800m", { nodeSelector: { "kubernetes.io/hostname": "b" } }, { app: "plain" }));
    expect(await c.boundNode("guarded")).toBe("a");
    expect(await c.boundNode("plain")).toBe("b");
    const pdbs = { group: "policy", version: "v1", resource: "poddisruptionbudgets" };
    await c.client.create(pdbs, "default", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "keep" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "guarded" } } } });
    // No disruption controller runs here: publish the budget's status as it would.
    await c.client.patch(pdbs, "default", "keep", "application/merge-patch+json", { status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } }, { subresource: "status" });
    await until("the scheduler sees the budget", async () => c!.scheduler.pdbCount() === 1);
    await c.createPod(cpuPod("high", "800m", { priorityClassName: "high" }));
    await until("a victim is being deleted", async () => !!(await c!.getPod("plain")).metadata?.deletionTimestamp || !!(await c!.getPod("guarded")).metadata?.deletionTimestamp);
    expect((await c.getPod("plain")).metadata?.deletionTimestamp).toBeDefined();
    expect((await c.getPod("guarded")).metadata?.deletionTimestamp).toBeUndefined();
    await until("the preemptor is nominated", async () => (await c!.getPod("high")).status?.nominatedNodeName === "b");
  });

  test("preemptionPolicy Never does not preempt", async () => {
    c = await schedulerCluster();
    await c.client.create({ group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses" }, "", {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "polite" },
      value: 1000,
      preemptionPolicy: "Never",
    });
    await c.addNode("n", { cpu: "1" });
    await c.createPod(cpuPod("low", "800m"));
    expect(await c.boundNode("low")).toBe("n");
    await c.createPod(cpuPod("polite", "800m", { priorityClassName: "polite" }));
    await until("the pod is unschedulable", async () => scheduledCondition(await c!.getPod("polite"))?.reason === "Unschedulable");
    expect(scheduledCondition(await c.getPod("polite"))?.message).toBe("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
    expect((await c.getPod("low")).metadata?.deletionTimestamp).toBeUndefined();
  });
});

describe("profiles and gates", () => {
  test("pods naming another scheduler are left alone; a second profile schedules its own", async () => {
    c = await schedulerCluster({ profiles: [{ schedulerName: "default-scheduler" }, { schedulerName: "my-scheduler", disabled: ["ImageLocality"] }] });
    await c.addNode("n");
    await c.createPod(podObject("mine", { schedulerName: "my-scheduler" }));
    await c.createPod(podObject("theirs", { schedulerName: "someone-else" }));
    expect(await c.boundNode("mine")).toBe("n");
    await Bun.sleep(300);
    const theirs = await c.getPod("theirs");
    expect(theirs.spec?.nodeName).toBeUndefined();
    expect(theirs.status?.conditions).toBeUndefined();
    expect(await c.events("theirs")).toEqual([]);
  });

  test("a pod with scheduling gates waits until they are removed", async () => {
    c = await schedulerCluster();
    await c.addNode("n");
    await c.createPod(podObject("gated", { schedulingGates: [{ name: "example.com/wait" }] }));
    await Bun.sleep(300);
    expect((await c.getPod("gated")).spec?.nodeName).toBeUndefined();
    await c.client.patch(PODS, "default", "gated", "application/merge-patch+json", { spec: { schedulingGates: null } });
    expect(await c.boundNode("gated")).toBe("n");
  });
});
