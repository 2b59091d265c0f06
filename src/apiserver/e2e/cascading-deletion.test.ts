/**
 * Cascading deletion and namespace lifecycle against a real `kts server` and real kubectl 1.32:
 * a Deployment -> ReplicaSet -> Pods chain linked by hand with ownerReferences (there are no
 * workload controllers yet) deleted with each --cascade mode, dangling references, the garbage
 * collector catching up after a restart, namespace deletion (custom resources included), and
 * NamespaceLifecycle admission.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { apiClient, type ApiClient } from "../../testing/api-client.ts";
import { startTestServer } from "../../testing/server.ts";
import { API_CONTROLLERS_ONLY, NAMESPACE_CONTROLLER_ONLY } from "../../testing/controllers.ts";
import { ANY_OBJECT_V1, applyCrds, crdManifest, serverForFile, singleVersion } from "./fixtures.ts";

// Server starts, restarts and many kubectl runs per test: 5 s is too tight on a loaded 2-core machine.
setDefaultTimeout(30_000);

const { s, api } = serverForFile(API_CONTROLLERS_ONLY);

const HOLD = "example.com/hold";
const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } };
const ownerRef = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata!.name, uid: o.metadata!.uid, controller: true, blockOwnerDeletion: true });

/** Deployment web -> ReplicaSet web-1 -> Pods web-1-a and web-1-b, as the workload controllers link them. */
async function chain(client: ApiClient, ns: string, podFinalizers?: string[]): Promise<void> {
  const deploy = await client.send("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "web" } }, template },
  });
  const rs = await client.send("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-1", labels: { app: "web" }, ownerReferences: [ownerRef(deploy)] },
    spec: { selector: { matchLabels: { app: "web" } }, template },
  });
  for (const name of ["web-1-a", "web-1-b"]) {
    await client.send("POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { app: "web" }, ownerReferences: [ownerRef(rs)], finalizers: podFinalizers },
      spec: template.spec,
    });
  }
}

const paths = (ns: string) => ({
  deploy: `/apis/apps/v1/namespaces/${ns}/deployments/web`,
  rs: `/apis/apps/v1/namespaces/${ns}/replicasets/web-1`,
  podA: `/api/v1/namespaces/${ns}/pods/web-1-a`,
  podB: `/api/v1/namespaces/${ns}/pods/web-1-b`,
});

async function status(client: ApiClient, path: string): Promise<number> {
  return (await client.request(path)).status;
}

async function waitGone(client: ApiClient, path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await status(client, path)) !== 404) {
    if (Date.now() > deadline) throw new Error(`${path} still exists after ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
}

async function namespace(name: string): Promise<void> {
  expect(await s.k("create", "namespace", name)).toBe(`namespace/${name} created\n`);
}

describe("kubectl delete --cascade", () => {
  test("background (kubectl's default): the ReplicaSet and its Pods are deleted after the Deployment", async () => {
    await namespace("bg");
    await chain(api, "bg");
    expect(await s.k("delete", "deployment", "web", "-n", "bg", "--cascade=background")).toBe('deployment.apps "web" deleted\n');
    const p = paths("bg");
    for (const path of [p.rs, p.podA, p.podB]) await waitGone(api, path);
  });

  test("foreground: the Deployment stays, with the foregroundDeletion finalizer, until its dependents are gone", async () => {
    await namespace("fg");
    await chain(api, "fg", [HOLD]);
    const p = paths("fg");
    expect(await s.k("delete", "deployment", "web", "-n", "fg", "--cascade=foreground", "--wait=false")).toBe('deployment.apps "web" deleted\n');
    // The held pods are being deleted; their ReplicaSet and the Deployment wait for them.
    const deadline = Date.now() + 10_000;
    while (!(await api.get(p.podA)).metadata?.deletionTimestamp && Date.now() < deadline) await Bun.sleep(25);
    await Bun.sleep(300);
    const deploy = await api.get(p.deploy);
    expect(deploy.metadata).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) });
    expect((await api.get(p.rs)).metadata).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) });
    const shown = JSON.parse(await s.k("get", "deployment", "web", "-n", "fg", "-o", "json"));
    expect(shown.metadata.finalizers).toEqual(["foregroundDeletion"]);

    for (const pod of ["web-1-a", "web-1-b"]) await s.k("patch", "pod", pod, "-n", "fg", "--type=merge", "-p", '{"metadata":{"finalizers":null}}');
    // kubectl wait prints nothing when the object is already gone; its exit status is what counts.
    await s.k("wait", "--for=delete", "deployment/web", "-n", "fg", "--timeout=20s");
    for (const path of [p.deploy, p.rs, p.podA, p.podB]) expect(await status(api, path)).toBe(404);
  });

  test("foreground with --wait: kubectl returns once the owner, and so every blocking dependent, is gone", async () => {
    await namespace("fgwait");
    await chain(api, "fgwait");
    const p = paths("fgwait");
    expect(await s.k("delete", "deployment", "web", "-n", "fgwait", "--cascade=foreground", "--timeout=20s")).toBe('deployment.apps "web" deleted\n');
    for (const path of [p.deploy, p.rs, p.podA, p.podB]) expect(await status(api, path)).toBe(404);
  });

  test("orphan: the Deployment goes, the ReplicaSet stays without its owner reference, the Pods keep theirs", async () => {
    await namespace("orphan");
    await chain(api, "orphan");
    const p = paths("orphan");
    expect(await s.k("delete", "deployment", "web", "-n", "orphan", "--cascade=orphan")).toBe('deployment.apps "web" deleted\n');
    expect(await status(api, p.deploy)).toBe(404);
    await Bun.sleep(300);
    const rs = await api.get(p.rs);
    expect(rs.metadata?.ownerReferences).toBeUndefined();
    expect(rs.metadata?.deletionTimestamp).toBeUndefined();
    expect((await api.get(p.podA)).metadata?.ownerReferences?.map((r) => r.name)).toEqual(["web-1"]);
  });
});

test("an ownerReference to an owner that does not exist: the dependent is collected", async () => {
  await namespace("dangling");
  const missing = { apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: "6a1a3e4b-0000-4000-8000-000000000000" };
  await api.send("POST", "/api/v1/namespaces/dangling/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "orphaned", ownerReferences: [missing] } });
  await api.send("POST", "/api/v1/namespaces/dangling/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ghost" } });
  // "ghost" exists, but not with that uid: the reference is still dangling.
  await waitGone(api, "/api/v1/namespaces/dangling/configmaps/orphaned");
  expect(await status(api, "/api/v1/namespaces/dangling/configmaps/ghost")).toBe(200);
});

test("after a restart, the garbage collector collects what was left while it did not run", async () => {
  // Deterministic: the first server runs without the garbage collector, so the owners are
  // deleted (or marked) with nobody to act; the restarted server runs it and catches up.
  const first = await startTestServer(NAMESPACE_CONTROLLER_ONLY);
  const firstApi = apiClient(first.kubeconfig);
  expect(await first.k("create", "namespace", "restart")).toBe("namespace/restart created\n");
  await chain(firstApi, "restart");
  const owner = await firstApi.send("POST", "/api/v1/namespaces/restart/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fg-owner" } });
  await firstApi.send("POST", "/api/v1/namespaces/restart/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fg-dep", ownerReferences: [ownerRef(owner)] } });
  expect(await first.k("delete", "deployment", "web", "-n", "restart")).toBe('deployment.apps "web" deleted\n');
  expect(await first.k("delete", "configmap", "fg-owner", "-n", "restart", "--cascade=foreground", "--wait=false")).toBe('configmap "fg-owner" deleted\n');
  await Bun.sleep(300);
  const p = paths("restart");
  expect(await status(firstApi, p.rs)).toBe(200);
  expect(await status(firstApi, p.podA)).toBe(200);
  expect((await firstApi.get("/api/v1/namespaces/restart/configmaps/fg-owner")).metadata?.finalizers).toEqual(["foregroundDeletion"]);
  expect(await first.stop({ keepData: true })).toBe(0);

  const second = await startTestServer(API_CONTROLLERS_ONLY, { dataDir: first.dataDir });
  try {
    const secondApi = apiClient(second.kubeconfig);
    // The same data: the namespace made on the first server is there.
    expect(await status(secondApi, "/api/v1/namespaces/restart")).toBe(200);
    for (const path of [p.rs, p.podA, p.podB, "/api/v1/namespaces/restart/configmaps/fg-dep", "/api/v1/namespaces/restart/configmaps/fg-owner"]) await waitGone(secondApi, path);
  } finally {
    expect(await second.stop()).toBe(0);
  }
});

test("after a restart, dependents of custom resources stay while their owners exist, and go with them", async () => {
  const first = await startTestServer(API_CONTROLLERS_ONLY);
  const firstApi = apiClient(first.kubeconfig);
  await applyCrds(first, crdManifest({ group: "data.example.com", plural: "databases", kind: "Database" }, ANY_OBJECT_V1));
  const db = await firstApi.send("POST", "/apis/data.example.com/v1/namespaces/default/databases", { apiVersion: "data.example.com/v1", kind: "Database", metadata: { name: "main" } });
  await firstApi.send("POST", "/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "db-config", ownerReferences: [ownerRef(db)] } });
  expect(await first.stop({ keepData: true })).toBe(0);

  const second = await startTestServer(API_CONTROLLERS_ONLY, { dataDir: first.dataDir });
  try {
    const secondApi = apiClient(second.kubeconfig);
    // A dependent made after the restart, of a Database that never existed: once the collector has
    // dealt with it, it has looked at db-config too.
    await secondApi.send("POST", "/api/v1/namespaces/default/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "stray", ownerReferences: [{ apiVersion: "data.example.com/v1", kind: "Database", name: "gone", uid: "0d6a9c1e-0000-4000-8000-000000000000" }] },
    });
    await waitGone(secondApi, "/api/v1/namespaces/default/configmaps/stray");
    expect(await status(secondApi, "/api/v1/namespaces/default/configmaps/db-config")).toBe(200);
    expect(await second.k("delete", "database", "main")).toBe('database.data.example.com "main" deleted\n');
    await waitGone(secondApi, "/api/v1/namespaces/default/configmaps/db-config");
  } finally {
    expect(await second.stop()).toBe(0);
  }
});

describe("namespace deletion", () => {
  test("everything in the namespace is deleted; an object's finalizer holds it, reported in its conditions; then it goes", async () => {
    await namespace("team");
    await chain(api, "team");
    for (let i = 0; i < 20; i++) await api.send("POST", "/api/v1/namespaces/team/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` } });
    await api.send("POST", "/api/v1/namespaces/team/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "held", finalizers: [HOLD] } });
    expect(await s.k("delete", "namespace", "team", "--wait=false")).toBe('namespace "team" deleted\n');

    const deadline = Date.now() + 10_000;
    let ns = await api.get("/api/v1/namespaces/team");
    const conditionsOf = (o: KubeObject) => (o.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> }).conditions ?? [];
    while (!conditionsOf(ns).some((c) => c.type === "NamespaceFinalizersRemaining" && c.status === "True") && Date.now() < deadline) {
      await Bun.sleep(50);
      ns = await api.get("/api/v1/namespaces/team");
    }
    expect(ns.status).toMatchObject({ phase: "Terminating" });
    expect(conditionsOf(ns).find((c) => c.type === "NamespaceFinalizersRemaining")).toMatchObject({ status: "True", reason: "SomeFinalizerRemain", message: `Some finalizers are remaining: ${HOLD} in 1 resource instances` });
    expect(conditionsOf(ns).find((c) => c.type === "NamespaceContentRemaining")).toMatchObject({ status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: secrets. has 1 resource instances" });
    expect(await s.k("get", "namespace", "team", "--no-headers")).toMatch(/^team\s+Terminating\s+/);
    expect(JSON.parse(await s.k("get", "configmaps", "-n", "team", "-o", "json")).items).toEqual([]);
    for (const path of Object.values(paths("team"))) expect(await status(api, path)).toBe(404);

    // Nothing new may be created meanwhile.
    const late = await s.kubectl(["create", "configmap", "late", "-n", "team"]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated');
    const refused = await api.request("/api/v1/namespaces/team/configmaps", { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late" } } });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ reason: "Forbidden", details: { causes: [{ reason: "NamespaceTerminating", message: "namespace team is being terminated", field: "metadata.namespace" }] } });

    await s.k("patch", "secret", "held", "-n", "team", "--type=merge", "-p", '{"metadata":{"finalizers":null}}');
    await s.k("wait", "--for=delete", "namespace/team", "--timeout=30s");
    expect(await status(api, "/api/v1/namespaces/team")).toBe(404);
  });

  test("custom resources in the namespace are deleted too; one held by a finalizer keeps the namespace Terminating until it is released", async () => {
    const versions = singleVersion("v1", "{type: object, properties: {spec: {type: object, properties: {cron: {type: string}}}}}");
    for (const [plural, kind, scope] of [["crontabs", "CronTab", "Namespaced"], ["clusterthings", "ClusterThing", "Cluster"]] as const) {
      await applyCrds(s, crdManifest({ group: "stable.example.com", plural, kind, scope }, versions));
    }
    await namespace("crs");
    const cronTab = (name: string, finalizers = "[]") => `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: ${name}, namespace: crs, finalizers: ${finalizers}}\nspec: {cron: "* * * * *"}\n---\n`;
    const manifests = ["a", "b", "c"].map((n) => cronTab(n)).join("") + cronTab("held", `[${HOLD}]`);
    expect((await s.kubectl(["apply", "-f", "-"], { stdin: manifests })).code).toBe(0);
    // A ConfigMap owned by a custom resource, and a cluster-scoped custom resource the namespace deletion must leave alone.
    const owner = await api.get("/apis/stable.example.com/v1/namespaces/crs/crontabs/a");
    await api.send("POST", "/api/v1/namespaces/crs/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owned", ownerReferences: [ownerRef(owner)] } });
    expect((await s.kubectl(["apply", "-f", "-"], { stdin: "apiVersion: stable.example.com/v1\nkind: ClusterThing\nmetadata: {name: global}\n" })).code).toBe(0);

    expect(await s.k("delete", "namespace", "crs", "--wait=false")).toBe('namespace "crs" deleted\n');
    const conditionsOf = (o: KubeObject) => (o.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> }).conditions ?? [];
    const deadline = Date.now() + 10_000;
    let ns = await api.get("/api/v1/namespaces/crs");
    while (!conditionsOf(ns).some((c) => c.type === "NamespaceFinalizersRemaining" && c.status === "True") && Date.now() < deadline) {
      await Bun.sleep(50);
      ns = await api.get("/api/v1/namespaces/crs");
    }
    expect(ns.status).toMatchObject({ phase: "Terminating" });
    expect(conditionsOf(ns).find((c) => c.type === "NamespaceContentRemaining")).toMatchObject({ status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: crontabs.stable.example.com has 1 resource instances" });
    expect(conditionsOf(ns).find((c) => c.type === "NamespaceFinalizersRemaining")).toMatchObject({ status: "True", reason: "SomeFinalizerRemain", message: `Some finalizers are remaining: ${HOLD} in 1 resource instances` });
    const left = await s.k("get", "crontabs", "-n", "crs", "-o", "custom-columns=NAME:.metadata.name,DELETING:.metadata.deletionTimestamp", "--no-headers");
    expect(left).toMatch(/^held\s+\d{4}-\d\d-\d\dT\S+Z\n$/);
    expect(await status(api, "/api/v1/namespaces/crs/configmaps/owned")).toBe(404);

    // Creating in the terminating namespace is refused, custom resources included.
    const late = await s.kubectl(["apply", "-f", "-"], { stdin: cronTab("late") });
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('crontabs.stable.example.com "late" is forbidden: unable to create new content in namespace crs because it is being terminated');
    const raw = await api.request("/apis/stable.example.com/v1/namespaces/crs/crontabs", { method: "POST", body: { apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "late" } } });
    expect(raw.status).toBe(403);
    expect(raw.json()).toMatchObject({
      reason: "Forbidden",
      message: 'crontabs.stable.example.com "late" is forbidden: unable to create new content in namespace crs because it is being terminated',
      details: { name: "late", group: "stable.example.com", kind: "crontabs", causes: [{ reason: "NamespaceTerminating", message: "namespace crs is being terminated", field: "metadata.namespace" }] },
    });

    await s.k("patch", "crontab", "held", "-n", "crs", "--type=merge", "-p", '{"metadata":{"finalizers":null}}');
    await s.k("wait", "--for=delete", "namespace/crs", "--timeout=30s");
    expect(await status(api, "/api/v1/namespaces/crs")).toBe(404);
    expect(await status(api, "/apis/stable.example.com/v1/namespaces/crs/crontabs/held")).toBe(404);
    expect(await status(api, "/apis/stable.example.com/v1/clusterthings/global")).toBe(200);
  });

  test("PUT namespaces/{name}/finalize sets spec.finalizers; the controller removes only its own", async () => {
    await namespace("fin");
    const ns = await api.get("/api/v1/namespaces/fin");
    const put = await api.request("/api/v1/namespaces/fin/finalize", { method: "PUT", body: { ...ns, spec: { finalizers: ["kubernetes", "example.com/other"] } } });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ kind: "Namespace", spec: { finalizers: ["kubernetes", "example.com/other"] }, status: { phase: "Active" } });
    // A plain update leaves spec.finalizers alone.
    const plain = await api.send<KubeObject>("PUT", "/api/v1/namespaces/fin", { ...put.json<KubeObject>(), spec: { finalizers: [] } });
    expect(plain.spec).toEqual({ finalizers: ["kubernetes", "example.com/other"] });

    await s.k("delete", "namespace", "fin", "--wait=false");
    const deadline = Date.now() + 10_000;
    let current = await api.get("/api/v1/namespaces/fin");
    while (JSON.stringify(current.spec) !== JSON.stringify({ finalizers: ["example.com/other"] }) && Date.now() < deadline) {
      await Bun.sleep(25);
      current = await api.get("/api/v1/namespaces/fin");
    }
    expect(current.spec).toEqual({ finalizers: ["example.com/other"] });
    const last = await api.request("/api/v1/namespaces/fin/finalize", { method: "PUT", body: { ...current, spec: { finalizers: [] } } });
    expect(last.status).toBe(200);
    expect(await status(api, "/api/v1/namespaces/fin")).toBe(404);
  });

  test("kubectl delete namespace waits until the namespace is gone", async () => {
    await namespace("quick");
    for (let i = 0; i < 10; i++) await api.send("POST", "/api/v1/namespaces/quick/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` } });
    expect(await s.k("delete", "namespace", "quick", "--timeout=30s")).toBe('namespace "quick" deleted\n');
    expect(await status(api, "/api/v1/namespaces/quick")).toBe(404);
  });
});

describe("NamespaceLifecycle", () => {
  test("creating in a namespace that does not exist is 404 for the namespace", async () => {
    const r = await s.kubectl(["create", "configmap", "x", "-n", "nowhere"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('namespaces "nowhere" not found');
    const raw = await api.request("/api/v1/namespaces/nowhere/configmaps", { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } } });
    expect(raw.status).toBe(404);
    expect(raw.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'namespaces "nowhere" not found', reason: "NotFound", details: { name: "nowhere", kind: "namespaces" }, code: 404 });
  });

  test("default, kube-system and kube-public may not be deleted", async () => {
    for (const name of ["default", "kube-system", "kube-public"]) {
      const r = await s.kubectl(["delete", "namespace", name]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Error from server (Forbidden): namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    expect(JSON.parse(await s.k("get", "namespace", "kube-system", "-o", "json")).status.phase).toBe("Active");
  });
});
