/**
 * The policy, autoscaling, certificates, admissionregistration and review groups and the core
 * leftovers (componentstatuses, bindings) against a real `kts server` and kubectl 1.32:
 * evictions under a PodDisruptionBudget, `kubectl autoscale` and `get hpa` in both versions,
 * `kubectl certificate approve` on an openssl CSR, `kubectl auth can-i` / `whoami`, TokenReview of
 * the server token, bindings and `kubectl get componentstatuses`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { KubeObject } from "../api/types.ts";
import { serverForFile } from "./fixtures.ts";

const TOKEN = "groups-b-server-token";
const NS = "groups";

// The disruption controller would overwrite the budget statuses the eviction tests set by hand.
const { s, api } = serverForFile(["--token", TOKEN, "--kube-controller-manager-arg", "controllers=*,-disruption"]);
beforeAll(async () => {
  await api.send("POST", "/api/v1/namespaces", { metadata: { name: NS } });
});

const pods = `/api/v1/namespaces/${NS}/pods`;
const pdbs = `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`;

/** A pod labelled app=<app>, Running and Ready as its kubelet would report it. */
async function runningPod(name: string, app: string): Promise<void> {
  await api.send("POST", pods, { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
  const pod = await api.get(`${pods}/${name}`);
  await api.send("PUT", `${pods}/${name}/status`, { ...pod, status: { ...(pod.status as object), phase: "Running", conditions: [{ type: "Ready", status: "True" }] } });
}

/** The budget's status as the disruption controller would write it. */
async function setBudgetStatus(name: string, status: Record<string, unknown>): Promise<void> {
  const pdb = await api.get(`${pdbs}/${name}`);
  await api.send("PUT", `${pdbs}/${name}/status`, { ...pdb, status: { observedGeneration: 1, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, ...status } });
}

const eviction = (name: string) => ({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: NS } });

describe("pods/eviction under a PodDisruptionBudget", () => {
  test("kubectl create pdb; an eviction the budget does not allow is 429, one it allows is 201 and deletes the pod", async () => {
    expect(await s.k("create", "pdb", "db", "-n", NS, "--selector=app=db", "--min-available=1")).toBe("poddisruptionbudget.policy/db created\n");
    await runningPod("db-0", "db");
    await setBudgetStatus("db", { disruptionsAllowed: 0 });

    const refused = await api.request(`${pods}/db-0/eviction`, { method: "POST", body: eviction("db-0") });
    expect(refused.status).toBe(429);
    expect(refused.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: "TooManyRequests",
      details: { causes: [{ reason: "DisruptionBudget", message: "The disruption budget db needs 1 healthy pods and has 1 currently" }] },
      code: 429,
    });
    expect((await api.request(`${pods}/db-0`)).status).toBe(200);

    await setBudgetStatus("db", { disruptionsAllowed: 1, currentHealthy: 2 });
    const evicted = await api.request(`${pods}/db-0/eviction`, { method: "POST", body: eviction("db-0") });
    expect(evicted.status).toBe(201);
    expect(evicted.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    expect((await api.request(`${pods}/db-0`)).status).toBe(404);
    const budget = await api.get<{ status: { disruptionsAllowed: number; disruptedPods: Record<string, string> } }>(`${pdbs}/db`);
    expect(budget.status.disruptionsAllowed).toBe(0);
    expect(Object.keys(budget.status.disruptedPods)).toEqual(["db-0"]);
    expect(await s.k("get", "pdb", "-n", NS)).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\ndb\s+1\s+N\/A\s+0\s+\d+s\n$/);
  });

  test("a budget the controller has not yet seen is 429 with Retry-After", async () => {
    expect(await s.k("create", "pdb", "fresh", "-n", NS, "--selector=app=fresh", "--max-unavailable=1")).toBe("poddisruptionbudget.policy/fresh created\n");
    await runningPod("fresh-0", "fresh");
    const refused = await api.request(`${pods}/fresh-0/eviction`, { method: "POST", body: eviction("fresh-0") });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(refused.json<{ details: unknown }>().details).toEqual({ causes: [{ reason: "DisruptionBudget", message: "The disruption budget fresh is still being processed by the server." }], retryAfterSeconds: 10 });
  });

  test("the Eviction must name the pod of the URL", async () => {
    const r = await api.request(`${pods}/fresh-0/eviction`, { method: "POST", body: eviction("other") });
    expect(r.status).toBe(400);
    expect(r.json<{ message: string }>().message).toBe("name in URL does not match name in Eviction object");
  });
});

describe("horizontalpodautoscalers", () => {
  test("kubectl autoscale creates a v1 autoscaler; get hpa prints it from both versions", async () => {
    await s.k("create", "deployment", "web", "-n", NS, "--image=nginx");
    expect(await s.k("autoscale", "deployment", "web", "-n", NS, "--max=5", "--cpu-percent=50")).toBe("horizontalpodautoscaler.autoscaling/web autoscaled\n");
    expect(await s.k("autoscale", "deployment", "web", "-n", NS, "--name=web-default", "--max=3")).toBe("horizontalpodautoscaler.autoscaling/web-default autoscaled\n");
    const table = /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+5\s+0\s+\d+s\nweb-default\s+Deployment\/web\s+cpu: <unknown>\/80%\s+1\s+3\s+0\s+\d+s\n$/;
    expect(await s.k("get", "hpa", "-n", NS)).toMatch(table);
    expect(await s.k("get", "horizontalpodautoscalers.v1.autoscaling", "-n", NS)).toMatch(table);

    const v1 = JSON.parse(await s.k("get", "horizontalpodautoscalers.v1.autoscaling", "web-default", "-n", NS, "-o", "json"));
    expect(v1.apiVersion).toBe("autoscaling/v1");
    expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 80 });
    expect(v1.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 });
    const v2 = JSON.parse(await s.k("get", "hpa", "web", "-n", NS, "-o", "json"));
    expect(v2.apiVersion).toBe("autoscaling/v2");
    expect(v2.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }]);
  });

  test("both versions are discovered, v2 preferred", async () => {
    const group = await api.get<{ versions: Array<{ version: string }>; preferredVersion: { version: string } }>("/apis/autoscaling");
    expect(group.versions.map((v) => v.version)).toEqual(["v2", "v1"]);
    expect(group.preferredVersion.version).toBe("v2");
  });

  test("a v2 metric v1 cannot express survives a v1 read-modify-write", async () => {
    const path = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`;
    await api.send("POST", path, {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "rps" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 4, metrics: [{ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } }] },
    });
    const v1Path = `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers/rps`;
    const v1 = await api.get<{ metadata: { annotations: Record<string, string> }; spec: { maxReplicas: number } }>(v1Path);
    expect(v1.metadata.annotations["autoscaling.alpha.kubernetes.io/metrics"]).toBe('[{"type":"Pods","pods":{"metricName":"rps","targetAverageValue":"10"}}]');
    v1.spec.maxReplicas = 6;
    await api.send("PUT", v1Path, v1);
    const v2 = await api.get<{ metadata: { annotations?: unknown }; spec: { maxReplicas: number; metrics: unknown[] } }>(`${path}/rps`);
    expect(v2.spec.maxReplicas).toBe(6);
    expect(v2.spec.metrics).toEqual([{ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } }]);
    expect(v2.metadata.annotations).toBeUndefined();
  });
});

describe("certificatesigningrequests", () => {
  test("a CSR made with openssl: created with the requester, approved by kubectl certificate approve", async () => {
    const key = join(s.dataDir, "alice.key");
    const openssl = (...args: string[]) => {
      const r = Bun.spawnSync(["openssl", ...args]);
      if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
      return r.stdout.toString();
    };
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
    const csrPem = openssl("req", "-new", "-key", key, "-subj", "/CN=alice/O=dev");
    const manifest = JSON.stringify({
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name: "alice" },
      spec: { request: Buffer.from(csrPem).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client", expirationSeconds: 86400, usages: ["client auth"] },
    });
    expect((await s.kubectl(["create", "-f", "-"], { stdin: manifest })).stdout).toBe("certificatesigningrequest.certificates.k8s.io/alice created\n");
    expect(await s.k("get", "csr", "alice")).toMatch(/^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\nalice\s+\d+s\s+kubernetes.io\/kube-apiserver-client\s+system:admin\s+24h\s+Pending\n$/);
    expect(await s.k("certificate", "approve", "alice")).toBe("certificatesigningrequest.certificates.k8s.io/alice approved\n");
    // The csrsigning controller issues approved requests for this signer right away.
    expect(await s.k("get", "csr", "alice")).toMatch(/alice\s+\d+s\s+kubernetes.io\/kube-apiserver-client\s+system:admin\s+24h\s+Approved(,Issued)?\n$/);
    let csr = JSON.parse(await s.k("get", "csr", "alice", "-o", "json"));
    for (const deadline = Date.now() + 10_000; !csr.status.certificate && Date.now() < deadline; await Bun.sleep(50)) csr = JSON.parse(await s.k("get", "csr", "alice", "-o", "json"));
    // The issued certificate is alice's credential.
    const certFile = join(s.dataDir, "alice.crt");
    await Bun.write(certFile, Buffer.from(csr.status.certificate, "base64"));
    const ca = join(s.dataDir, "server", "tls", "server-ca.crt");
    const who = await s.kubectl(["--kubeconfig", "/dev/null", "--server", `https://127.0.0.1:${s.port}`, "--certificate-authority", ca, "--client-certificate", certFile, "--client-key", key, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}/{.status.userInfo.groups}"]);
    expect(who.stdout + who.stderr).toBe('alice/["dev","system:authenticated"]');
    expect(csr.spec.username).toBe("system:admin");
    expect(csr.spec.groups).toEqual(["system:masters", "system:authenticated"]);
    expect(csr.status.conditions).toEqual([
      { type: "Approved", status: "True", reason: "KubectlApprove", message: "This CSR was approved by kubectl certificate approve.", lastUpdateTime: expect.any(String), lastTransitionTime: expect.any(String) },
    ]);

    // Denying an approved request through the API is refused: the two are exclusive.
    const denied = { ...csr, status: { conditions: [...csr.status.conditions, { type: "Denied", status: "True", reason: "No" }] } };
    const r = await api.request("/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval", { method: "PUT", body: denied });
    expect(r.status).toBe(422);
    expect(r.json<{ message: string }>().message).toEndWith("Approved and Denied conditions are mutually exclusive");
  });

  test("a request that is not a CSR is refused", async () => {
    const r = await api.request("/apis/certificates.k8s.io/v1/certificatesigningrequests", {
      method: "POST",
      body: { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name: "junk" }, spec: { request: Buffer.from("hi").toString("base64"), signerName: "example.com/x", usages: ["client auth"] } },
    });
    expect(r.status).toBe(422);
    expect(r.json<{ message: string }>().message).toBe('CertificateSigningRequest.certificates.k8s.io "junk" is invalid: spec.request: Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST');
  });
});

describe("reviews", () => {
  test("kubectl auth can-i get pods", async () => {
    expect(await s.kubectl(["auth", "can-i", "get", "pods"])).toMatchObject({ code: 0, stdout: "yes\n" });
  });

  test("kubectl auth can-i --list prints the rules table", async () => {
    const out = await s.k("auth", "can-i", "--list");
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\s+\[\*\]\s+\[\]\s+\[\*\]$/));
  });

  test("kubectl auth whoami", async () => {
    expect(await s.k("auth", "whoami")).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+system:admin\nGroups\s+\[system:masters system:authenticated\]\n$/);
  });

  test("a TokenReview of the server token authenticates the cluster admin; an empty token is a 400", async () => {
    const review = await api.send<KubeObject>("POST", "/apis/authentication.k8s.io/v1/tokenreviews", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: TOKEN } });
    expect(review.status).toEqual({
      authenticated: true,
      user: { username: "system:admin", groups: ["system:masters", "system:authenticated"] },
      audiences: ["https://kubernetes.default.svc.cluster.local", "k3s"],
    });
    const wrong = await api.send<KubeObject>("POST", "/apis/authentication.k8s.io/v1/tokenreviews", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: "nope" } });
    expect(wrong.status).toEqual({ user: {} });
    const empty = await api.request("/apis/authentication.k8s.io/v1/tokenreviews", { method: "POST", body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: {} } });
    expect(empty.status).toBe(400);
    expect(empty.json<{ message: string }>().message).toBe("token is required for TokenReview in authentication");
  });
});

describe("core leftovers", () => {
  test("a Binding sets the pod's nodeName; a second one is 409", async () => {
    await api.send("POST", pods, { apiVersion: "v1", kind: "Pod", metadata: { name: "unbound" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "unbound" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } };
    const bound = await api.request(`/api/v1/namespaces/${NS}/bindings`, { method: "POST", body: binding });
    expect(bound.status).toBe(201);
    expect(bound.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    expect(await s.k("get", "pod", "unbound", "-n", NS, "-o", "jsonpath={.spec.nodeName}")).toBe("node-1");
    const again = await api.request(`${pods}/unbound/binding`, { method: "POST", body: { ...binding, target: { kind: "Node", name: "node-2" } } });
    expect(again.status).toBe(409);
    expect(again.json<{ message: string }>().message).toBe('Operation cannot be fulfilled on pods/binding "unbound": pod unbound is already assigned to node "node-1"');
    expect((await api.request(`/api/v1/namespaces/${NS}/bindings`, { method: "POST", body: { ...binding, metadata: { name: "missing" } } })).status).toBe(404);
  });

  test("kubectl get componentstatuses, with upstream's deprecation warning", async () => {
    const r = await s.kubectl(["get", "componentstatuses"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+MESSAGE\s+ERROR\ncontroller-manager\s+Healthy\s+ok\s*\netcd-0\s+Healthy\s+ok\s*\nscheduler\s+Healthy\s+ok\s*\n$/);
    expect(r.stderr).toContain("Warning: v1 ComponentStatus is deprecated in v1.19+");
    const missing = await s.kubectl(["get", "cs", "kubelet"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Error from server: Component not found: kubelet");
  });
});
