import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext, RequestScope } from "../registry/definition.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { defaultAdmission, NO_SERVICE_ACCOUNTS } from "./index.ts";
import { apiFailure as failure } from "../api/testing.ts";
import type { Authorizer } from "../http/authz.ts";
import { startWebhookServer, type TestWebhookServer } from "../../testing/webhook-server.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
let hooks: TestWebhookServer;
let closed = 0;

/** The `authorizer` variable's answers: the admin may do anything, nobody else anything. */
const adminsOnly: Authorizer = { authorize: async (a) => (a.user.username === "admin" ? { allowed: true, reason: "admin" } : { allowed: false }) };

beforeAll(async () => {
  backend = tempStore();
  registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), authorizer: () => adminsOnly, disable: NO_SERVICE_ACCOUNTS }));
  for (const d of builtinDefinitions()) registry.add(d);
  for (const name of ["default", "hooked", "other"]) {
    await store("namespaces").create("", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: name === "hooked" ? { inject: "yes" } : {} } }, ctx(""));
  }
  hooks = startWebhookServer({
    "/inject": (r) => ({
      allowed: true,
      patch: [{ op: "add", path: "/spec/containers/-", value: { name: "sidecar", image: "sidecar:1" } }],
      warnings: ["sidecar injected"],
      auditAnnotations: { injected: "true" },
    }),
    "/label": (r) => (r.object && !(r.object.metadata as { labels?: Record<string, string> }).labels?.["seen"] ? { allowed: true, patch: [{ op: "add", path: "/metadata/labels/seen", value: "1" }] } : { allowed: true }),
    "/deny": (r) => ((r.object?.metadata as { labels?: Record<string, string> } | undefined)?.labels?.bad ? { allowed: false, status: { code: 403, message: "pods labelled bad are not welcome" } } : { allowed: true }),
    "/slow": () => ({ allowed: true, delayMs: 3000 }),
  });
  // A port nothing listens on: a webhook that is down.
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  closed = probe.port;
  probe.stop(true);
});
afterAll(async () => {
  await hooks?.stop();
  await backend.dispose();
});

function ctx(namespace: string, scope?: RequestScope, dryRun = false, username = "admin"): RequestContext {
  return { user: { username, groups: username === "admin" ? ["system:masters", "system:authenticated"] : ["system:authenticated"] }, namespace, dryRun, now: Date.now(), scope };
}
const scope = (): RequestScope => ({ warnings: [], auditAnnotations: {} });
const store = (plural: string, group = "", version = "v1") => registry.lookup(group, version, plural)!;
const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [{ name: "app", image: "busybox" }] } });
const podRule = [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }];

function webhook(name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, clientConfig: { url: `${hooks.url}${path}`, caBundle: hooks.caBundle }, rules: podRule, sideEffects: "None", admissionReviewVersions: ["v1"], ...extra };
}

async function configure(kind: "Mutating" | "Validating", name: string, webhooks: Array<Record<string, unknown>>): Promise<void> {
  const plural = `${kind.toLowerCase()}webhookconfigurations`;
  await store(plural, "admissionregistration.k8s.io").create("", { apiVersion: "admissionregistration.k8s.io/v1", kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks } as KubeObject, ctx(""));
}

async function unconfigure(kind: "Mutating" | "Validating", name: string): Promise<void> {
  await store(`${kind.toLowerCase()}webhookconfigurations`, "admissionregistration.k8s.io").delete("", name, ctx(""));
}

describe("mutating webhooks", () => {
  test("a webhook's JSON patch adds a sidecar; its warnings and audit annotations are kept; the namespace selector limits it", async () => {
    await configure("Mutating", "sidecar", [webhook("sidecar.kts.test", "/inject", { namespaceSelector: { matchLabels: { inject: "yes" } } })]);
    const s = scope();
    const created = await store("pods").create("hooked", pod("p1"), ctx("hooked", s));
    expect((created.spec as { containers: Array<{ name: string; image: string; imagePullPolicy?: string }> }).containers.map((c) => [c.name, c.image, c.imagePullPolicy])).toEqual([
      ["app", "busybox", "Always"],
      ["sidecar", "sidecar:1", "IfNotPresent"],
    ]);
    expect(s.warnings).toContain("sidecar injected");
    expect(s.auditAnnotations["sidecar.kts.test/injected"]).toBe("true");
    expect(s.auditAnnotations["mutation.webhook.admission.k8s.io/round_0_index_0"]).toBe('{"configuration":"sidecar","webhook":"sidecar.kts.test","mutated":true}');
    const review = hooks.reviews.at(-1)!.request;
    expect(review).toMatchObject({ operation: "CREATE", namespace: "hooked", name: "p1", kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" }, dryRun: false });
    expect(review.userInfo.username).toBe("admin");
    const plain = await store("pods").create("other", pod("p2"), ctx("other"));
    expect((plain.spec as { containers: unknown[] }).containers).toHaveLength(1);
    await unconfigure("Mutating", "sidecar");
  });

  test("reinvocationPolicy IfNeeded: a webhook is called again when a later one changed the object", async () => {
    await configure("Mutating", "a-labeller", [webhook("label.kts.test", "/label", { reinvocationPolicy: "IfNeeded", objectSelector: { matchExpressions: [{ key: "reinvoke", operator: "Exists" }] } })]);
    await configure("Mutating", "b-sidecar", [webhook("sidecar.kts.test", "/inject", { objectSelector: { matchExpressions: [{ key: "reinvoke", operator: "Exists" }] } })]);
    const before = hooks.reviews.length;
    const created = await store("pods").create("other", pod("r1", { reinvoke: "" }), ctx("other"));
    expect(created.metadata?.labels).toEqual({ reinvoke: "", seen: "1" });
    expect(hooks.reviews.slice(before).map((r) => r.path)).toEqual(["/label", "/inject", "/label"]);
    await unconfigure("Mutating", "a-labeller");
    await unconfigure("Mutating", "b-sidecar");
  });
});

describe("validating webhooks", () => {
  test("a refusal carries the webhook's message; others pass", async () => {
    await configure("Validating", "deny-bad", [webhook("deny.kts.test", "/deny")]);
    const err = await failure(store("pods").create("other", pod("bad", { bad: "yes" }), ctx("other")));
    expect(err.code).toBe(403);
    expect(err.message).toBe('admission webhook "deny.kts.test" denied the request: pods labelled bad are not welcome');
    await store("pods").create("other", pod("good"), ctx("other"));
    await unconfigure("Validating", "deny-bad");
  });

  test("a webhook that is down: Fail refuses with upstream's message, Ignore lets the request through", async () => {
    const down = (policy: string) => ({ ...webhook(`down-${policy.toLowerCase()}.kts.test`, "/x", { failurePolicy: policy }), clientConfig: { url: `https://127.0.0.1:${closed}/validate`, caBundle: hooks.caBundle } });
    await configure("Validating", "down-ignore", [down("Ignore")]);
    await store("pods").create("other", pod("through"), ctx("other"));
    await configure("Validating", "down-fail", [down("Fail")]);
    const err = await failure(store("pods").create("other", pod("blocked"), ctx("other")));
    expect(err.code).toBe(500);
    expect(err.message).toBe(`Internal error occurred: failed calling webhook "down-fail.kts.test": failed to call webhook: Post "https://127.0.0.1:${closed}/validate?timeout=10s": dial tcp 127.0.0.1:${closed}: connect: connection refused`);
    await unconfigure("Validating", "down-fail");
    await unconfigure("Validating", "down-ignore");
  });

  test("timeoutSeconds: a slow webhook fails the request (Fail) or is skipped (Ignore)", async () => {
    await configure("Validating", "slow", [webhook("slow.kts.test", "/slow", { timeoutSeconds: 1 })]);
    const err = await failure(store("pods").create("other", pod("late"), ctx("other")));
    expect(err.message).toBe(`Internal error occurred: failed calling webhook "slow.kts.test": failed to call webhook: Post "${hooks.url}/slow?timeout=1s": context deadline exceeded`);
    await unconfigure("Validating", "slow");
  });

  test("an untrusted certificate is refused", async () => {
    await configure("Validating", "wrong-ca", [{ ...webhook("wrong-ca.kts.test", "/deny"), clientConfig: { url: `${hooks.url}/deny` } }]);
    const err = await failure(store("pods").create("other", pod("x"), ctx("other")));
    expect(err.message).toContain("x509: certificate signed by unknown authority");
    await unconfigure("Validating", "wrong-ca");
  });

  test("dry runs reach webhooks without side effects, told it is a dry run (admission.k8s.io/v1 allows no others)", async () => {
    await configure("Validating", "effects", [webhook("effects.kts.test", "/deny", { sideEffects: "NoneOnDryRun" })]);
    await store("pods").create("other", pod("dry"), ctx("other", undefined, true), { dryRun: true });
    expect(hooks.reviews.at(-1)!.request).toMatchObject({ name: "dry", dryRun: true });
    await unconfigure("Validating", "effects");
  });

  test("matchConditions in CEL decide whether the webhook is called", async () => {
    await configure("Validating", "cond", [webhook("cond.kts.test", "/deny", { matchConditions: [{ name: "only-prod", expression: "has(object.metadata.labels) && 'env' in object.metadata.labels && object.metadata.labels['env'] == 'prod'" }] })]);
    await store("pods").create("other", pod("dev", { bad: "yes", env: "dev" }), ctx("other"));
    expect((await failure(store("pods").create("other", pod("prod", { bad: "yes", env: "prod" }), ctx("other")))).message).toContain("denied the request");
    await unconfigure("Validating", "cond");
  });

  test("matchConditions may ask the authorizer about the requesting user", async () => {
    await configure("Validating", "cond-authz", [webhook("cond-authz.kts.test", "/deny", { matchConditions: [{ name: "not-exempt", expression: "!authorizer.requestResource.check('skip-hooks').allowed()" }] })]);
    await store("pods").create("other", pod("admins-bad", { bad: "yes" }), ctx("other"));
    expect((await failure(store("pods").create("other", pod("danas-bad", { bad: "yes" }), ctx("other", undefined, false, "dana")))).message).toContain("pods labelled bad are not welcome");
    await unconfigure("Validating", "cond-authz");
  });
});

describe("ValidatingAdmissionPolicy", () => {
  const group = "admissionregistration.k8s.io";
  async function policy(name: string, spec: Record<string, unknown>, binding: Record<string, unknown>): Promise<void> {
    await store("validatingadmissionpolicies", group).create("", { apiVersion: `${group}/v1`, kind: "ValidatingAdmissionPolicy", metadata: { name }, spec } as KubeObject, ctx(""));
    await store("validatingadmissionpolicybindings", group).create("", { apiVersion: `${group}/v1`, kind: "ValidatingAdmissionPolicyBinding", metadata: { name: `${name}-binding` }, spec: { policyName: name, ...binding } } as KubeObject, ctx(""));
  }
  async function remove(name: string): Promise<void> {
    await store("validatingadmissionpolicybindings", group).delete("", `${name}-binding`, ctx(""));
    await store("validatingadmissionpolicies", group).delete("", name, ctx(""));
  }
  const deployRules = { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] }] };
  const deployment = (name: string, replicas: number): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } },
  });

  test("Deny refuses with the policy's message (422 Invalid); messageExpression and variables work", async () => {
    await policy(
      "max-replicas",
      { matchConstraints: deployRules, variables: [{ name: "limit", expression: "5" }], validations: [{ expression: "object.spec.replicas <= variables.limit", messageExpression: "'replicas must be at most ' + string(variables.limit) + ', not ' + string(object.spec.replicas)" }] },
      { validationActions: ["Deny"] },
    );
    const err = await failure(store("deployments", "apps").create("other", deployment("big", 7), ctx("other")));
    expect(err.code).toBe(422);
    expect(err.reason).toBe("Invalid");
    expect(err.message).toBe("deployments.apps \"big\" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be at most 5, not 7");
    await store("deployments", "apps").create("other", deployment("small", 2), ctx("other"));
    await remove("max-replicas");
  });

  test("Warn and Audit actions; params from a ConfigMap", async () => {
    await store("configmaps").create("other", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "limits" }, data: { max: "3" } }, ctx("other"));
    await policy(
      "param-replicas",
      { paramKind: { apiVersion: "v1", kind: "ConfigMap" }, matchConstraints: deployRules, validations: [{ expression: "object.spec.replicas <= int(params.data.max)", message: "too many replicas", reason: "Forbidden" }] },
      { validationActions: ["Warn", "Audit"], paramRef: { name: "limits", parameterNotFoundAction: "Deny" } },
    );
    const s = scope();
    await store("deployments", "apps").create("other", deployment("warned", 4), ctx("other", s));
    expect(s.warnings).toEqual(["Validation failed for ValidatingAdmissionPolicy 'param-replicas' with binding 'param-replicas-binding': too many replicas"]);
    expect(JSON.parse(s.auditAnnotations["validation.policy.admission.k8s.io/validation_failure"]!)).toEqual([
      { message: "too many replicas", policy: "param-replicas", binding: "param-replicas-binding", expressionIndex: 0, validationActions: ["Warn", "Audit"] },
    ]);
    await remove("param-replicas");
  });

  test("the authorizer variable, in matchConditions and validations, answers for the requesting user", async () => {
    await policy(
      "scale-needs-rights",
      {
        matchConstraints: deployRules,
        matchConditions: [{ name: "big-ones", expression: "object.spec.replicas > 3" }],
        validations: [{ expression: "authorizer.group('apps').resource('deployments').subresource('scale').namespace(object.metadata.namespace).check('update').allowed()", messageExpression: "'may not scale ' + object.metadata.name + ', allowed: ' + string(authorizer.requestResource.subresource('scale').check('update').allowed())" }],
      },
      { validationActions: ["Deny"] },
    );
    await store("deployments", "apps").create("other", deployment("admins", 5), ctx("other"));
    await store("deployments", "apps").create("other", deployment("danas-small", 2), ctx("other", undefined, false, "dana"));
    const err = await failure(store("deployments", "apps").create("other", deployment("danas", 5), ctx("other", undefined, false, "dana")));
    expect(err.message).toBe("deployments.apps \"danas\" is forbidden: ValidatingAdmissionPolicy 'scale-needs-rights' with binding 'scale-needs-rights-binding' denied request: may not scale danas, allowed: false");
    await remove("scale-needs-rights");
    await policy("exempt-admins", { matchConstraints: deployRules, matchConditions: [{ name: "not-exempt", expression: "!authorizer.requestResource.check('exempt').allowed()" }], validations: [{ expression: "false", message: "only the exempt" }] }, { validationActions: ["Deny"] });
    await store("deployments", "apps").create("other", deployment("admins-2", 1), ctx("other"));
    expect((await failure(store("deployments", "apps").create("other", deployment("danas-2", 1), ctx("other", undefined, false, "dana")))).message).toContain("only the exempt");
    await remove("exempt-admins");
  });
});
