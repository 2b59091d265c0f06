/**
 * managedFields through the generic store: when each write records them, that timestamps alone
 * never make a write, and that server-side apply's own bookkeeping is kept as computed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext } from "../registry/definition.ts";
import { Registry } from "../registry/registry.ts";
import type { GenericStore } from "../registry/store.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { applyToObject } from "./store-fields.ts";

let backend: ReturnType<typeof tempStore>;
let configMaps: GenericStore;
let deployments: GenericStore;
beforeAll(() => {
  backend = tempStore();
  const registry = new Registry(backend);
  for (const def of builtinDefinitions()) registry.add(def);
  configMaps = registry.lookup("", "v1", "configmaps")!;
  deployments = registry.lookup("apps", "v1", "deployments")!;
});
afterAll(async () => {
  await backend.dispose();
});

const T0 = Date.parse("2025-01-01T00:00:00Z");
const ctx = (fieldManager: string | undefined, now = T0): RequestContext => ({ user: { username: "system:kube-controller-manager", groups: ["system:masters"] }, namespace: "default", dryRun: false, fieldManager, now });
const managers = (obj: KubeObject) => (obj.metadata?.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}@${e.time}`);

test("create and update record Update entries; an update changing nothing writes nothing, though time moved on", async () => {
  const created = await configMaps.create("default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { x: "1" } }, ctx("creator"));
  expect(managers(created)).toEqual(["creator/Update@2025-01-01T00:00:00Z"]);
  const same = await configMaps.update("default", "a", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { x: "1" } }, ctx("other", T0 + 5000));
  expect(same.object.metadata!.resourceVersion).toBe(created.metadata!.resourceVersion);
  const changed = await configMaps.update("default", "a", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { x: "2" } }, ctx("other", T0 + 5000));
  expect(managers(changed.object)).toEqual(["creator/Update@2025-01-01T00:00:00Z", "other/Update@2025-01-01T00:00:05Z"]);
});

test("writes from inside the server are recorded under the component's name", async () => {
  const created = await configMaps.create("default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { x: "1" } }, ctx(undefined));
  expect(managers(created)).toEqual(["kube-controller-manager/Update@2025-01-01T00:00:00Z"]);
});

test("status writes record subresource status; the main resource's writes never own status", async () => {
  const dep: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: { replicas: 1, selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "i" }] } } },
    status: { replicas: 9 },
  };
  await deployments.create("default", dep, ctx("creator"));
  const status = await deployments.update("default", "d", { ...dep, status: { replicas: 1 } }, ctx("controller", T0 + 1000), { subresource: "status" });
  const entries = status.object.metadata!.managedFields!;
  expect(entries.map((e) => [e.manager, e.subresource ?? "", Object.keys(e.fieldsV1 as object)])).toEqual([
    ["creator", "", ["f:spec"]],
    ["controller", "status", ["f:status"]],
  ]);
});

test("an apply's managedFields are stored as the apply computed them; a dry run stores nothing", async () => {
  const config = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { x: "1" } };
  const write = (dryRun: boolean) =>
    configMaps.readModifyWrite("default", "c", ctx("ssa"), { applied: true, dryRun }, (current) => applyToObject(configMaps.fieldTypes, configMaps.def, current, structuredClone(config), ctx("ssa"), { force: false }), true);
  const dry = await write(true);
  expect(dry.created).toBe(true);
  expect(await configMaps.get("default", "c").catch((e: Error) => e.message)).toBe('configmaps "c" not found');
  const { object } = await write(false);
  expect(managers(object)).toEqual(["ssa/Apply@2025-01-01T00:00:00Z"]);
  const again = await write(false);
  expect(again.object.metadata!.resourceVersion).toBe(object.metadata!.resourceVersion);
});
