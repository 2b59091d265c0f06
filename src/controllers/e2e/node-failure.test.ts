/**
 * A node failure end to end: a real `kts server` (short node-monitor-grace-period through
 * --kube-controller-manager-arg) and two real `kts agent` processes on this machine's Docker
 * Engine. A Deployment's pod runs on node B; B's agent is stopped (its containers keep running,
 * as k3s's do), so B's Lease is no longer renewed: the node lifecycle controller marks B
 * NotReady (Ready=Unknown) and taints it unreachable, the taint eviction controller deletes the
 * pod once its tolerationSeconds pass, and the ReplicaSet's replacement is scheduled to node A
 * and runs there. A DaemonSet's pod on B stays (upstream's daemon tolerations of the unreachable
 * and not-ready taints have no tolerationSeconds).
 * A third agent C whose Docker Engine goes away (its DOCKER_HOST is a socket the test shuts) stays
 * alive and posts Ready=False itself: C is tainted not-ready (not unreachable), its Deployment pod
 * moves to A, its DaemonSet pod stays; once Docker answers again C is Ready and untainted.
 * Deleting B's Node object leaves its DaemonSet pod orphaned: the pod GC marks it Failed with
 * DisruptionTarget (DeletionByPodGC) and force-deletes it (its 20 s period and 40 s quarantine
 * shortened through the KTS_TEST_PODGC_* test hooks).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { startTestAgent, type TestAgent } from "../../testing/agent.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../testing/docker.ts";
import { dockerGate } from "./docker-gate.ts";
import { watchPods } from "./pod-watch.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(120_000);

let s: TestServer;
let a: TestAgent;
let b: TestAgent;
let c: TestAgent | undefined;
const gateDir = mkdtempSync(join(tmpdir(), "kts-docker-gate-"));
beforeAll(async () => {
  await ensureTestImage();
  s = await startTestServer(["--kube-controller-manager-arg", "node-monitor-grace-period=4s", "--kube-controller-manager-arg", "node-monitor-period=500ms"], {
    env: { KTS_TEST_PODGC_PERIOD: "500ms", KTS_TEST_PODGC_QUARANTINE: "2s" },
  });
  a = startTestAgent(s.url, s.token());
  b = startTestAgent(s.url, s.token());
  await Promise.all([a.ready, b.ready]);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await c?.stop();
  await s?.stop();
  rmSync(gateDir, { recursive: true, force: true });
  await removeTestContainers();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(200);
  }
}

const node = async (name: string) => JSON.parse(await s.k("get", "node", name, "-o", "json")) as V1Node;
const pods = async () => (JSON.parse(await s.k("get", "pods", "-l", "app=web", "-o", "json")) as { items: V1Pod[] }).items;

/** A one-replica sleeper Deployment whose pod leaves a failed node 2 s after the taint (not upstream's 300 s). */
async function applyEvictableDeployment(name: string): Promise<void> {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          tolerations: ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"].map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 })),
          containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sleep", "3600"] }],
        },
      },
    },
  };
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(deployment) })).code).toBe(0);
}

test("a node whose agent stops becomes NotReady; its pod is evicted after tolerationSeconds and recreated on the other node", async () => {
  for (const n of [a.nodeName, b.nodeName]) expect((await s.kubectl(["wait", "--for=condition=Ready", `node/${n}`, "--timeout=60s"], { timeoutMs: 70_000 })).code).toBe(0);
  // The first pod must land on B: keep A cordoned until it has.
  await s.k("cordon", a.nodeName);
  await applyEvictableDeployment("web");
  const first = await until("the pod runs on B", async () => (await pods()).find((p) => p.spec?.nodeName === b.nodeName && p.status?.phase === "Running"));
  await s.k("uncordon", a.nodeName);
  const daemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agentd" },
    spec: {
      selector: { matchLabels: { app: "agentd" } },
      template: { metadata: { labels: { app: "agentd" } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sleep", "3600"] }] } },
    },
  };
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(daemonSet) })).code).toBe(0);
  const daemonPods = async () => (JSON.parse(await s.k("get", "pods", "-l", "app=agentd", "-o", "json")) as { items: V1Pod[] }).items;
  const daemonOnB = await until("the DaemonSet runs a pod on both nodes", async () => {
    const all = await daemonPods();
    return all.filter((p) => p.status?.phase === "Running").length === 2 ? all.find((p) => p.spec?.nodeName === b.nodeName) : undefined;
  });

  await b.stop();
  const down = await until("B is NotReady", async () => {
    const n = await node(b.nodeName);
    return n.status?.conditions?.find((c) => c.type === "Ready")?.status === "Unknown" ? n : undefined;
  });
  expect(down.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
  expect(await s.k("get", "node", b.nodeName)).toMatch(new RegExp(`\\n${b.nodeName}\\s+NotReady\\s`));
  await until("B is tainted unreachable", async () => {
    const keys = ((await node(b.nodeName)).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    return keys.includes("node.kubernetes.io/unreachable:NoExecute") && keys.includes("node.kubernetes.io/unreachable:NoSchedule");
  });

  const evicted = await until("the pod on B is evicted", async () => (await pods()).find((p) => p.metadata?.uid === first.metadata?.uid && p.metadata?.deletionTimestamp));
  expect(evicted.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByTaintManager" });
  const replacement = await until("a replacement runs on A", async () => (await pods()).find((p) => p.metadata?.uid !== first.metadata?.uid && p.spec?.nodeName === a.nodeName && p.status?.phase === "Running"));
  expect(replacement.metadata?.ownerReferences?.[0]?.kind).toBe("ReplicaSet");
  const events = await s.k("get", "events", "--field-selector", `involvedObject.name=${first.metadata?.name}`, "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
  expect(events).toContain(`TaintManagerEviction: Marking for deletion Pod default/${first.metadata?.name}`);
  // The DaemonSet's pod on B outlived the Deployment's (which tolerated the taint for 2 s) and stays.
  const stayed = (await daemonPods()).find((p) => p.metadata?.uid === daemonOnB.metadata?.uid);
  expect(stayed?.metadata?.deletionTimestamp).toBeUndefined();
  expect(stayed?.spec?.tolerations).toContainEqual({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" });
});

test("a node whose Docker Engine goes away posts Ready=False: tainted not-ready, its Deployment pod moves, its DaemonSet pod stays", async () => {
  const gate = await dockerGate(join(gateDir, "docker.sock"));
  c = startTestAgent(s.url, s.token(), { env: { DOCKER_HOST: gate.host } });
  await c.ready;
  const cName = c.nodeName;
  expect((await s.kubectl(["wait", "--for=condition=Ready", `node/${cName}`, "--timeout=60s"], { timeoutMs: 70_000 })).code).toBe(0);
  const podsOf = async (app: string) => (JSON.parse(await s.k("get", "pods", "-l", `app=${app}`, "-o", "json")) as { items: V1Pod[] }).items;
  // The DaemonSet from the first test lands on C too.
  const daemonOnC = await until("the DaemonSet runs a pod on C", async () => (await podsOf("agentd")).find((p) => p.spec?.nodeName === cName && p.status?.phase === "Running"));

  await s.k("cordon", a.nodeName);
  await applyEvictableDeployment("mover");
  const first = await until("the pod runs on C", async () => (await podsOf("mover")).find((p) => p.spec?.nodeName === cName && p.status?.phase === "Running"));
  await s.k("uncordon", a.nodeName);

  await gate.close();
  const ready = await until("C posts Ready=False", async () => {
    const r = (await node(cName)).status?.conditions?.find((x) => x.type === "Ready");
    return r?.status === "False" ? r : undefined;
  });
  expect(ready.reason).toBe("KubeletNotReady");
  expect(ready.message).toStartWith("container runtime is down");
  await until("C is tainted not-ready", async () => ((await node(cName)).spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/not-ready" && t.effect === "NoExecute"));
  expect(((await node(cName)).spec?.taints ?? []).map((t) => t.key)).not.toContain("node.kubernetes.io/unreachable");

  const evicted = await until("the Deployment's pod on C is evicted", async () => (await podsOf("mover")).find((p) => p.metadata?.uid === first.metadata?.uid && p.metadata?.deletionTimestamp));
  expect(evicted.status?.conditions?.find((x) => x.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByTaintManager" });
  await until("its replacement runs on A", async () => (await podsOf("mover")).some((p) => p.metadata?.uid !== first.metadata?.uid && p.spec?.nodeName === a.nodeName && p.status?.phase === "Running"));
  const stayed = (await podsOf("agentd")).find((p) => p.metadata?.uid === daemonOnC.metadata?.uid);
  expect(stayed?.metadata?.deletionTimestamp).toBeUndefined();

  await gate.open();
  await until("C is Ready and untainted again", async () => {
    const n = await node(cName);
    const readyAgain = n.status?.conditions?.find((x) => x.type === "Ready")?.status === "True";
    return readyAgain && !(n.spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/not-ready");
  });
  // With Docker back, C's agent finishes the evicted pod's deletion.
  await until("the evicted pod is gone", async () => !(await podsOf("mover")).some((p) => p.metadata?.uid === first.metadata?.uid));
});

test("the pods of a deleted Node are marked Failed (DisruptionTarget: DeletionByPodGC) and force-deleted by the pod GC", async () => {
  const watch = await watchPods(s.kubeconfig, "default", "app=agentd");
  const orphan = [...watch.pods.values()].find((p) => p.spec?.nodeName === b.nodeName);
  expect(orphan).toBeDefined();
  const name = orphan!.metadata!.name!;
  await s.k("delete", "node", b.nodeName);
  await watch.until("the orphaned pod is deleted", () => watch.deleted.has(name), 60_000);
  watch.close();
  const last = watch.final.get(name)!;
  expect(last.metadata?.uid).toBe(orphan!.metadata!.uid);
  expect(last.status?.phase).toBe("Failed");
  expect(last.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" });
});
