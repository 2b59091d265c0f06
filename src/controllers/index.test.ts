import { afterEach, expect, test } from "bun:test";
import { CONFIGMAPS, gone, memoryLogger, NAMESPACES, testCluster, until } from "./testing.ts";
import { enabledControllers, startControllers } from "./index.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test("--controllers: all by default, names and upstream's old aliases, -name to leave one out", () => {
  expect(enabledControllers().slice(0, 2)).toEqual(["garbage-collector-controller", "namespace-controller"]);
  expect(enabledControllers(["*", "-garbagecollector"])).not.toContain("garbage-collector-controller");
  expect(enabledControllers(["namespace-controller"])).toEqual(["namespace-controller"]);
  expect(enabledControllers(["*", "-namespace", "-garbage-collector-controller"])).toEqual(enabledControllers().slice(2));
  expect(() => enabledControllers(["*", "-nope"])).toThrow('"nope" is not in the list of known controllers');
});

test("the running controllers together: a namespace of owners and dependents is emptied and goes", async () => {
  const cluster = testCluster();
  cleanups.push(() => cluster.close());
  const { client } = cluster;
  const log = memoryLogger();
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } });
  const running = startControllers(client, log, { leaderElection: { identity: "me" } });
  cleanups.push(() => running.stop());
  await running.ready;
  expect(log.lines.filter((l) => l.startsWith("I controller started")).length).toBe(running.names.length);
  const lease = await client.get({ group: "coordination.k8s.io", version: "v1", resource: "leases" }, "kube-system", "kube-controller-manager");
  expect(lease.spec).toMatchObject({ holderIdentity: "me", leaseDurationSeconds: 15 });
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "both" } });
  const owner = await client.create(CONFIGMAPS, "both", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner" } });
  const ref = { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid!, blockOwnerDeletion: true };
  await client.create(CONFIGMAPS, "both", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dep", ownerReferences: [ref] } });
  // A foreground deletion under way in the namespace: the namespace's Background delete takes over.
  await client.delete(CONFIGMAPS, "both", "owner", { propagationPolicy: "Foreground" });
  await client.delete(NAMESPACES, "", "both");
  await gone(client, NAMESPACES, "", "both");
});

test("with every controller running, deleting a Deployment in the foreground takes its ReplicaSet and pods, and nothing comes back", async () => {
  const cluster = testCluster();
  cleanups.push(() => cluster.close());
  const { client } = cluster;
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } });
  const running = startControllers(client, memoryLogger(), { leaderElect: false });
  cleanups.push(() => running.stop());
  await running.ready;
  const DEPLOYMENTS = { group: "apps", version: "v1", resource: "deployments" };
  const REPLICASETS = { group: "apps", version: "v1", resource: "replicasets" };
  const PODS = { group: "", version: "v1", resource: "pods" };
  await client.create(DEPLOYMENTS, "apps", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x" }] } } },
  });
  await until("3 pods", async () => (await client.list(PODS, "apps")).items.length === 3);
  await client.delete(DEPLOYMENTS, "apps", "web", { propagationPolicy: "Foreground" });
  await gone(client, DEPLOYMENTS, "apps", "web");
  await until("no ReplicaSets or pods", async () => (await client.list(REPLICASETS, "apps")).items.length + (await client.list(PODS, "apps")).items.length === 0);
  await Bun.sleep(300);
  expect((await client.list(PODS, "apps")).items.length).toBe(0);
});
