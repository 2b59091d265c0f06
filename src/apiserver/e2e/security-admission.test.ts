/**
 * Admission and audit on a real kts server driven by real kubectl: a mutating webhook (an HTTPS
 * server in this test, with its own CA) injects a sidecar, a validating webhook refuses with its
 * message, failurePolicy Ignore/Fail when the webhook is down; a ValidatingAdmissionPolicy refuses,
 * also on what its `authorizer` says the requesting user may do;
 * PodSecurity restricted refuses a privileged pod and warn mode reaches kubectl as "Warning: ...";
 * ResourceQuota and LimitRange enforce; audit lines appear at each level, and watches have their
 * ResponseStarted stage.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { startWebhookServer, type TestWebhookServer } from "../../testing/webhook-server.ts";

let s: TestServer;
let hooks: TestWebhookServer;
let dir: string;
let auditLog: string;

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    resources: [{ group: "", resources: ["configmaps"] }]
    namespaces: ["audit-rr"]
  - level: Request
    resources: [{ group: "", resources: ["configmaps"] }]
    namespaces: ["audit-req"]
  - level: Metadata
    resources: [{ group: "", resources: ["configmaps", "pods"] }]
  - level: None
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kts-sec-"));
  writeFileSync(join(dir, "audit-policy.yaml"), AUDIT_POLICY);
  auditLog = join(dir, "audit.log");
  hooks = startWebhookServer({
    "/inject": () => ({ allowed: true, patch: [{ op: "add", path: "/spec/containers/-", value: { name: "sidecar", image: "kts.test/sidecar:1" } }] }),
    "/deny": (r) => ((r.object?.metadata as { labels?: Record<string, string> } | undefined)?.labels?.tier === "forbidden" ? { allowed: false, status: { message: "tier forbidden is not allowed here" } } : { allowed: true }),
  });
  s = await startTestServer([
    "--kube-controller-manager-arg",
    "controllers=garbagecollector,namespace,resourcequota,serviceaccount",
    "--audit-policy-file",
    join(dir, "audit-policy.yaml"),
    "--audit-log-path",
    auditLog,
  ]);
});
afterAll(async () => {
  await s?.stop();
  await hooks?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const apply = (yaml: string) => s.kubectl(["apply", "-f", "-"], { stdin: yaml });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

const podYaml = (name: string, ns: string, extra = "", containerExtra = "") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
${extra}spec:
  containers:
    - name: c
      image: busybox
${containerExtra}`;

describe("webhooks", () => {
  test("a mutating webhook injects a sidecar; a validating webhook refuses with its message", async () => {
    await s.k("create", "namespace", "hooked");
    await apply(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: sidecar-injector }
webhooks:
  - name: sidecar.kts.test
    clientConfig: { url: "${hooks.url}/inject", caBundle: ${hooks.caBundle} }
    rules: [{ operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods] }]
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: hooked } }
    sideEffects: None
    admissionReviewVersions: [v1]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: tier-guard }
webhooks:
  - name: tier.kts.test
    clientConfig: { url: "${hooks.url}/deny", caBundle: ${hooks.caBundle} }
    rules: [{ operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods] }]
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: hooked } }
    sideEffects: None
    admissionReviewVersions: [v1]
`);
    const made = await apply(podYaml("web", "hooked"));
    expect(made.stderr).toBe("");
    expect(await s.k("get", "pod", "web", "-n", "hooked", "-o", "jsonpath={.spec.containers[*].name}")).toBe("c sidecar");
    // Webhook configurations reach the admission chain through a watch, as upstream's do: wait
    // until the validating one is in force (the mutating one, applied in the same go, already is).
    const bad = podYaml("bad", "hooked", "  labels: { tier: forbidden }\n");
    await until("the validating webhook in force", async () => {
      const r = await s.kubectl(["apply", "--dry-run=server", "-f", "-"], { stdin: bad });
      return r.code !== 0 ? r : undefined;
    });
    const refused = await apply(bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('admission webhook "tier.kts.test" denied the request: tier forbidden is not allowed here');
  });

  test("a webhook that is down: failurePolicy Ignore lets pods through, Fail refuses them", async () => {
    const down = "https://127.0.0.1:1/validate";
    const config = (policy: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: down-guard }
webhooks:
  - name: down.kts.test
    clientConfig: { url: "${down}", caBundle: ${hooks.caBundle} }
    rules: [{ operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps] }]
    failurePolicy: ${policy}
    timeoutSeconds: 2
    sideEffects: None
    admissionReviewVersions: [v1]
`;
    await apply(config("Ignore"));
    await until("the Ignore configuration to apply", async () => ((await s.kubectl(["create", "configmap", "through", "-n", "hooked"])).code === 0 ? true : undefined));
    await apply(config("Fail"));
    const refused = await until("the Fail configuration to apply", async () => {
      const r = await s.kubectl(["create", "configmap", `blocked-${Date.now()}`, "-n", "hooked"]);
      return r.code !== 0 ? r : undefined;
    });
    expect(refused.stderr).toContain('Internal error occurred: failed calling webhook "down.kts.test": failed to call webhook: Post "https://127.0.0.1:1/validate?timeout=2s"');
    await s.k("delete", "validatingwebhookconfiguration", "down-guard");
  });

  test("a ValidatingAdmissionPolicy refuses with its message", async () => {
    await apply(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: replica-limit }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments] }]
  validations:
    - expression: "object.spec.replicas <= 3"
      message: "no more than 3 replicas"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: replica-limit-binding }
spec:
  policyName: replica-limit
  validationActions: [Deny]
`);
    const r = await until("the policy to apply", async () => {
      const res = await s.kubectl(["create", "deployment", "big", "--image=busybox", "--replicas=5"]);
      return res.code !== 0 ? res : undefined;
    });
    expect(r.stderr).toContain("deployments.apps \"big\" is forbidden: ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-binding' denied request: no more than 3 replicas");
  });

  test("a ValidatingAdmissionPolicy asks the authorizer what the requesting user may do", async () => {
    await s.k("create", "namespace", "vap-authz");
    await s.k("-n", "vap-authz", "create", "role", "cm-create", "--verb=create,get", "--resource=configmaps");
    await s.k("-n", "vap-authz", "create", "rolebinding", "dana-create", "--role=cm-create", "--user=dana");
    await apply(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: lock-needs-delete }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps] }]
  validations:
    - expression: "!has(object.metadata.labels) || !('locked' in object.metadata.labels) || authorizer.group('').resource('configmaps').namespace(object.metadata.namespace).check('delete').allowed()"
      messageExpression: "'only users who may delete configmaps in ' + object.metadata.namespace + ' may lock one'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: lock-needs-delete-binding }
spec:
  policyName: lock-needs-delete
  validationActions: [Deny]
`);
    const locked = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "vap-authz", labels: { locked: "yes" } } });
    const r = await until("the policy to apply", async () => {
      const res = await s.kubectl(["--as", "dana", "create", "-f", "-"], { stdin: locked("by-dana") });
      return res.code !== 0 ? res : undefined;
    });
    // kubectl renders the 422 (reason Invalid, one cause without a field) as upstream's does: `The configmaps "x" is invalid: : ...`.
    expect(r.stderr).toContain(`The configmaps "by-dana" is invalid: : ValidatingAdmissionPolicy 'lock-needs-delete' with binding 'lock-needs-delete-binding' denied request: only users who may delete configmaps in vap-authz may lock one`);
    // Unlocked ones are dana's to create; the admin may lock; so may dana once she may delete.
    await s.k("--as", "dana", "-n", "vap-authz", "create", "configmap", "plain");
    await s.kubectl(["create", "-f", "-"], { stdin: locked("by-admin") }).then((res) => expect(res.stderr).toBe(""));
    await s.k("-n", "vap-authz", "create", "role", "cm-delete", "--verb=delete", "--resource=configmaps");
    await s.k("-n", "vap-authz", "create", "rolebinding", "dana-delete", "--role=cm-delete", "--user=dana");
    await until("dana's new right to count", async () => ((await s.kubectl(["--as", "dana", "create", "-f", "-"], { stdin: locked("by-dana") })).code === 0 ? true : undefined));
  });
});

describe("PodSecurity", () => {
  test("restricted refuses a privileged pod with upstream's message; warn mode prints kubectl warnings", async () => {
    await s.k("create", "namespace", "strict");
    await s.k("label", "namespace", "strict", "pod-security.kubernetes.io/enforce=restricted");
    const r = await apply(podYaml("priv", "strict", "", "      securityContext: { privileged: true }\n"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)',
    );
    await s.k("create", "namespace", "warned");
    await s.k("label", "namespace", "warned", "pod-security.kubernetes.io/warn=baseline");
    const w = await apply(podYaml("hostnet", "warned", "", "      ports: [{ containerPort: 8080, hostPort: 8080 }]\n"));
    expect(w.code).toBe(0);
    expect(w.stderr).toContain('Warning: would violate PodSecurity "baseline:latest": hostPort (container "c" uses hostPort 8080)');
  });
});

describe("quota and limits", () => {
  test("LimitRange defaults and refuses; ResourceQuota refuses over-quota creates", async () => {
    await s.k("create", "namespace", "budget");
    await apply(`apiVersion: v1
kind: LimitRange
metadata: { name: limits, namespace: budget }
spec:
  limits:
    - type: Container
      default: { cpu: 200m, memory: 64Mi }
      max: { cpu: "1" }
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: pods-quota, namespace: budget }
spec:
  hard: { pods: "2", limits.cpu: 500m }
`);
    await until("the quota controller to count", async () => ((await s.k("get", "resourcequota", "pods-quota", "-n", "budget", "-o", "jsonpath={.status.used.pods}")) === "0" ? true : undefined));
    expect((await apply(podYaml("one", "budget"))).code).toBe(0);
    expect(await s.k("get", "pod", "one", "-n", "budget", "-o", "jsonpath={.spec.containers[0].resources.limits.cpu}")).toBe("200m");
    const big = await apply(podYaml("big", "budget", "", "      resources: { limits: { cpu: '2' } }\n"));
    expect(big.stderr).toContain('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
    expect((await apply(podYaml("two", "budget"))).code).toBe(0);
    const third = await apply(podYaml("three", "budget"));
    expect(third.stderr).toContain('pods "three" is forbidden: exceeded quota: pods-quota, requested: limits.cpu=200m,pods=1, used: limits.cpu=400m,pods=2, limited: limits.cpu=500m,pods=2');
    // Deleting a pod gives its share back (the controller recounts).
    await s.k("delete", "pod", "one", "-n", "budget", "--wait=false");
    await until("the quota to be replenished", async () => ((await s.kubectl(["create", "-f", "-"], { stdin: podYaml("three", "budget") })).code === 0 ? true : undefined));
  });
});

describe("audit", () => {
  test("audit lines at each level, with the Audit-Id header on responses", async () => {
    for (const ns of ["audit-rr", "audit-req", "audit-meta"]) {
      await s.k("create", "namespace", ns);
      await s.k("create", "configmap", "cm", "-n", ns, "--from-literal=k=v");
    }
    const events = await until("the audit lines", async () => {
      const lines = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      const creates = lines.filter((e) => e.verb === "create" && (e.objectRef as { resource?: string })?.resource === "configmaps" && ["audit-rr", "audit-req", "audit-meta"].includes((e.objectRef as { namespace: string }).namespace));
      return creates.length >= 3 ? creates : undefined;
    });
    const byNs = (ns: string) => events.find((e) => (e.objectRef as { namespace: string }).namespace === ns)!;
    for (const e of events) {
      expect(e).toMatchObject({ kind: "Event", apiVersion: "audit.k8s.io/v1", stage: "ResponseComplete", verb: "create", responseStatus: { code: 201 }, sourceIPs: ["127.0.0.1"] });
      expect(e.auditID).toMatch(/^[0-9a-f-]{36}$/);
      expect((e.user as { username: string }).username).toBeTruthy();
      expect(e.userAgent as string).toStartWith("kubectl");
      expect((e.annotations as Record<string, string>)["authorization.k8s.io/decision"]).toBe("allow");
      expect(e.requestReceivedTimestamp as string).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    expect(byNs("audit-meta").level).toBe("Metadata");
    expect(byNs("audit-meta").requestObject).toBeUndefined();
    expect(byNs("audit-req")).toMatchObject({ level: "Request", requestObject: { kind: "ConfigMap", data: { k: "v" } } });
    expect(byNs("audit-req").responseObject).toBeUndefined();
    expect(byNs("audit-rr")).toMatchObject({ level: "RequestResponse", requestObject: { data: { k: "v" } }, responseObject: { kind: "ConfigMap", metadata: { name: "cm", namespace: "audit-rr" } } });
    // RequestReceived is omitted by the policy; nothing for namespaces (level None).
    const all = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { stage: string; objectRef?: { resource: string } });
    expect(all.some((e) => e.stage === "RequestReceived")).toBe(false);
    expect(all.some((e) => e.objectRef?.resource === "namespaces")).toBe(false);
    // The PodSecurity enforce policy is noted on pod creates.
    const podCreate = readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { verb: string; objectRef?: { resource: string; namespace?: string }; annotations?: Record<string, string> }).find((e) => e.verb === "create" && e.objectRef?.resource === "pods" && e.objectRef.namespace === "strict");
    expect(podCreate?.annotations?.["pod-security.kubernetes.io/enforce-policy"]).toBe("restricted:latest");
    // Every response carries an Audit-Id.
    const v = await s.kubectl(["get", "--raw", "/version", "-v=8"]);
    expect(v.stderr).toMatch(/Audit-Id: [0-9a-f-]{36}/);
  });

  test("watches are long-running: ResponseStarted when the watch begins, ResponseComplete when it ends, refusals too; --as is the impersonatedUser", async () => {
    await s.k("create", "namespace", "audit-watch");
    const path = "/api/v1/namespaces/audit-watch/configmaps?watch=true&timeoutSeconds=1";
    const watched = await s.kubectl(["get", "--raw", path]);
    expect(watched.code).toBe(0);
    const refused = await s.kubectl(["--as", "nobody", "get", "--raw", path]);
    expect(refused.stderr).toContain("forbidden");
    type Line = { auditID: string; stage: string; verb: string; user: { username: string }; impersonatedUser?: { username: string }; objectRef?: { namespace?: string }; responseStatus?: { code?: number } };
    const watches = () => {
      const byUser = new Map<string, string[]>();
      for (const e of readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Line)) {
        if (e.verb !== "watch" || e.objectRef?.namespace !== "audit-watch") continue;
        // kubectl --as: the admin is `user`, whom it acts as `impersonatedUser`.
        const who = e.impersonatedUser ? `${e.user.username} as ${e.impersonatedUser.username}` : e.user.username;
        byUser.set(who, [...(byUser.get(who) ?? []), `${e.stage} ${e.responseStatus?.code ?? ""}`.trim()]);
      }
      return byUser;
    };
    const seen = await until("both watches' audit lines", async () => {
      const w = watches();
      return w.size === 2 && [...w.values()].every((stages) => stages.length === 2) ? w : undefined;
    });
    // RequestReceived is left out by the policy's omitStages.
    expect(Object.fromEntries(seen)).toEqual({ "system:admin": ["ResponseStarted 200", "ResponseComplete 200"], "system:admin as nobody": ["ResponseStarted 403", "ResponseComplete 403"] });
  }, 60_000);

  test("a request that fails authentication is one ResponseStarted event with the 401 and no user, as upstream's", async () => {
    const kubeconfig = join(dir, "bad-token.kubeconfig");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${s.url}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: not-a-token } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    );
    const r = await s.kubectl(["--kubeconfig", kubeconfig, "get", "--raw", "/api/v1/namespaces/audit-bad-token/configmaps"]);
    expect(r.stderr).toContain("Unauthorized");
    // The admin's same request afterwards: once its lines are in the log, the first one's are all there too.
    await s.k("get", "--raw", "/api/v1/namespaces/audit-bad-token/configmaps");
    type Line = { stage: string; verb: string; user: { username?: string }; objectRef?: { namespace?: string }; responseStatus?: { code?: number; reason?: string } };
    const lines = () => readFileSync(auditLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Line).filter((e) => e.objectRef?.namespace === "audit-bad-token");
    await until("the audit lines", async () => (lines().some((e) => e.user.username === "system:admin") ? true : undefined));
    const failed = lines().filter((e) => e.user.username !== "system:admin");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ stage: "ResponseStarted", verb: "list", user: {}, responseStatus: { code: 401, reason: "Unauthorized" } });
  }, 60_000);
});
