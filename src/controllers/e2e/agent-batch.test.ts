/**
 * Jobs and Services on a real node: `kts server` with its embedded agent running pods on this
 * machine's Docker Engine. A Job completes (`kubectl wait --for=condition=complete`), a Job whose
 * container exits 3 stops at its backoffLimit, and a Service's Endpoints and EndpointSlice list
 * the IPs of its running, ready pods.
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
