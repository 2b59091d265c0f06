/**
 * Jobs and Services on a real node: `kts server` with its embedded agent running pods on this
 * machine's Docker Engine. A Job completes (`kubectl wait --for=condition=complete`), a Job whose
 * container exits 3 stops at its backoffLimit, and a Service's Endpoints and EndpointSlice list
 * the IPs of its running, ready pods. An Indexed Job's containers read $JOB_COMPLETION_INDEX, a
 * podFailurePolicy FailJob rule matches a real exit code (and Ignore a pod evicted by `kubectl
 * drain`), and a real readinessProbe moves a pod
 * between not-ready and ready addresses (and terminating in its slice while it shuts down).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { V1Endpoints, V1EndpointSlice, V1Pod } from "@kubernetes/client-node";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../testing/docker.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(120_000);

let s: TestServer;
beforeAll(async () => {
  await ensureTestImage();
  s = await startTestServer([], { agent: true });
  // The node registers a moment after the server is up.
  const deadline = Date.now() + 60_000;
  while ((await s.kubectl(["get", "node", s.nodeName!])).code !== 0 && Date.now() < deadline) await Bun.sleep(200);
  expect((await s.kubectl(["wait", "--for=condition=Ready", `node/${s.nodeName}`, "--timeout=60s"], { timeoutMs: 70_000 })).code).toBe(0);
});
afterAll(async () => {
  await s?.stop();
  await removeTestContainers();
});

async function apply(obj: object): Promise<void> {
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(obj) });
  expect(r.stderr).toBe("");
}

const job = (name: string, command: string[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name },
  spec: { ...extra, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command }] } } },
});

test("a Job runs to completion on the node", async () => {
  await apply(job("hello", ["sh", "-c", "echo hello from a job"], { completions: 2, parallelism: 2 }));
  const r = await s.kubectl(["wait", "--for=condition=complete", "job/hello", "--timeout=90s"], { timeoutMs: 100_000 });
  expect(r.stdout).toBe("job.batch/hello condition met\n");
  expect(await s.k("get", "job", "hello", "-o", "jsonpath={.status.succeeded} {.status.uncountedTerminatedPods}")).toBe("2 {}");
  const podName = (await s.k("get", "pods", "-l", "batch.kubernetes.io/job-name=hello", "-o", "jsonpath={.items[0].metadata.name}")).trim();
  expect(await s.k("logs", podName)).toBe("hello from a job\n");
});

test("a Job with a failing pod respects backoffLimit: backoffLimit+1 pods fail with the container's exit code, then the Job fails", async () => {
  await apply(job("broken", ["sh", "-c", "exit 3"], { backoffLimit: 1 }));
  const r = await s.kubectl(["wait", "--for=condition=failed", "job/broken", "--timeout=90s"], { timeoutMs: 100_000 });
  expect(r.stdout).toBe("job.batch/broken condition met\n");
  expect(await s.k("get", "job", "broken", "-o", 'jsonpath={.status.failed} {.status.conditions[?(@.type=="Failed")].reason}')).toBe("2 BackoffLimitExceeded");
  const pods = (JSON.parse(await s.k("get", "pods", "-l", "batch.kubernetes.io/job-name=broken", "-o", "json")) as { items: V1Pod[] }).items;
  expect(pods).toHaveLength(2);
  for (const p of pods) {
    expect(p.status?.phase).toBe("Failed");
    expect(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
    expect(p.metadata?.finalizers ?? []).not.toContain("batch.kubernetes.io/job-tracking");
  }
});

test("a Service's Endpoints and EndpointSlice list its running pods' IPs", async () => {
  await apply({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["httpd", "-f", "-p", "8080"], ports: [{ name: "http", containerPort: 8080 }] }] } },
    },
  });
  await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
  expect((await s.kubectl(["rollout", "status", "deployment/web", "--timeout=90s"], { timeoutMs: 100_000 })).code).toBe(0);
  const podIPs = (await s.k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.podIP}")).split(" ").filter(Boolean).sort();
  expect(podIPs).toHaveLength(2);
  const deadline = Date.now() + 30_000;
  let ep: V1Endpoints | undefined;
  while (Date.now() < deadline) {
    ep = JSON.parse(await s.k("get", "endpoints", "web", "-o", "json")) as V1Endpoints;
    if ((ep.subsets?.[0]?.addresses ?? []).length === 2) break;
    await Bun.sleep(200);
  }
  expect(ep?.subsets?.[0]?.addresses?.map((x) => x.ip).sort()).toEqual(podIPs);
  expect(ep?.subsets?.[0]?.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
  const slices = (JSON.parse(await s.k("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "json")) as { items: V1EndpointSlice[] }).items;
  expect(slices.flatMap((sl) => (sl.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.addresses[0])).sort()).toEqual(podIPs);
  expect(await s.k("get", "endpoints", "web")).toMatch(/\nweb\s+\S+:8080,\S+:8080\s+/);
});

test("an Indexed Job's containers read their index from $JOB_COMPLETION_INDEX", async () => {
  await apply(job("indexed", ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX"], { completions: 3, parallelism: 3, completionMode: "Indexed" }));
  expect((await s.kubectl(["wait", "--for=condition=complete", "job/indexed", "--timeout=90s"], { timeoutMs: 100_000 })).code).toBe(0);
  expect(await s.k("get", "job", "indexed", "-o", "jsonpath={.status.completedIndexes}")).toBe("0-2");
  const pods = (JSON.parse(await s.k("get", "pods", "-l", "batch.kubernetes.io/job-name=indexed", "-o", "json")) as { items: V1Pod[] }).items;
  expect(pods).toHaveLength(3);
  for (const p of pods) {
    const index = p.metadata?.labels?.["batch.kubernetes.io/job-completion-index"];
    expect(await s.k("logs", p.metadata!.name!)).toBe(`index=${index}\n`);
  }
});

test("a podFailurePolicy FailJob rule fails the Job on the container's real exit code, without retries", async () => {
  await apply(
    job("policy", ["sh", "-c", "exit 42"], {
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { containerName: "c", operator: "In", values: [42] } }] },
    }),
  );
  expect((await s.kubectl(["wait", "--for=condition=failed", "job/policy", "--timeout=90s"], { timeoutMs: 100_000 })).code).toBe(0);
  const pod = (await s.k("get", "pods", "-l", "batch.kubernetes.io/job-name=policy", "-o", "jsonpath={.items[*].metadata.name}")).trim();
  expect(pod.split(" ")).toHaveLength(1);
  expect(await s.k("get", "job", "policy", "-o", 'jsonpath={.status.failed} {.status.conditions[?(@.type=="Failed")].reason}: {.status.conditions[?(@.type=="Failed")].message}')).toBe(
    `1 PodFailurePolicy: Container c for pod default/${pod} failed with exit code 42 matching FailJob rule at index 0`,
  );
});

test("Endpoints and the EndpointSlice follow a real readinessProbe; a terminating pod is serving and terminating, not ready", async () => {
  await apply({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "probed", labels: { app: "probed" } },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: "c",
          image: TEST_IMAGE,
          imagePullPolicy: "Never",
          // A slow shutdown: the pod stays terminating (and its probe passing) for a few seconds.
          command: ["sh", "-c", 'trap "sleep 4; exit 0" TERM; while true; do sleep 1; done'],
          ports: [{ name: "http", containerPort: 8080 }],
          readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 5 },
        },
      ],
    },
  });
  await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "probed" }, spec: { selector: { app: "probed" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
  const endpoints = async () => (JSON.parse(await s.k("get", "endpoints", "probed", "-o", "json")) as V1Endpoints).subsets?.[0];
  const conditions = async () => {
    const slices = (JSON.parse(await s.k("get", "endpointslices", "-l", "kubernetes.io/service-name=probed", "-o", "json")) as { items: V1EndpointSlice[] }).items;
    return slices.flatMap((sl) => sl.endpoints ?? [])[0]?.conditions;
  };
  const poll = async (what: string, fn: () => Promise<boolean>) => {
    const deadline = Date.now() + 60_000;
    while (!(await fn())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await Bun.sleep(200);
    }
  };

  await poll("the running, unready pod is a not-ready address", async () => (await endpoints())?.notReadyAddresses?.length === 1);
  const ip = await s.k("get", "pod", "probed", "-o", "jsonpath={.status.podIP}");
  expect((await endpoints())?.notReadyAddresses?.[0]?.ip).toBe(ip);
  expect(await conditions()).toEqual({ ready: false, serving: false, terminating: false });

  await s.k("exec", "probed", "--", "touch", "/tmp/ready");
  await poll("the ready pod is an address", async () => (await endpoints())?.addresses?.length === 1);
  expect((await endpoints())?.addresses?.[0]?.ip).toBe(ip);
  await poll("the slice says ready", async () => (await conditions())?.ready === true);
  expect(await conditions()).toEqual({ ready: true, serving: true, terminating: false });

  await s.k("delete", "pod", "probed", "--wait=false");
  await poll("the slice says terminating", async () => (await conditions())?.terminating === true);
  expect(await conditions()).toEqual({ ready: false, serving: true, terminating: true });
  expect((await endpoints())?.addresses ?? []).toEqual([]);
});

test("a podFailurePolicy Ignore rule does not count a pod evicted by `kubectl drain` (DisruptionTarget) against backoffLimit 0", async () => {
  await apply(
    job("drained", ["sh", "-c", 'trap "exit 1" TERM; while true; do sleep 1; done'], {
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] },
    }),
  );
  const jobPods = async () => (JSON.parse(await s.k("get", "pods", "-l", "batch.kubernetes.io/job-name=drained", "-o", "json")) as { items: V1Pod[] }).items;
  const poll = async (what: string, fn: () => Promise<boolean>) => {
    const deadline = Date.now() + 90_000;
    while (!(await fn())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await Bun.sleep(200);
    }
  };
  await poll("the Job's pod runs", async () => (await jobPods()).some((p) => p.status?.phase === "Running"));
  const first = (await jobPods())[0]!;
  try {
    const r = await s.kubectl(["drain", s.nodeName!, "--pod-selector", "batch.kubernetes.io/job-name=drained", "--timeout=90s"], { timeoutMs: 100_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`pod/${first.metadata!.name} evicted`);
  } finally {
    await s.k("uncordon", s.nodeName!);
  }
  // The replacement waits out the pod-failure backoff (10 s): ignored failures still count for the delay, as upstream.
  await poll("a replacement pod runs", async () => (await jobPods()).some((p) => p.metadata?.uid !== first.metadata?.uid && p.status?.phase === "Running"));
  const status = JSON.parse(await s.k("get", "job", "drained", "-o", "jsonpath={.status}")) as { failed?: number; active?: number; conditions?: Array<{ type: string }> };
  expect(status.failed ?? 0).toBe(0);
  expect(status.active).toBe(1);
  expect((status.conditions ?? []).map((c) => c.type)).not.toContain("Failed");
  await s.k("delete", "job", "drained", "--wait=false");
});
