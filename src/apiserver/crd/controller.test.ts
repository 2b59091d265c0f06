/**
 * The CRD controller in process: a Registry over a real store, the in-process client, and the
 * controller serving, versioning and cleaning up custom resources.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { ResourceRef } from "../../client/index.ts";
import { logger } from "../../log/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { ApiError } from "../api/errors.ts";
import { LocalClient } from "../local-client.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { CrdController } from "./controller.ts";
import { asCrd, CRD_REF, type CustomResourceDefinition } from "./types.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(shared?: ReturnType<typeof tempStore>) {
  const backend = shared ?? tempStore();
  if (!shared) cleanups.push(() => backend.dispose());
  const registry = new Registry(backend);
  for (const d of builtinDefinitions()) registry.add(d);
  const client = new LocalClient(registry);
  const controller = new CrdController({ registry, client, backend, log: logger("crd-test") });
  await controller.start();
  cleanups.push(() => controller.stop());
  return { backend, registry, client, controller };
}

const WIDGETS: ResourceRef = { group: "example.com", version: "v1", resource: "widgets" };
const WIDGETS_BETA: ResourceRef = { group: "example.com", version: "v1beta1", resource: "widgets" };

function widgetsCrd(): CustomResourceDefinition {
  const schema = { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true }, status: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget", listKind: "WidgetCollection" },
      versions: [
        { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: { status: {} } },
        { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: schema } },
      ],
    },
  };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(5);
  }
}

const widget = (name: string, apiVersion = "example.com/v1", extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion, kind: "Widget", metadata: { name }, spec: { size: 1 }, ...extra });

describe("CRD controller", () => {
  test("a new CRD gets its names, is established and served", async () => {
    const { client, registry } = await setup();
    // How soon is measured by scripts/bench/crd.ts; here: served without any resync.
    await client.create(CRD_REF, "", widgetsCrd());
    await until(() => registry.lookup("example.com", "v1", "widgets"));
    const crd = asCrd(await client.get(CRD_REF, "", "widgets.example.com"));
    expect(crd.status!.acceptedNames).toEqual({ plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetCollection" });
    expect(crd.status!.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["NamesAccepted", "True", "NoConflicts"],
      ["Established", "True", "InitialNamesAccepted"],
    ]);
    const list = await client.list(WIDGETS, "default");
    expect(list.kind).toBe("WidgetCollection");
    expect(registry.lookup("example.com", "v1beta1", "widgets")).toBeDefined();
  });

  test("objects: generation follows spec changes, status goes through /status only", async () => {
    const { client, registry } = await setup();
    await client.create(CRD_REF, "", widgetsCrd());
    await until(() => registry.lookup("example.com", "v1", "widgets"));
    const created = await client.create(WIDGETS, "default", widget("w", "example.com/v1", { status: { ready: true } }));
    expect(created.metadata?.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const withStatus = await client.update(WIDGETS, "default", { ...created, status: { ready: true } }, { subresource: "status" });
    expect(withStatus.status).toEqual({ ready: true });
    expect(withStatus.metadata?.generation).toBe(1);
    const resized = await client.update(WIDGETS, "default", { ...withStatus, spec: { size: 2 }, status: { ready: false } });
    expect(resized.metadata?.generation).toBe(2);
    expect(resized.status).toEqual({ ready: true });
    const relabelled = await client.update(WIDGETS, "default", { ...resized, metadata: { ...resized.metadata, labels: { a: "b" } } });
    expect(relabelled.metadata?.generation).toBe(2);
  });

  test("versions share the objects; a new storage version joins storedVersions", async () => {
    const { client, registry, backend } = await setup();
    await client.create(CRD_REF, "", widgetsCrd());
    await until(() => registry.lookup("example.com", "v1beta1", "widgets"));
    await client.create(WIDGETS_BETA, "default", widget("b", "example.com/v1beta1"));
    const viaV1 = await client.get(WIDGETS, "default", "b");
    expect(viaV1.apiVersion).toBe("example.com/v1");
    const stored = await backend.get("/registry/example.com/widgets/default/b");
    expect(JSON.parse(new TextDecoder().decode(stored.kv!.value)).apiVersion).toBe("example.com/v1");

    const crd = asCrd(await client.get(CRD_REF, "", "widgets.example.com"));
    crd.spec.versions[0]!.storage = false;
    crd.spec.versions[1]!.storage = true;
    const servedBefore = registry.lookup("example.com", "v1", "widgets");
    const updated = asCrd(await client.update(CRD_REF, "", crd));
    expect(updated.status!.storedVersions).toEqual(["v1", "v1beta1"]);
    expect(updated.metadata?.generation).toBe(2);
    // The CRD's change replaces what serves the versions.
    await until(() => registry.lookup("example.com", "v1", "widgets") !== servedBefore);
    await client.create(WIDGETS, "default", widget("c"));
    const storedC = await backend.get("/registry/example.com/widgets/default/c");
    expect(JSON.parse(new TextDecoder().decode(storedC.kv!.value)).apiVersion).toBe("example.com/v1beta1");
  });

  test("deleting a CRD removes its objects, then the CRD, then the resource", async () => {
    const { client, registry, backend } = await setup();
    await client.create(CRD_REF, "", widgetsCrd());
    await until(() => registry.lookup("example.com", "v1", "widgets"));
    await client.create({ group: "", version: "v1", resource: "namespaces" }, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns2" } });
    await client.create(WIDGETS, "default", widget("a"));
    await client.create(WIDGETS, "ns2", widget("b"));
    const marked = asCrd(await client.delete(CRD_REF, "", "widgets.example.com"));
    expect(marked.metadata?.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    expect(marked.metadata?.deletionGracePeriodSeconds).toBeUndefined();
    expect(marked.metadata?.generation).toBe(1);
    expect(marked.status!.conditions!.find((c) => c.type === "Terminating")).toMatchObject({ status: "True", reason: "InstanceDeletionPending" });
    await until(async () => {
      try {
        await client.get(CRD_REF, "", "widgets.example.com");
        return undefined;
      } catch (err) {
        return err instanceof ApiError && err.code === 404;
      }
    });
    await until(() => registry.lookup("example.com", "v1", "widgets") === undefined);
    expect(registry.lookup("example.com", "v1beta1", "widgets")).toBeUndefined();
    // Nothing of the objects is left in storage.
    expect((await backend.list("/registry/example.com/widgets/")).kvs).toEqual([]);
  });

  test("CRDs of the community's groups get the API approval condition", async () => {
    const { client, registry } = await setup();
    const crd = widgetsCrd();
    crd.spec.group = "widgets.k8s.io";
    crd.metadata = { name: "widgets.widgets.k8s.io", annotations: { "api-approved.kubernetes.io": "unapproved, experimental" } };
    await client.create(CRD_REF, "", crd);
    await until(() => registry.lookup("widgets.k8s.io", "v1", "widgets"));
    const got = asCrd(await client.get(CRD_REF, "", "widgets.widgets.k8s.io"));
    expect(got.status!.conditions!.find((c) => c.type === "KubernetesAPIApprovalPolicyConformant")).toMatchObject({
      status: "False",
      reason: "UnapprovedAnnotation",
      message: 'not approved: "unapproved, experimental"',
    });
  });

  test("a restarted controller serves stored CRDs before start() resolves", async () => {
    const backend = tempStore();
    cleanups.push(() => backend.dispose());
    const first = await setup(backend);
    await first.client.create(CRD_REF, "", widgetsCrd());
    await until(() => first.registry.lookup("example.com", "v1", "widgets"));
    await first.client.create(WIDGETS, "default", widget("kept"));
    first.controller.stop();
    const second = await setup(backend);
    expect(second.registry.lookup("example.com", "v1", "widgets")).toBeDefined();
    expect((await second.client.get(WIDGETS, "default", "kept")).metadata?.name).toBe("kept");
  });
});
