import { afterEach, describe, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { ResourceDefinition } from "../../apiserver/registry/definition.ts";
import type { LocalClient } from "../../apiserver/local-client.ts";
import type { ResourceRef } from "../../client/index.ts";
import { CONFIGMAPS, find, gone, memoryLogger, NAMESPACES, stays, testCluster, type TestCluster, until } from "../testing.ts";
import { GarbageCollector } from "./garbage-collector.ts";

const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", resource: "deployments" };
const REPLICASETS: ResourceRef = { group: "apps", version: "v1", resource: "replicasets" };
const PODS: ResourceRef = { group: "", version: "v1", resource: "pods" };
const RCS: ResourceRef = { group: "", version: "v1", resource: "replicationcontrollers" };
const NODES: ResourceRef = { group: "", version: "v1", resource: "nodes" };
const NS = "gc";
const HOLD = "example.com/hold";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<TestCluster & { gc: GarbageCollector; startGc(): Promise<GarbageCollector> }> {
  const cluster = testCluster();
  cleanups.push(() => cluster.close());
  await cluster.client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  const startGc = async () => {
    const gc = new GarbageCollector(cluster.client, memoryLogger(), { workers: 4, resourceResyncMs: 60_000 });
    cleanups.push(() => gc.stop());
    await gc.start();
    return gc;
  };
  return { ...cluster, gc: await startGc(), startGc };
}

type Ref = { apiVersion: string; kind: string; name: string; uid: string; blockOwnerDeletion?: boolean; controller?: boolean };
const ownedBy = (o: KubeObject, extra: Partial<Ref> = {}): Ref => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, ...extra });
const podTemplate = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };

function configMap(client: LocalClient, name: string, owners: Ref[] = [], finalizers?: string[]): Promise<KubeObject> {
  return client.create(CONFIGMAPS, NS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ownerReferences: owners, finalizers } });
}

/** Deployment -> ReplicaSet -> two Pods, as the workload controllers would link them. */
async function chain(client: LocalClient, opts: { block?: boolean; podFinalizers?: string[] } = {}) {
  const block = opts.block ?? true;
  const deploy = await client.create(DEPLOYMENTS, NS, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template: podTemplate } });
  const rs = await client.create(REPLICASETS, NS, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-1", ownerReferences: [ownedBy(deploy, { controller: true, blockOwnerDeletion: block })] },
    spec: { selector: { matchLabels: { app: "web" } }, template: podTemplate },
  });
  const pods: KubeObject[] = [];
  for (const name of ["web-1-a", "web-1-b"]) {
    pods.push(
      await client.create(PODS, NS, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, labels: { app: "web" }, ownerReferences: [ownedBy(rs, { controller: true, blockOwnerDeletion: block })], finalizers: opts.podFinalizers },
        spec: podTemplate.spec,
      }),
    );
  }
  return { deploy, rs, pods };
}

async function dropFinalizers(client: LocalClient, ref: ResourceRef, name: string): Promise<void> {
  await client.patch(ref, NS, name, "application/merge-patch+json", { metadata: { finalizers: null } });
}

describe("background deletion", () => {
  test("dependents of a deleted owner are deleted, all the way down", async () => {
    const { client } = await setup();
    await chain(client);
    await client.delete(DEPLOYMENTS, NS, "web", { propagationPolicy: "Background" });
    await gone(client, REPLICASETS, NS, "web-1");
    await gone(client, PODS, NS, "web-1-a");
    await gone(client, PODS, NS, "web-1-b");
  });

  test("an object with another owner that still exists only loses the reference to the deleted one", async () => {
    const { client } = await setup();
    const a = await configMap(client, "owner-a");
    const b = await configMap(client, "owner-b");
    await configMap(client, "shared", [ownedBy(a), ownedBy(b)]);
    await client.delete(CONFIGMAPS, NS, "owner-a");
    await until("the reference to owner-a is removed", async () => (await find(client, CONFIGMAPS, NS, "shared"))?.metadata?.ownerReferences?.length === 1);
    const shared = await stays(client, CONFIGMAPS, NS, "shared");
    expect(shared.metadata?.ownerReferences?.map((r) => r.name)).toEqual(["owner-b"]);
  });
});

describe("foreground deletion", () => {
  test("the owner keeps its foregroundDeletion finalizer until its blocking dependents are gone", async () => {
    const { client } = await setup();
    await chain(client, { podFinalizers: [HOLD] });
    const deleted = await client.delete(DEPLOYMENTS, NS, "web", { propagationPolicy: "Foreground" });
    expect(deleted.metadata).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) });
    // The pods cannot go (held), so neither can their ReplicaSet nor the Deployment.
    await until("the pods are being deleted", async () => Boolean((await find(client, PODS, NS, "web-1-a"))?.metadata?.deletionTimestamp));
    const rs = await stays(client, REPLICASETS, NS, "web-1");
    expect(rs.metadata).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) });
    expect((await stays(client, DEPLOYMENTS, NS, "web", 0)).metadata?.finalizers).toEqual(["foregroundDeletion"]);

    await dropFinalizers(client, PODS, "web-1-a");
    await dropFinalizers(client, PODS, "web-1-b");
    await gone(client, REPLICASETS, NS, "web-1");
    await gone(client, DEPLOYMENTS, NS, "web");
  });

  test("dependents without blockOwnerDeletion are deleted but do not hold the owner", async () => {
    const { client } = await setup();
    const owner = await configMap(client, "owner");
    await configMap(client, "loose", [ownedBy(owner)], [HOLD]);
    await client.delete(CONFIGMAPS, NS, "owner", { propagationPolicy: "Foreground" });
    await gone(client, CONFIGMAPS, NS, "owner");
    const loose = await find(client, CONFIGMAPS, NS, "loose");
    expect(loose?.metadata?.deletionTimestamp).toBeDefined();
    await dropFinalizers(client, CONFIGMAPS, "loose");
    await gone(client, CONFIGMAPS, NS, "loose");
  });
});

describe("orphaning", () => {
  test("propagationPolicy=Orphan removes the owner from its dependents, then the owner goes", async () => {
    const { client } = await setup();
    const { deploy } = await chain(client);
    const deleted = await client.delete(DEPLOYMENTS, NS, "web", { propagationPolicy: "Orphan" });
    expect(deleted.metadata?.finalizers).toEqual(["orphan"]);
    await gone(client, DEPLOYMENTS, NS, "web");
    const rs = await stays(client, REPLICASETS, NS, "web-1");
    expect(rs.metadata?.ownerReferences).toBeUndefined();
    // The pods keep their own owner.
    expect((await find(client, PODS, NS, "web-1-a"))?.metadata?.ownerReferences?.map((r) => r.name)).toEqual(["web-1"]);
    expect(deploy.metadata?.uid).toBeDefined();
  });

  test("core/v1 replication controllers orphan their pods when no policy is given (upstream's default)", async () => {
    const { client } = await setup();
    const rc = await client.create(RCS, NS, { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "rc" }, spec: { selector: { app: "web" }, template: podTemplate } });
    await client.create(PODS, NS, { apiVersion: "v1", kind: "Pod", metadata: { name: "rc-pod", labels: { app: "web" }, ownerReferences: [ownedBy(rc)] }, spec: podTemplate.spec });
    await client.delete(RCS, NS, "rc");
    await gone(client, RCS, NS, "rc");
    expect((await stays(client, PODS, NS, "rc-pod")).metadata?.ownerReferences).toBeUndefined();
  });
});

describe("dangling references", () => {
  test("an owner uid that does not exist: the dependent is deleted", async () => {
    const { client } = await setup();
    await configMap(client, "orphaned", [{ apiVersion: "v1", kind: "ConfigMap", name: "never", uid: "00000000-0000-0000-0000-000000000001" }]);
    await gone(client, CONFIGMAPS, NS, "orphaned");
  });

  test("an owner of that name with another uid counts as absent", async () => {
    const { client } = await setup();
    await configMap(client, "imposter");
    await configMap(client, "victim", [{ apiVersion: "v1", kind: "ConfigMap", name: "imposter", uid: "00000000-0000-0000-0000-000000000002" }]);
    await gone(client, CONFIGMAPS, NS, "victim");
    await stays(client, CONFIGMAPS, NS, "imposter", 0);
  });

  test("an existing owner keeps its dependent", async () => {
    const { client } = await setup();
    const owner = await configMap(client, "alive");
    await configMap(client, "kept", [ownedBy(owner)]);
    await stays(client, CONFIGMAPS, NS, "kept");
  });
});

test("namespaced dependents of a cluster-scoped owner", async () => {
  const { client } = await setup();
  const node = await client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } });
  await configMap(client, "on-node", [ownedBy(node)]);
  await stays(client, CONFIGMAPS, NS, "on-node");
  await client.delete(NODES, "", "node-1");
  await gone(client, CONFIGMAPS, NS, "on-node");
});

test("resources served later (custom resources) are followed after a resync", async () => {
  const { client, registry, gc } = await setup();
  const widgets: ResourceDefinition = { group: "example.com", version: "v1", kind: "Widget", plural: "widgets", singular: "widget", namespaced: true };
  registry.add(widgets);
  await gc.resyncResources();
  expect(gc.monitored).toContain("example.com/v1/widgets");
  const WIDGETS: ResourceRef = { group: "example.com", version: "v1", resource: "widgets" };
  const widget = await client.create(WIDGETS, NS, { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
  await configMap(client, "widget-part", [ownedBy(widget)]);
  const cm = await configMap(client, "cm-owner");
  await client.create(WIDGETS, NS, { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "owned-widget", ownerReferences: [ownedBy(cm)] } });
  await client.delete(WIDGETS, NS, "w");
  await client.delete(CONFIGMAPS, NS, "cm-owner");
  await gone(client, CONFIGMAPS, NS, "widget-part");
  await gone(client, WIDGETS, NS, "owned-widget");

  registry.remove("example.com", "v1", "widgets");
  await gc.resyncResources();
  expect(gc.monitored).not.toContain("example.com/v1/widgets");
});

describe("after a restart", () => {
  test("dependents of owners deleted while the collector was down are collected from the lists", async () => {
    const { client, gc, startGc } = await setup();
    await chain(client);
    const owner = await configMap(client, "fg-owner");
    await configMap(client, "fg-dep", [ownedBy(owner, { blockOwnerDeletion: true })]);
    const orphaner = await configMap(client, "orphaner");
    await configMap(client, "survivor", [ownedBy(orphaner)]);
    await gc.stop();

    await client.delete(DEPLOYMENTS, NS, "web", { propagationPolicy: "Background" });
    await client.delete(CONFIGMAPS, NS, "fg-owner", { propagationPolicy: "Foreground" });
    await client.delete(CONFIGMAPS, NS, "orphaner", { propagationPolicy: "Orphan" });
    // Nothing acts while the collector is down.
    await stays(client, REPLICASETS, NS, "web-1");
    expect((await find(client, CONFIGMAPS, NS, "fg-owner"))?.metadata?.finalizers).toEqual(["foregroundDeletion"]);

    await startGc();
    await gone(client, REPLICASETS, NS, "web-1");
    await gone(client, PODS, NS, "web-1-a");
    await gone(client, CONFIGMAPS, NS, "fg-dep");
    await gone(client, CONFIGMAPS, NS, "fg-owner");
    await gone(client, CONFIGMAPS, NS, "orphaner");
    expect((await stays(client, CONFIGMAPS, NS, "survivor")).metadata?.ownerReferences).toBeUndefined();
  });
});
