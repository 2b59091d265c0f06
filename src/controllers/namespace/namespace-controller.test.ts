import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { ResourceDefinition } from "../../apiserver/registry/definition.ts";
import type { ResourceRef } from "../../client/index.ts";
import { CONFIGMAPS, find, gone, memoryLogger, NAMESPACES, stays, testCluster, type TestCluster, until } from "../testing.ts";
import { NamespaceController } from "./namespace-controller.ts";

const PODS: ResourceRef = { group: "", version: "v1", resource: "pods" };
const SECRETS: ResourceRef = { group: "", version: "v1", resource: "secrets" };
const WIDGETS: ResourceRef = { group: "example.com", version: "v1", resource: "widgets" };
const widgets: ResourceDefinition = { group: "example.com", version: "v1", kind: "Widget", plural: "widgets", singular: "widget", namespaced: true };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(): TestCluster {
  const cluster = testCluster();
  cleanups.push(() => cluster.close());
  cluster.registry.add(widgets);
  return cluster;
}

async function startController(cluster: TestCluster): Promise<NamespaceController> {
  const c = new NamespaceController(cluster.client, memoryLogger());
  cleanups.push(() => c.stop());
  await c.start();
  return c;
}

async function populate(cluster: TestCluster, ns: string, opts: { held?: boolean } = {}): Promise<void> {
  const { client } = cluster;
  await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  for (let i = 0; i < 5; i++) await client.create(CONFIGMAPS, ns, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` } });
  await client.create(SECRETS, ns, { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } });
  await client.create(PODS, ns, { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx" }] } });
  await client.create(WIDGETS, ns, { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
  if (opts.held) await client.create(CONFIGMAPS, ns, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] } });
}

const conditionsOf = (ns: KubeObject | undefined) => Object.fromEntries(((ns?.status as { conditions?: Array<{ type: string; status: string; message: string }> })?.conditions ?? []).map((c) => [c.type, c]));

test("deleting a namespace deletes everything in it, custom resources too, then the namespace", async () => {
  const cluster = setup();
  const { client } = cluster;
  await startController(cluster);
  await populate(cluster, "doomed");
  const deleting = await client.delete(NAMESPACES, "", "doomed");
  expect(deleting).toMatchObject({ metadata: { deletionTimestamp: expect.any(String) }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Terminating" } });
  await gone(client, NAMESPACES, "", "doomed");
  for (const [ref, name] of [[CONFIGMAPS, "cm-0"], [SECRETS, "s"], [PODS, "p"], [WIDGETS, "w"]] as const) expect(await find(client, ref, "doomed", name)).toBeUndefined();
});

test("objects with finalizers hold the namespace; the conditions say why; it goes once they do", async () => {
  const cluster = setup();
  const { client } = cluster;
  await startController(cluster);
  await populate(cluster, "held", { held: true });
  await client.delete(NAMESPACES, "", "held");
  await until("the conditions report the finalizer", async () => conditionsOf(await find(client, NAMESPACES, "", "held")).NamespaceFinalizersRemaining?.status === "True");
  const ns = await stays(client, NAMESPACES, "", "held", 0);
  const conditions = conditionsOf(ns);
  expect(conditions.NamespaceContentRemaining).toMatchObject({ status: "True", message: "Some resources are remaining: configmaps. has 1 resource instances" });
  expect(conditions.NamespaceFinalizersRemaining).toMatchObject({ status: "True", message: "Some finalizers are remaining: example.com/hold in 1 resource instances" });
  expect(conditions.NamespaceDeletionContentFailure).toMatchObject({ status: "False" });
  expect(conditions.NamespaceDeletionDiscoveryFailure).toMatchObject({ status: "False" });
  expect(await find(client, CONFIGMAPS, "held", "cm-0")).toBeUndefined();
  expect((await find(client, CONFIGMAPS, "held", "held"))?.metadata?.deletionTimestamp).toBeDefined();

  await client.patch(CONFIGMAPS, "held", "held", "application/merge-patch+json", { metadata: { finalizers: null } });
  await gone(client, NAMESPACES, "", "held", 10_000);
});

test("another party's namespace finalizer keeps the emptied namespace until it is removed", async () => {
  const cluster = setup();
  const { client } = cluster;
  await startController(cluster);
  await populate(cluster, "shared");
  const ns = await client.get(NAMESPACES, "", "shared");
  await client.update(NAMESPACES, "", { ...ns, spec: { finalizers: ["kubernetes", "example.com/other"] } }, { subresource: "finalize" });
  await client.delete(NAMESPACES, "", "shared");
  await until("the kubernetes finalizer is removed", async () => JSON.stringify((await find(client, NAMESPACES, "", "shared"))?.spec) === JSON.stringify({ finalizers: ["example.com/other"] }));
  expect(await find(client, CONFIGMAPS, "shared", "cm-0")).toBeUndefined();
  const left = await stays(client, NAMESPACES, "", "shared");
  await client.update(NAMESPACES, "", { ...left, spec: { finalizers: [] } }, { subresource: "finalize" });
  await gone(client, NAMESPACES, "", "shared");
});

test("a namespace deleted while the controller was stopped is finished when it starts", async () => {
  const cluster = setup();
  const { client } = cluster;
  await populate(cluster, "meanwhile");
  await client.delete(NAMESPACES, "", "meanwhile");
  await stays(client, NAMESPACES, "", "meanwhile", 100);
  await startController(cluster);
  await gone(client, NAMESPACES, "", "meanwhile");
});
