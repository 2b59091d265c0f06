/**
 * Real kubectl 1.32 against a real `kts server --disable-agent` with the Job controller running:
 * `kubectl create job`, `kubectl wait --for=condition=complete`, the Job table, `kubectl create
 * job --from=cronjob/...`, and a failing Job stopped by its backoffLimit. The test plays the
 * kubelet: it reports each Job pod finished (exit 0 for app=ok, exit 1 otherwise).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { apiClient } from "../../testing/api-client.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

let s: TestServer;
let stopKubelet: () => Promise<void>;

/** Finishes every Job pod: Succeeded when its Job is named ok-*, Failed (exit 1) otherwise. */
function jobKubelet(kubeconfig: string): () => Promise<void> {
  const api = apiClient(kubeconfig);
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const list = await api.get<{ items: Array<KubeObject & { status?: { phase?: string } }> }>("/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io/job-name");
        for (const pod of list.items) {
          if (pod.metadata?.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
          const ok = (pod.metadata?.labels?.["batch.kubernetes.io/job-name"] ?? "").startsWith("ok");
          const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
          const terminated = { exitCode: ok ? 0 : 1, reason: ok ? "Completed" : "Error", startedAt: now, finishedAt: now };
          const status = {
            phase: ok ? "Succeeded" : "Failed",
            conditions: [{ type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: now }],
            containerStatuses: [{ name: "c", image: "busybox:1", imageID: "", ready: false, restartCount: 0, state: { terminated } }],
          };
          await api.request(`/api/v1/namespaces/default/pods/${pod.metadata!.name}/status`, { method: "PUT", body: { ...pod, status } });
        }
      } catch {
        // The server may be stopping; try again.
      }
      await Bun.sleep(100);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

beforeAll(async () => {
  s = await startTestServer();
  stopKubelet = jobKubelet(s.kubeconfig);
});
afterAll(async () => {
  await stopKubelet();
  expect(await s.stop()).toBe(0);
});

test("kubectl create job, wait --for=condition=complete, the Job table and its events", async () => {
  expect(await s.k("create", "job", "ok-hello", "--image=busybox:1", "--", "true")).toBe("job.batch/ok-hello created\n");
  const r = await s.kubectl(["wait", "--for=condition=complete", "job/ok-hello", "--timeout=60s"], { timeoutMs: 70_000 });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("job.batch/ok-hello condition met\n");
  expect(await s.k("get", "job", "ok-hello")).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nok-hello\s+Complete\s+1\/1\s+\S+\s+\S+\n$/);
  expect(await s.k("get", "job", "ok-hello", "-o", "jsonpath={.status.succeeded} {.status.conditions[*].type}")).toBe("1 SuccessCriteriaMet Complete");
  const describe = await s.k("describe", "job", "ok-hello");
  expect(describe).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: ok-hello-\w+/);
  expect(describe).toMatch(/Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
}, 90_000);

test("a Job from a CronJob's template, and a failing Job that stops at its backoffLimit", async () => {
  expect(await s.k("create", "cronjob", "nightly", "--image=busybox:1", "--schedule=@daily", "--", "true")).toBe("cronjob.batch/nightly created\n");
  expect(await s.k("create", "job", "ok-manual", "--from=cronjob/nightly")).toBe("job.batch/ok-manual created\n");
  expect((await s.kubectl(["wait", "--for=condition=complete", "job/ok-manual", "--timeout=60s"], { timeoutMs: 70_000 })).code).toBe(0);
  expect(await s.k("get", "job", "ok-manual", "-o", "jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}")).toBe("manual");

  const r = await s.kubectl(["apply", "-f", "-"], {
    stdin: JSON.stringify({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "bad" }, spec: { backoffLimit: 1, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1", command: ["false"] }] } } } }),
  });
  expect(r.code).toBe(0);
  const failed = await s.kubectl(["wait", "--for=condition=failed", "job/bad", "--timeout=90s"], { timeoutMs: 100_000 });
  expect(failed.stdout).toBe("job.batch/bad condition met\n");
  expect(await s.k("get", "job", "bad", "-o", "jsonpath={.status.failed} {.status.conditions[?(@.type==\"Failed\")].reason}")).toBe("2 BackoffLimitExceeded");
  expect(await s.k("get", "job", "bad")).toMatch(/\nbad\s+Failed\s+0\/1\s+/);
}, 120_000);

test("ttlSecondsAfterFinished: a finished Job is deleted with its pods", async () => {
  const r = await s.kubectl(["apply", "-f", "-"], {
    stdin: JSON.stringify({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "ok-short-lived" }, spec: { ttlSecondsAfterFinished: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1" }] } } } }),
  });
  expect(r.code).toBe(0);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const left = await s.k("get", "jobs,pods", "-l", "batch.kubernetes.io/job-name=ok-short-lived", "-o", "name", "--ignore-not-found");
    const job = await s.kubectl(["get", "job", "ok-short-lived", "-o", "name"]);
    if (job.code !== 0 && left.trim() === "") return;
    await Bun.sleep(200);
  }
  throw new Error("the Job was not cleaned up after it finished");
}, 90_000);
