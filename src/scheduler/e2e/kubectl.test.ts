/**
 * The scheduler inside a real `kts server` (no agent: the Nodes are plain objects), seen through
 * real kubectl 1.32: `describe pod` shows why a pod waits and where it was assigned, a
 * PriorityClass preempts, a second profile from a KubeSchedulerConfiguration file schedules its
 * own pods, and `--disable-scheduler` leaves pods pending.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "../../controllers/testing.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

const node = (name: string, cpu: string) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels: {kubernetes.io/hostname: ${name}}
status:
  capacity: {cpu: "${cpu}", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "${cpu}", memory: 8Gi, pods: "110"}
`;

const pod = (name: string, cpu: string, extra = "") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:${extra}
  containers:
  - name: c
    image: busybox
    resources: {requests: {cpu: "${cpu}"}}
`;

const CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: second-scheduler
  plugins:
    score:
      disabled: [{name: ImageLocality}]
`;

describe("kts server runs the scheduler", () => {
  let s: TestServer;
  let configDir: string;
  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), "kts-sched-e2e-"));
    writeFileSync(join(configDir, "scheduler.yaml"), CONFIG);
    s = await startTestServer(["--kube-scheduler-arg", `config=${join(configDir, "scheduler.yaml")}`]);
  }, 30_000);
  afterAll(async () => {
    expect(await s.stop()).toBe(0);
    rmSync(configDir, { recursive: true, force: true });
  }, 60_000);

  test("describe pod: FailedScheduling while nothing fits, Scheduled once a node has room", async () => {
    await s.kubectl(["create", "-f", "-"], { stdin: node("small", "1") });
    await s.kubectl(["create", "-f", "-"], { stdin: pod("big", "2") });
    // 2 CPUs is more than the node has at all: preemption cannot help.
    const why = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    let described = "";
    await until("describe shows FailedScheduling", async () => (described = await s.k("describe", "pod", "big")).includes("FailedScheduling"), 20_000);
    expect(described).toMatch(/Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/1 nodes are available: 1 Insufficient cpu\. preemption: /);
    expect(described).toContain(why);
    expect(await s.k("get", "pod", "big", "-o", "jsonpath={.status.conditions[0].type} {.status.conditions[0].status} {.status.conditions[0].reason}")).toBe("PodScheduled False Unschedulable");

    await s.kubectl(["create", "-f", "-"], { stdin: node("roomy", "4") });
    await until("the pod is bound", async () => (await s.k("get", "pod", "big", "-o", "jsonpath={.spec.nodeName}")) === "roomy", 20_000);
    await until("describe shows Scheduled", async () => (described = await s.k("describe", "pod", "big")).includes("Successfully assigned"), 20_000);
    expect(described).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/big to roomy/);
    // kubectl prints node/hostIP; no kubelet reported a host IP.
    expect(described).toMatch(/Node:\s+roomy\/\n/);
  }, 60_000);

  test("a PriorityClass's pods preempt lower-priority ones; kubectl get shows the nominated node", async () => {
    await s.kubectl(["create", "-f", "-"], { stdin: node("tiny", "1") });
    await s.k("create", "priorityclass", "urgent", "--value=1000");
    await s.kubectl(["create", "-f", "-"], { stdin: pod("filler", "900m", "\n  nodeSelector: {kubernetes.io/hostname: tiny}") });
    await until("filler is bound", async () => (await s.k("get", "pod", "filler", "-o", "jsonpath={.spec.nodeName}")) === "tiny", 20_000);
    await s.kubectl(["create", "-f", "-"], { stdin: pod("vip", "900m", "\n  priorityClassName: urgent\n  nodeSelector: {kubernetes.io/hostname: tiny}") });
    expect(await s.k("get", "pod", "vip", "-o", "jsonpath={.spec.priority}")).toBe("1000");
    await until("vip is nominated", async () => (await s.k("get", "pod", "vip", "-o", "custom-columns=NOMINATED:.status.nominatedNodeName", "--no-headers")).trim() === "tiny", 20_000);
    expect(await s.k("get", "pod", "filler", "-o", "jsonpath={.metadata.deletionTimestamp}")).not.toBe("");
    // No kubelet finishes the victim's termination here: do it as the kubelet would.
    await s.k("delete", "pod", "filler", "--grace-period=0", "--force");
    await until("vip is bound", async () => (await s.k("get", "pod", "vip", "-o", "jsonpath={.spec.nodeName}")) === "tiny", 20_000);
  }, 60_000);

  test("a second profile from --kube-scheduler-arg config= schedules the pods naming it, and reports as itself", async () => {
    await s.kubectl(["create", "-f", "-"], { stdin: node("other", "2") });
    await s.kubectl(["create", "-f", "-"], { stdin: pod("second", "100m", "\n  schedulerName: second-scheduler\n  nodeSelector: {kubernetes.io/hostname: other}") });
    await until("the pod is bound", async () => (await s.k("get", "pod", "second", "-o", "jsonpath={.spec.nodeName}")) === "other", 20_000);
    let described = "";
    await until("describe shows Scheduled", async () => (described = await s.k("describe", "pod", "second")).includes("Successfully assigned"), 20_000);
    expect(described).toMatch(/Normal\s+Scheduled\s+\S+\s+second-scheduler\s+Successfully assigned default\/second to other/);
  }, 60_000);
});

test("--disable-scheduler leaves pods pending", async () => {
  const s = await startTestServer(["--disable-scheduler"]);
  try {
    await s.kubectl(["create", "-f", "-"], { stdin: node("n", "4") });
    await s.kubectl(["create", "-f", "-"], { stdin: pod("idle", "100m") });
    await Bun.sleep(1000);
    expect(await s.k("get", "pod", "idle", "-o", "jsonpath={.spec.nodeName}|{.status.conditions}")).toBe("|");
  } finally {
    expect(await s.stop()).toBe(0);
  }
}, 30_000);
