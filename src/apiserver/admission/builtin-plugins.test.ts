import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext, RequestScope } from "../registry/definition.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { defaultAdmission, enabledPlugins } from "./index.ts";
import { apiFailure as failure } from "../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
beforeAll(async () => {
  backend = tempStore();
  registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), podSecurity: { exemptions: { usernames: ["exempt-user"] } } }));
  for (const d of builtinDefinitions()) registry.add(d);
  for (const name of ["default", "limits", "quota", "sa", "strict", "baseline", "plain", "storage"]) {
    const labels: Record<string, string> = {};
    if (name === "strict") labels["pod-security.kubernetes.io/enforce"] = "restricted";
    if (name === "baseline") Object.assign(labels, { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.30" });
    await store("namespaces").create("", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }, ctx(""));
    if (name !== "sa") await store("serviceaccounts").create(name, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } }, ctx(name));
  }
});
afterAll(async () => {
  await backend.dispose();
});

function ctx(namespace: string, scope?: RequestScope, username = "admin"): RequestContext {
  return { user: { username, groups: ["system:masters"] }, namespace, dryRun: false, now: Date.now(), scope };
}
const scope = (): RequestScope => ({ warnings: [], auditAnnotations: {} });
const store = (plural: string, group = "", version = "v1") => registry.lookup(group, version, plural)!;
const pod = (name: string, containers: Array<Record<string, unknown>> = [{ name: "c", image: "busybox" }], spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers, ...spec },
});
type PodShape = { spec: { containers: Array<{ resources?: unknown; volumeMounts?: unknown[] }>; tolerations?: unknown[]; volumes?: Array<{ name: string; projected?: unknown }>; serviceAccountName?: string }; metadata: { annotations?: Record<string, string> }; status?: { qosClass?: string } };
const shape = (o: KubeObject) => o as unknown as PodShape;

test("the default plugin set, in upstream's order; unknown names are refused", () => {
  const webhooks = ["MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook"];
  expect(enabledPlugins()).toEqual(["NamespaceLifecycle", "LimitRanger", "ServiceAccount", "NodeRestriction", "PodSecurity", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass", ...webhooks, "ResourceQuota"]);
  expect(enabledPlugins([], ["ServiceAccount", "ResourceQuota"])).toEqual(["NamespaceLifecycle", "LimitRanger", "NodeRestriction", "PodSecurity", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass", ...webhooks]);
  expect(() => enabledPlugins(["AlwaysPullImages"])).toThrow('admission plugin "AlwaysPullImages" is not known');
});

describe("LimitRanger", () => {
  beforeAll(async () => {
    await store("limitranges").create(
      "limits",
      {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: "lr" },
        spec: {
          limits: [
            { type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m" }, max: { cpu: "1" }, min: { cpu: "50m" }, maxLimitRequestRatio: { cpu: "10" } },
            { type: "PersistentVolumeClaim", max: { storage: "2Gi" } },
          ],
        },
      },
      ctx("limits"),
    );
  });

  test("defaults requests and limits, and notes them in kubernetes.io/limit-ranger; the QoS class sees them", async () => {
    const created = shape(await store("pods").create("limits", pod("d"), ctx("limits")));
    expect(created.spec.containers[0]!.resources).toEqual({ limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "256Mi" } });
    expect(created.metadata.annotations?.["kubernetes.io/limit-ranger"]).toBe("LimitRanger plugin set: cpu, memory limit for container c; cpu, memory request for container c");
    expect(created.status?.qosClass).toBe("Burstable");
  });

  test("max, min and the ratio refuse with upstream's messages", async () => {
    const big = await failure(store("pods").create("limits", pod("big", [{ name: "c", image: "i", resources: { requests: { cpu: "100m" }, limits: { cpu: "2" } } }]), ctx("limits")));
    expect(big.code).toBe(403);
    expect(big.message).toBe('pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 10, but provided ratio is 20.000000]');
    const small = await failure(store("pods").create("limits", pod("small", [{ name: "c", image: "i", resources: { requests: { cpu: "10m" }, limits: { cpu: "20m" } } }]), ctx("limits")));
    expect(small.message).toBe('pods "small" is forbidden: minimum cpu usage per Container is 50m, but request is 10m');
    const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "huge" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } };
    expect((await failure(store("persistentvolumeclaims").create("limits", claim, ctx("limits")))).message).toBe(
      'persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi',
    );
  });
});

test("DefaultTolerationSeconds adds the not-ready and unreachable tolerations unless the pod tolerates them", async () => {
  const created = shape(await store("pods").create("plain", pod("t"), ctx("plain")));
  expect(created.spec.tolerations).toEqual([
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  ]);
  const tolerant = shape(await store("pods").create("plain", pod("t2", undefined, { tolerations: [{ operator: "Exists" }] }), ctx("plain")));
  expect(tolerant.spec.tolerations).toEqual([{ operator: "Exists" }]);
});

test("DefaultStorageClass gives class-less claims the newest default class", async () => {
  const sc = (name: string, isDefault: boolean): KubeObject => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name, annotations: isDefault ? { "storageclass.kubernetes.io/is-default-class": "true" } : ({} as Record<string, string>) },
    provisioner: "x",
  });
  const claim = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...extra } });
  const claims = store("persistentvolumeclaims");
  expect((await claims.create("storage", claim("none"), ctx("storage"))).spec).not.toHaveProperty("storageClassName");
  await store("storageclasses", "storage.k8s.io").create("", sc("slow", false), ctx(""));
  await store("storageclasses", "storage.k8s.io").create("", sc("local-path", true), ctx(""));
  expect((await claims.create("storage", claim("c1"), ctx("storage"))).spec).toMatchObject({ storageClassName: "local-path" });
  expect((await claims.create("storage", claim("c2", { storageClassName: "" }), ctx("storage"))).spec).toMatchObject({ storageClassName: "" });
  expect((await claims.create("storage", claim("c3", { storageClassName: "slow" }), ctx("storage"))).spec).toMatchObject({ storageClassName: "slow" });
});

describe("ServiceAccount", () => {
  test("a pod without an account runs as default; a missing account is refused", async () => {
    const created = shape(await store("pods").create("plain", pod("sa1"), ctx("plain")));
    expect(created.spec.serviceAccountName).toBe("default");
    const err = await failure(store("pods").create("sa", pod("x"), ctx("sa")));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "x" is forbidden: error looking up service account sa/default: serviceaccount "default" not found');
    const named = await failure(store("pods").create("plain", pod("y", undefined, { serviceAccountName: "builder" }), ctx("plain")));
    expect(named.message).toBe('pods "y" is forbidden: error looking up service account plain/builder: serviceaccount "builder" not found');
  });

  test("a pod created just before its namespace's default account exists waits for it (a named account is not waited for)", async () => {
    await store("namespaces").create("", { apiVersion: "v1", kind: "Namespace", metadata: { name: "late" } }, ctx(""));
    const creating = store("pods").create("late", pod("early"), ctx("late"));
    await Bun.sleep(300);
    await store("serviceaccounts").create("late", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } }, ctx("late"));
    expect(shape(await creating).spec.serviceAccountName).toBe("default");
    // Any other name is looked up once: an account made a moment later does not rescue the pod.
    const named = failure(store("pods").create("late", pod("named", undefined, { serviceAccountName: "later" }), ctx("late")));
    await Bun.sleep(300);
    await store("serviceaccounts").create("late", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "later" } }, ctx("late"));
    expect((await named).code).toBe(403);
  });

  test("the account's imagePullSecrets go to pods that have none", async () => {
    await store("serviceaccounts").create("plain", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "puller" }, imagePullSecrets: [{ name: "regcred" }] }, ctx("plain"));
    const created = await store("pods").create("plain", pod("p", undefined, { serviceAccountName: "puller" }), ctx("plain"));
    expect((created.spec as { imagePullSecrets?: unknown }).imagePullSecrets).toEqual([{ name: "regcred" }]);
  });
});

describe("ResourceQuota", () => {
  beforeAll(async () => {
    const quota = await store("resourcequotas").create("quota", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute" }, spec: { hard: { pods: "2", "limits.cpu": "1", "limits.memory": "1Gi", "count/configmaps": "1" } } }, ctx("quota"));
    // What the resource quota controller writes first.
    await store("resourcequotas").update("quota", "compute", { ...quota, status: { hard: (quota.spec as { hard: Record<string, string> }).hard, used: { pods: "0", "limits.cpu": "0", "limits.memory": "0", "count/configmaps": "0" } } }, ctx("quota"), { subresource: "status" });
  });
  const limited = (name: string, cpu: string) => pod(name, [{ name: "c", image: "i", resources: { limits: { cpu, memory: "256Mi" } } }]);

  test("pods must declare what the quota covers", async () => {
    const err = await failure(store("pods").create("quota", pod("bare"), ctx("quota")));
    expect(err.message).toBe('pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: c; limits.memory for: c');
  });

  test("usage is charged at admission; over-quota creates are refused with upstream's message", async () => {
    await store("pods").create("quota", limited("a", "600m"), ctx("quota"));
    const status = (await store("resourcequotas").get("quota", "compute")).status as { used: Record<string, string> };
    expect(status.used).toMatchObject({ pods: "1", "limits.cpu": "600m", "limits.memory": "256Mi" });
    const err = await failure(store("pods").create("quota", limited("b", "500m"), ctx("quota")));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "b" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: limits.cpu=600m, limited: limits.cpu=1');
    // A dry run is checked but not charged.
    await store("pods").create("quota", limited("dry", "100m"), ctx("quota"), { dryRun: true });
    expect(((await store("resourcequotas").get("quota", "compute")).status as { used: Record<string, string> }).used["limits.cpu"]).toBe("600m");
  });

  test("concurrent creates do not overshoot", async () => {
    const results = await Promise.allSettled(["c1", "c2", "c3", "c4"].map((n) => store("pods").create("quota", limited(n, "100m"), ctx("quota"))));
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    expect(((await store("resourcequotas").get("quota", "compute")).status as { used: Record<string, string> }).used.pods).toBe("2");
  });

  test("object counts", async () => {
    const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
    await store("configmaps").create("quota", cm("one"), ctx("quota"));
    expect((await failure(store("configmaps").create("quota", cm("two"), ctx("quota")))).message).toBe(
      'configmaps "two" is forbidden: exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1',
    );
  });

  test("a quota the controller has not counted yet refuses with status unknown", async () => {
    await store("resourcequotas").create("quota", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "fresh" }, spec: { hard: { secrets: "5" } } }, ctx("quota"));
    await store("resourcequotas").update(
      "quota",
      "fresh",
      { ...(await store("resourcequotas").get("quota", "fresh")), status: { hard: { secrets: "5" } } } as KubeObject,
      ctx("quota"),
      { subresource: "status" },
    );
    const err = await failure(store("secrets").create("quota", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }, ctx("quota")));
    expect(err.message).toBe('secrets "s" is forbidden: status unknown for quota: fresh, resources: secrets');
  });
});

describe("PodSecurity", () => {
  const privileged = pod("priv", [{ name: "c", image: "i", securityContext: { privileged: true } }]);

  test("restricted enforce refuses with upstream's message, baseline checks first", async () => {
    const err = await failure(store("pods").create("strict", structuredClone(privileged), ctx("strict", scope())));
    expect(err.code).toBe(403);
    expect(err.message).toBe(
      'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  test("a compliant pod passes restricted, with the enforce-policy audit annotation", async () => {
    const s = scope();
    const ok = pod("ok", [{ name: "c", image: "i", securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } } }]);
    await store("pods").create("strict", ok, ctx("strict", s));
    expect(s.auditAnnotations).toEqual({ "pod-security.kubernetes.io/enforce-policy": "restricted:latest" });
  });

  test("warn mode adds a warning and audit mode an annotation; a baseline violation is still refused", async () => {
    const s = scope();
    await store("pods").create("baseline", pod("w"), ctx("baseline", s));
    expect(s.warnings).toEqual([
      'would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
    expect(s.auditAnnotations["pod-security.kubernetes.io/audit-violations"]).toBeUndefined();
    const hostile = pod("h", [{ name: "c", image: "i", ports: [{ containerPort: 8080, hostPort: 8080 }] }], { hostNetwork: true, volumes: [{ name: "root", hostPath: { path: "/" } }] });
    const err = await failure(store("pods").create("baseline", hostile, ctx("baseline", scope())));
    expect(err.message).toBe('pods "h" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPath volumes (volume "root"), hostPort (container "c" uses hostPort 8080)');
  });

  test("workload templates only warn (warn follows an explicit enforce)", async () => {
    const s = scope();
    const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i", securityContext: { privileged: true } }] } } } };
    await store("deployments", "apps").create("strict", deploy, ctx("strict", s));
    expect(s.warnings[0]).toStartWith('would violate PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false');
    expect(s.auditAnnotations["pod-security.kubernetes.io/audit-violations"]).toStartWith('would violate PodSecurity "restricted:latest": privileged');
  });

  test("exempt users pass; raising a namespace's enforce level warns about its pods", async () => {
    const s = scope();
    await store("pods").create("strict", structuredClone({ ...privileged, metadata: { name: "exempt" } }), ctx("strict", s, "exempt-user"));
    expect(s.auditAnnotations).toEqual({ "pod-security.kubernetes.io/exempt": "user" });
    await store("pods").create("plain", structuredClone(privileged), ctx("plain"));
    const ns = await store("namespaces").get("", "plain");
    const w = scope();
    await store("namespaces").update("", "plain", { ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata?.labels, "pod-security.kubernetes.io/enforce": "baseline" } } }, ctx("", w));
    expect(w.warnings).toEqual(['existing pods in namespace "plain" violate the new PodSecurity enforce level "baseline:latest"', "priv: privileged"]);
  });
});
