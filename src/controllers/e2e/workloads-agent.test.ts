/**
 * Workload controllers and the scheduler on real nodes: one `kts server` with its embedded agent
 * running pods on this machine's Docker Engine (a second `kts agent`, tainted, joins for the
 * DaemonSet test). Pods become Ready through a real exec readinessProbe a moment after they
 * start, so readiness is the kubelet's, not the test's:
 * - a Deployment rolls out (`rollout status` 0), scales, rolls to a new image with maxSurge 1 /
 *   maxUnavailable 1 (`kubectl set image` to a second local tag of the test image) while a watch on
 *   its pods checks it never has more than replicas+1 active or
 *   fewer than replicas-1 ready pods, then `rollout undo` returns to the first template;
 * - Recreate starts the new pods only after the old ones finished a slow (real) shutdown;
 * - a StatefulSet creates web-0, web-1, web-2 each after the previous one is Running and Ready,
 *   rolls to a new image from web-2 down, and scales down in reverse, web-1 asked to stop only
 *   once web-2 has terminated;
 * - an unschedulable pod says why (FailedScheduling) and runs once a pod frees the CPU it needs;
 * - a DaemonSet lands on a tainted node joining later when it tolerates the taint, another does not,
 *   and a surge update replaces its pods one node at a time without a node lacking a ready pod;
 * - a CronJob starts the Job of its latest missed schedule with upstream's name and annotation,
 *   and (checked last, after the other tests) the next minute's Job by itself.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { V1Deployment, V1Node, V1Pod } from "@kubernetes/client-node";
import { startTestAgent, type TestAgent } from "../../testing/agent.ts";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../testing/docker.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { podActive, podReady, watchPods } from "./pod-watch.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(180_000);

let s: TestServer;
let tainted: TestAgent | undefined;
// A second tag of the test image, so a rollout can change the image as `kubectl set image` does.
const IMAGE_2 = "kts.test/busybox:2";

beforeAll(async () => {
  await ensureTestImage();
  const tagged = Bun.spawnSync(["docker", "tag", TEST_IMAGE, IMAGE_2]);
  if (tagged.exitCode !== 0) throw new Error(`docker tag failed: ${tagged.stderr.toString()}`);
  s = await startTestServer([], { agent: true });
  await until("the node registers", async () => (await s.kubectl(["get", "node", s.nodeName!])).code === 0);
  expect((await s.kubectl(["wait", "--for=condition=Ready", `node/${s.nodeName}`, "--timeout=60s"], { timeoutMs: 70_000 })).code).toBe(0);
});
afterAll(async () => {
  await tainted?.stop();
  await s?.stop();
  await removeTestContainers();
});

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(250);
  }
}

async function apply(obj: object): Promise<void> {
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(obj) });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

async function getJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await s.k("get", ...args, "-o", "json")) as T;
}

async function rolloutStatus(what: string): Promise<void> {
  const r = await s.kubectl(["rollout", "status", what, "--timeout=150s"], { timeoutMs: 160_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/**
 * A container that prints its VERSION, becomes ready (the probe finds /tmp/ready) about a second
 * after it starts, and exits on SIGTERM (after `stopSeconds`, a slow shutdown).
 */
const slowReadyContainer = (env: Record<string, string> = {}, stopSeconds = 0) => ({
  name: "c",
  image: TEST_IMAGE,
  imagePullPolicy: "Never",
  command: ["sh", "-c", `trap "sleep ${stopSeconds}; exit 0" TERM; echo "version=$VERSION"; sleep 1; touch /tmp/ready; while true; do sleep 1; done`],
  env: Object.entries(env).map(([name, value]) => ({ name, value })),
  // Generous timeout and failure threshold: a ready pod must not flap when docker exec is slow under load.
  readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 5 },
});

// The CronJob runs first and is checked again last, so its next minute passes while the other tests run.
let firstMinute = 0;

test("a */1 CronJob starts the Job of its latest missed minute: <name>-<minutes> with the scheduled-timestamp annotation, LAST SCHEDULE in kubectl get", async () => {
  // The controller counts schedules from status.lastScheduleTime (else the creation time), as
  // upstream: a CronJob whose last run was two minutes ago has missed at least one minute, so
  // its latest missed schedule runs now rather than at the next minute boundary.
  await apply({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "tick" },
    spec: {
      schedule: "*/1 * * * *",
      timeZone: "UTC",
      suspend: true,
      jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["echo", "tick"] }] } } } },
    },
  });
  const lastRun = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
  await s.k("patch", "cronjob", "tick", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { lastScheduleTime: lastRun.toISOString().replace(".000Z", "Z") } }));
  await s.k("patch", "cronjob", "tick", "--type=merge", "-p", '{"spec":{"suspend":false}}');

  let names: string[] = [];
  await until("the CronJob starts a Job", async () => (names = (await s.k("get", "jobs", "-o", "jsonpath={.items[*].metadata.name}")).split(" ").filter(Boolean)).length > 0);
  // The earliest (should a minute turn while this runs, the next one's Job may be there too).
  const minutes = Math.min(...names.map((n) => Number(/^tick-(\d+)$/.exec(n)?.[1])));
  const jobName = `tick-${minutes}`;
  expect(minutes * 60_000).toBeGreaterThan(lastRun.getTime());
  expect(minutes * 60_000).toBeLessThanOrEqual(Date.now());
  const scheduled = new Date(minutes * 60_000).toISOString().replace(".000Z", "Z");
  const job = await getJson<{ metadata: { annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> } }>("job", jobName);
  expect(job.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe(scheduled);
  expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: "CronJob", name: "tick" });
  expect((await s.kubectl(["wait", "--for=condition=complete", `job/${jobName}`, "--timeout=90s"], { timeoutMs: 100_000 })).code).toBe(0);
  expect(await s.k("logs", `job/${jobName}`)).toBe("tick\n");

  await until("the CronJob's status records the run", async () => {
    const [last, success] = (await s.k("get", "cronjob", "tick", "-o", "jsonpath={.status.lastScheduleTime} {.status.lastSuccessfulTime}")).split(" ");
    return Date.parse(last!) >= Date.parse(scheduled) && !!success;
  });
  const table = await s.k("get", "cronjob", "tick");
  expect(table).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
  // LAST SCHEDULE is how long ago the scheduled time was: under three minutes here.
  expect(table).toMatch(/\ntick\s+\*\/1 \* \* \* \*\s+UTC\s+False\s+[01]\s+(\d+s|[12]m\d*s?)\s+\S+\n$/);
  firstMinute = minutes;
});

test("a Deployment rolls out on real pods, scales, rolls to a new image within maxSurge/maxUnavailable, and rolls back", async () => {
  const replicas = 4;
  const deployment = (version: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "roll" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "roll" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: "roll" } }, spec: { terminationGracePeriodSeconds: 2, containers: [slowReadyContainer({ VERSION: version })] } },
    },
  });
  await apply(deployment("1"));
  await rolloutStatus("deployment/roll");
  const pods = async () => (await getJson<{ items: V1Pod[] }>("pods", "-l", "app=roll")).items.filter(podActive);
  expect((await pods()).filter(podReady)).toHaveLength(3);
  for (const p of await pods()) expect(p.spec?.nodeName).toBe(s.nodeName);

  await s.k("scale", "deployment/roll", `--replicas=${replicas}`);
  await rolloutStatus("deployment/roll");
  expect((await pods()).filter(podReady)).toHaveLength(replicas);
  const firstHash = (await pods())[0]!.metadata!.labels!["pod-template-hash"];

  // Every state the API goes through during the rollout, as a watch sees it.
  const watch = await watchPods(s.kubeconfig, "default", "app=roll");
  let maxActive = 0;
  let minReady = Infinity;
  watch.onChange((now) => {
    const all = [...now.values()];
    maxActive = Math.max(maxActive, all.filter(podActive).length);
    minReady = Math.min(minReady, all.filter(podReady).length);
  });
  await s.k("set", "image", "deployment/roll", `c=${IMAGE_2}`);
  await rolloutStatus("deployment/roll");
  await watch.until("the new pods are all ready and the old ones gone", (now) => {
    const all = [...now.values()];
    return all.length === replicas && all.every((p) => podReady(p) && p.metadata?.labels?.["pod-template-hash"] !== firstHash);
  });
  watch.close();
  expect(maxActive).toBeLessThanOrEqual(replicas + 1);
  expect(minReady).toBeGreaterThanOrEqual(replicas - 1);
  // The watch saw a rolling update, not everything at once: the new pods came up in steps.
  expect(watch.firstSeen.size).toBeGreaterThanOrEqual(2 * replicas);

  const now = await pods();
  expect(now.map((p) => p.status?.containerStatuses?.[0]?.image)).toEqual(Array(replicas).fill(IMAGE_2));
  expect(await s.k("logs", now[0]!.metadata!.name!)).toBe("version=1\n");
  const history = await s.k("rollout", "history", "deployment/roll");
  expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);

  await s.k("rollout", "undo", "deployment/roll");
  await rolloutStatus("deployment/roll");
  await until("only first-template pods remain", async () => {
    const all = await pods();
    return all.length === replicas && all.every((p) => podReady(p) && p.metadata?.labels?.["pod-template-hash"] === firstHash);
  });
  const back = await getJson<V1Deployment>("deployment", "roll");
  expect(back.spec?.template.spec?.containers[0]?.image).toBe(TEST_IMAGE);
  expect((await pods()).map((p) => p.status?.containerStatuses?.[0]?.image)).toEqual(Array(replicas).fill(TEST_IMAGE));
  expect(back.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  expect(await s.k("rollout", "history", "deployment/roll")).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
  await s.k("delete", "deployment", "roll");
});

test("a StatefulSet creates web-0, web-1, web-2 in order, each after the previous is Running and Ready, updates them from web-2 down, and scales down in reverse, one terminated pod at a time", async () => {
  const watch = await watchPods(s.kubeconfig, "default", "app=web");
  await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ port: 80 }] } });
  await apply({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web" },
    spec: {
      serviceName: "web",
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { terminationGracePeriodSeconds: 10, containers: [slowReadyContainer({}, 1)] } },
    },
  });
  await watch.until("web-0..2 are all ready", (now) => ["web-0", "web-1", "web-2"].every((n) => now.get(n) && podReady(now.get(n)!)));
  watch.close();
  for (const [prev, next] of [
    ["web-0", "web-1"],
    ["web-1", "web-2"],
  ] as const) {
    expect(watch.firstReady.get(prev)!).toBeLessThan(watch.firstSeen.get(next)!);
  }
  expect([...watch.pods.values()].map((p) => p.spec?.nodeName)).toEqual([s.nodeName, s.nodeName, s.nodeName]);
  expect((await s.k("exec", "web-1", "--", "hostname")).trim()).toBe("web-1");
  await rolloutStatus("statefulset/web");

  // A rolling update replaces the pods from the highest ordinal down, each once the one above it
  // runs the new revision and is ready.
  const oldRevision = watch.pods.get("web-0")!.metadata!.labels!["controller-revision-hash"];
  const update = await watchPods(s.kubeconfig, "default", "app=web");
  const updatedOrder: string[] = [];
  let outOfOrder = "";
  const isNew = (p: V1Pod | undefined) => !!p && p.metadata?.labels?.["controller-revision-hash"] !== oldRevision;
  update.onChange((now) => {
    for (const [name, p] of now) {
      if (!isNew(p) || updatedOrder.includes(name)) continue;
      updatedOrder.push(name);
      const ordinal = Number(name.slice("web-".length));
      for (let above = ordinal + 1; above < 3; above++) {
        const q = now.get(`web-${above}`);
        if (!isNew(q) || !podReady(q!)) outOfOrder ||= `${name} was updated before web-${above} ran the new revision ready`;
      }
    }
  });
  await s.k("set", "image", "statefulset/web", `c=${IMAGE_2}`);
  await rolloutStatus("statefulset/web");
  await update.until("all three run the new revision, ready", (now) => ["web-0", "web-1", "web-2"].every((n) => isNew(now.get(n)) && podReady(now.get(n)!)));
  update.close();
  expect(outOfOrder).toBe("");
  expect(updatedOrder).toEqual(["web-2", "web-1", "web-0"]);

  // OrderedReady scale-down: web-1 is not asked to stop until web-2 has finished terminating.
  const down = await watchPods(s.kubeconfig, "default", "app=web");
  await s.k("scale", "statefulset/web", "--replicas=1");
  await down.until("only web-0 is left", (now) => now.size === 1 && now.has("web-0"));
  down.close();
  expect(down.firstTerminating.get("web-2")!).toBeLessThan(down.deleted.get("web-2")!);
  expect(down.deleted.get("web-2")!).toBeLessThan(down.firstTerminating.get("web-1")!);
  await s.k("delete", "statefulset", "web");
});

test("a Recreate Deployment starts new pods only once every old pod has terminated", async () => {
  const deployment = (version: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "recreate" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "recreate" } },
      strategy: { type: "Recreate" },
      template: { metadata: { labels: { app: "recreate" } }, spec: { terminationGracePeriodSeconds: 10, containers: [slowReadyContainer({ VERSION: version }, 2)] } },
    },
  });
  await apply(deployment("1"));
  await rolloutStatus("deployment/recreate");
  const watch = await watchPods(s.kubeconfig, "default", "app=recreate");
  const oldNames = new Set(watch.pods.keys());
  expect(oldNames.size).toBe(2);
  let overlap = "";
  watch.onChange((now) => {
    const all = [...now.values()];
    const stillRunning = all.filter((p) => oldNames.has(p.metadata!.name!) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    const fresh = all.filter((p) => !oldNames.has(p.metadata!.name!));
    if (fresh.length > 0 && stillRunning.length > 0) overlap ||= `${fresh[0]!.metadata!.name} appeared while ${stillRunning[0]!.metadata!.name} was ${stillRunning[0]!.status?.phase}`;
  });
  await apply(deployment("2"));
  await rolloutStatus("deployment/recreate");
  await watch.until("two new pods are ready", (now) => [...now.values()].filter((p) => !oldNames.has(p.metadata!.name!) && podReady(p)).length === 2);
  watch.close();
  expect(overlap).toBe("");
  // The old pods took their slow shutdown: both were seen terminating before the new ones appeared.
  for (const name of oldNames) expect(watch.firstTerminating.has(name)).toBe(true);
  await s.k("delete", "deployment", "recreate");
});

test("an unschedulable pod says why in a FailedScheduling event, and runs once a deleted pod frees the CPU it needs", async () => {
  const node = await getJson<V1Node>("node", s.nodeName!);
  const millis = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
  // Each asks for over half the node's CPU: two cannot share it.
  const share = `${Math.floor((millis(node.status!.allocatable!.cpu!) * 3) / 5)}m`;
  const pod = (name: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", 'trap "exit 0" TERM; while true; do sleep 1; done'], resources: { requests: { cpu: share } } }],
    },
  });
  await apply(pod("hog"));
  expect((await s.kubectl(["wait", "--for=condition=Ready", "pod/hog", "--timeout=90s"], { timeoutMs: 100_000 })).code).toBe(0);
  await apply(pod("big"));
  const events = async () => (await getJson<{ items: Array<{ reason?: string; message?: string; type?: string }> }>("events", "--field-selector", "involvedObject.name=big")).items;
  await until("big has a FailedScheduling event", async () => (await events()).some((e) => e.reason === "FailedScheduling"));
  expect((await events()).find((e) => e.reason === "FailedScheduling")).toMatchObject({
    type: "Warning",
    message: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  });
  const pending = await getJson<V1Pod>("pod", "big");
  expect(pending.status?.phase).toBe("Pending");
  expect(pending.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable" });

  await s.k("delete", "pod", "hog", "--wait=false");
  expect((await s.kubectl(["wait", "--for=condition=Ready", "pod/big", "--timeout=90s"], { timeoutMs: 100_000 })).code).toBe(0);
  expect((await events()).find((e) => e.reason === "Scheduled")?.message).toBe(`Successfully assigned default/big to ${s.nodeName}`);
  await s.k("delete", "pod", "big", "--wait=false");
});

test("a DaemonSet lands on a tainted node joining later when it tolerates the taint, one that does not stays off it; a surge update goes node by node", async () => {
  const daemonSet = (name: string, tolerations: object[]) => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name },
    spec: {
      selector: { matchLabels: { ds: name } },
      template: { metadata: { labels: { ds: name } }, spec: { terminationGracePeriodSeconds: 1, tolerations, containers: [slowReadyContainer()] } },
    },
  });
  await apply(daemonSet("tolerant", [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }]));
  await apply(daemonSet("plain", []));
  await rolloutStatus("daemonset/tolerant");
  await rolloutStatus("daemonset/plain");

  tainted = startTestAgent(s.url, s.token(), { args: ["--node-taint", "dedicated=infra:NoSchedule"] });
  await tainted.ready;
  expect((await s.kubectl(["wait", "--for=condition=Ready", `node/${tainted.nodeName}`, "--timeout=60s"], { timeoutMs: 70_000 })).code).toBe(0);
  const placed = async (ds: string) =>
    (await getJson<{ items: V1Pod[] }>("pods", "-l", `ds=${ds}`)).items
      .filter(podReady)
      .map((p) => p.spec?.nodeName)
      .sort();
  const both = [s.nodeName, tainted.nodeName].sort();
  await until("tolerant runs a ready pod on both nodes", async () => JSON.stringify(await placed("tolerant")) === JSON.stringify(both));
  await rolloutStatus("daemonset/tolerant");
  expect(await s.k("get", "daemonset", "tolerant", "-o", "jsonpath={.status.desiredNumberScheduled} {.status.numberReady}")).toBe("2 2");
  expect(await placed("plain")).toEqual([s.nodeName]);
  expect(await s.k("get", "daemonset", "plain", "-o", "jsonpath={.status.desiredNumberScheduled} {.status.numberReady} {.status.numberMisscheduled}")).toBe("1 1 0");

  // A surge update (maxSurge 1, maxUnavailable 0): one node at a time gets a second pod, and no
  // node is without a ready pod until the new one is ready.
  const watch = await watchPods(s.kubeconfig, "default", "ds=tolerant");
  const oldNames = new Set(watch.pods.keys());
  let maxSurged = 0;
  let bare = "";
  watch.onChange((now) => {
    const perNode = (node: string) => [...now.values()].filter((p) => p.spec?.nodeName === node);
    maxSurged = Math.max(maxSurged, both.filter((n) => perNode(n!).filter(podActive).length > 1).length);
    for (const n of both) if (!perNode(n!).some(podReady)) bare ||= `${n} had no ready pod`;
  });
  await s.k("patch", "daemonset", "tolerant", "--type=merge", "-p", JSON.stringify({ spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: { metadata: { annotations: { rev: "2" } } } } }));
  await rolloutStatus("daemonset/tolerant");
  await watch.until("each node runs one new ready pod", (now) => {
    const all = [...now.values()];
    return all.length === 2 && all.every((p) => podReady(p) && !oldNames.has(p.metadata!.name!));
  });
  watch.close();
  expect(bare).toBe("");
  expect(maxSurged).toBe(1);
  await s.k("delete", "daemonset", "tolerant", "plain");
});

test("the */1 CronJob starts the next minute's Job by itself", async () => {
  expect(firstMinute).toBeGreaterThan(0);
  const next = `tick-${firstMinute + 1}`;
  await until(`${next} exists`, async () => (await s.kubectl(["get", "job", next])).code === 0, 120_000);
  const scheduled = new Date((firstMinute + 1) * 60_000).toISOString().replace(".000Z", "Z");
  expect(await s.k("get", "job", next, "-o", "jsonpath={.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}")).toBe(scheduled);
  await until("the CronJob's status moves on", async () => Date.parse(await s.k("get", "cronjob", "tick", "-o", "jsonpath={.status.lastScheduleTime}")) >= Date.parse(scheduled));
  // The first minute's Job is kept (successfulJobsHistoryLimit 3).
  expect((await s.k("get", "jobs", "-o", "jsonpath={.items[*].metadata.name}")).split(" ")).toContain(`tick-${firstMinute}`);
  await s.k("delete", "cronjob", "tick");
});
