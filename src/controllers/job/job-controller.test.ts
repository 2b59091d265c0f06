import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { until } from "../testing.ts";
import { harnessWith, podSpec, setPodStatus, type Harness } from "../common/harness.ts";
import { JOBS, PODS, type Job, type Pod } from "../common/types.ts";
import { COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from "./job-pods.ts";
import { JobController } from "./job-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function setup(): Promise<Harness> {
  return (h = await harnessWith("ns", (ctx) => [new JobController(ctx, { syncBatchMs: 5, podFailureBackoffMs: 20, maxPodFailureBackoffMs: 100 })]));
}

async function createJob(spec: Record<string, unknown>, name = "work"): Promise<Job> {
  return (await h.client.create(JOBS, "ns", { apiVersion: "batch/v1", kind: "Job", metadata: { name }, spec: { template: { spec: podSpec() }, ...spec } })) as Job;
}

async function job(name = "work"): Promise<Job> {
  return (await h.client.get(JOBS, "ns", name)) as Job;
}

async function podsOf(name = "work"): Promise<Pod[]> {
  const list = await h.client.list(PODS, "ns", { labelSelector: `batch.kubernetes.io/job-name=${name}` });
  return list.items as Pod[];
}

function conditionTypes(j: Job): string[] {
  return (j.status?.conditions ?? []).filter((c) => c.status === "True").map((c) => c.type);
}

/** Plays the kubelet: each pod that is neither finished nor deleting gets `phase` (a decision per pod). */
async function finishPods(decide: (pod: Pod) => { phase: string; exitCode?: number; conditions?: Array<{ type: string; status: string }> } | undefined, name = "work"): Promise<number> {
  let n = 0;
  for (const pod of await podsOf(name)) {
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    const d = decide(pod);
    if (!d) continue;
    await setPodStatus(h.client, pod as KubeObject, d.phase, { exitCode: d.exitCode, conditions: d.conditions });
    n++;
  }
  return n;
}

test("a Job runs its completions one pod at a time and completes (SuccessCriteriaMet, then Complete)", async () => {
  await setup();
  await createJob({ completions: 2, parallelism: 1 });
  await until("the first pod exists", async () => (await podsOf()).length === 1);
  const [first] = await podsOf();
  expect(first!.metadata?.finalizers).toContain(JOB_TRACKING_FINALIZER);
  expect(first!.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Job", name: "work", controller: true, blockOwnerDeletion: true });
  expect(first!.metadata?.generateName).toBe("work-");
  await until("the Job reports one active pod", async () => (await job()).status?.active === 1);
  await setPodStatus(h.client, first as KubeObject, "Succeeded");
  await until("a second pod replaces the first", async () => (await podsOf()).length === 2);
  await finishPods(() => ({ phase: "Succeeded" }));
  await until("the Job is complete", async () => conditionTypes(await job()).includes("Complete"), 10_000);
  const done = await job();
  expect(conditionTypes(done)).toEqual(["SuccessCriteriaMet", "Complete"]);
  expect(done.status?.conditions?.find((c) => c.type === "Complete")).toMatchObject({ reason: "CompletionsReached", message: "Reached expected number of succeeded pods" });
  expect(done.status).toMatchObject({ succeeded: 2, active: 0, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
  expect(done.status?.startTime).toBeString();
  expect(done.status?.completionTime).toBeString();
  await until("finalizers are gone", async () => (await podsOf()).every((p) => !(p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)));
  await until("the completion event", async () => (await h.events("work")).includes("Normal Completed Job completed"));
  expect((await h.events("work")).filter((e) => e.startsWith("Normal SuccessfulCreate Created pod: work-")).length).toBe(2);
});

test("a Job with a failing pod respects backoffLimit: backoffLimit+1 failures, then Failed with BackoffLimitExceeded", async () => {
  await setup();
  await createJob({ backoffLimit: 2 });
  const deadline = Date.now() + 15_000;
  while (!conditionTypes(await job()).includes("Failed")) {
    if (Date.now() > deadline) throw new Error(`the Job never failed: ${JSON.stringify((await job()).status)}`);
    await finishPods(() => ({ phase: "Failed", exitCode: 1 }));
    await Bun.sleep(10);
  }
  const failed = await job();
  expect(conditionTypes(failed)).toEqual(["FailureTarget", "Failed"]);
  expect(failed.status?.conditions?.find((c) => c.type === "Failed")).toMatchObject({ reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
  expect(failed.status).toMatchObject({ failed: 3, active: 0 });
  expect(failed.status?.succeeded ?? 0).toBe(0);
  expect((await podsOf()).length).toBe(3);
  await until("the failure event", async () => (await h.events("work")).includes("Warning BackoffLimitExceeded Job has reached the specified backoff limit"));
});

test("Indexed Jobs: one pod per index with the index annotation, label, hostname and JOB_COMPLETION_INDEX; completedIndexes", async () => {
  await setup();
  await createJob({ completions: 3, parallelism: 3, completionMode: "Indexed" });
  await until("three pods", async () => (await podsOf()).length === 3);
  const pods = (await podsOf()).sort((a, b) => a.metadata!.annotations![COMPLETION_INDEX]!.localeCompare(b.metadata!.annotations![COMPLETION_INDEX]!));
  pods.forEach((p, i) => {
    expect(p.metadata?.annotations?.[COMPLETION_INDEX]).toBe(String(i));
    expect(p.metadata?.labels?.[COMPLETION_INDEX]).toBe(String(i));
    expect(p.metadata?.generateName).toBe(`work-${i}-`);
    expect(p.spec?.hostname).toBe(`work-${i}`);
    expect(p.spec?.containers[0]?.env).toContainEqual({ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } });
  });
  // Index 1 fails once and is recreated; 0 and 2 succeed.
  await finishPods((p) => ({ phase: p.metadata?.annotations?.[COMPLETION_INDEX] === "1" ? "Failed" : "Succeeded" }));
  await until("completedIndexes 0,2", async () => (await job()).status?.completedIndexes === "0,2");
  await until("index 1 runs again", async () => (await podsOf()).filter((p) => p.metadata?.annotations?.[COMPLETION_INDEX] === "1").length === 2);
  await finishPods(() => ({ phase: "Succeeded" }));
  await until("the Job is complete", async () => conditionTypes(await job()).includes("Complete"), 10_000);
  expect((await job()).status).toMatchObject({ completedIndexes: "0-2", succeeded: 3, failed: 1 });
});

test("podFailurePolicy: an Ignore rule does not count a disrupted pod, a FailJob rule fails the Job at once", async () => {
  await setup();
  await createJob({
    backoffLimit: 6,
    podFailurePolicy: {
      rules: [
        { action: "FailJob", onExitCodes: { operator: "In", values: [42] } },
        { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] },
      ],
    },
  });
  await until("a pod", async () => (await podsOf()).length === 1);
  await finishPods(() => ({ phase: "Failed", exitCode: 137, conditions: [{ type: "DisruptionTarget", status: "True" }] }));
  await until("a replacement pod", async () => (await podsOf()).length === 2);
  expect((await job()).status?.failed ?? 0).toBe(0);
  await finishPods(() => ({ phase: "Failed", exitCode: 42 }));
  await until("the Job failed", async () => conditionTypes(await job()).includes("Failed"), 10_000);
  const failed = (await job()).status?.conditions?.find((c) => c.type === "Failed");
  expect(failed?.reason).toBe("PodFailurePolicy");
  expect(failed?.message).toMatch(/^Container c for pod ns\/work-\w+ failed with exit code 42 matching FailJob rule at index 0$/);
});

test("suspend: no pods and Suspended=True; resuming starts them and sets Suspended=False", async () => {
  await setup();
  await createJob({ suspend: true, parallelism: 2, completions: 2 });
  await until("Suspended condition", async () => conditionTypes(await job()).includes("Suspended"));
  expect(await podsOf()).toHaveLength(0);
  expect((await job()).status?.startTime).toBeUndefined();
  const j = await job();
  j.spec!.suspend = false;
  await h.client.update(JOBS, "ns", j);
  await until("two pods", async () => (await podsOf()).length === 2);
  await until("resumed", async () => (await job()).status?.conditions?.find((c) => c.type === "Suspended")?.reason === "JobResumed");
  const events = await h.events("work");
  expect(events).toContain("Normal Suspended Job suspended");
  expect(events).toContain("Normal Resumed Job resumed");
});

test("activeDeadlineSeconds: a Job running too long fails with DeadlineExceeded and its pods are deleted", async () => {
  await setup();
  await createJob({ activeDeadlineSeconds: 1 });
  await until("a pod", async () => (await podsOf()).length === 1);
  await finishPods(() => ({ phase: "Running" }));
  await until("the Job failed", async () => conditionTypes(await job()).includes("Failed"), 10_000);
  expect((await job()).status?.conditions?.find((c) => c.type === "Failed")?.reason).toBe("DeadlineExceeded");
  expect((await job()).status?.failed).toBe(1);
});

test("backoffLimitPerIndex: a failing index fails alone, the others complete, the Job fails with FailedIndexes", async () => {
  await setup();
  await createJob({ completions: 2, parallelism: 2, completionMode: "Indexed", backoffLimitPerIndex: 1 });
  const deadline = Date.now() + 15_000;
  while (!conditionTypes(await job()).includes("Failed")) {
    if (Date.now() > deadline) throw new Error(`the Job never failed: ${JSON.stringify((await job()).status)}`);
    await finishPods((p) => ({ phase: p.metadata?.annotations?.[COMPLETION_INDEX] === "0" ? "Failed" : "Succeeded" }));
    await Bun.sleep(10);
  }
  const status = (await job()).status!;
  expect(status).toMatchObject({ failedIndexes: "0", completedIndexes: "1", failed: 2, succeeded: 1 });
  expect(status.conditions?.find((c) => c.type === "Failed")?.reason).toBe("FailedIndexes");
  const index0 = (await podsOf()).filter((p) => p.metadata?.annotations?.[COMPLETION_INDEX] === "0");
  expect(index0.map((p) => p.metadata?.annotations?.["batch.kubernetes.io/job-index-failure-count"]).sort()).toEqual(["0", "1"]);
});

test("deleting a Job releases its pods' tracking finalizers (they are orphaned, as batch/v1 deletes by default)", async () => {
  await setup();
  await createJob({ parallelism: 2, completions: 2 });
  await until("two pods", async () => (await podsOf()).length === 2);
  await h.client.delete(JOBS, "ns", "work");
  await until("no pod holds the tracking finalizer", async () => (await podsOf()).every((p) => !(p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)));
  expect(await podsOf()).toHaveLength(2);
});
