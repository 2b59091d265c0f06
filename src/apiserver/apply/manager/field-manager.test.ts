import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { JsonObject } from "../../patch/json-value.ts";
import { FieldTypeCatalog } from "../schema/field-types.ts";
import { applyConfiguration, recordUpdate, type ResourceInfo } from "./field-manager.ts";
import { thrownApiError as failure } from "../../api/testing.ts";

const catalog = new FieldTypeCatalog();
const CM = catalog.forResource({ group: "", version: "v1", kind: "ConfigMap" });
const CM_INFO: ResourceInfo = { apiVersion: "v1", kind: "ConfigMap", statusSubresource: false };
const DEPLOY = catalog.forResource({ group: "apps", version: "v1", kind: "Deployment" });
const DEPLOY_INFO: ResourceInfo = { apiVersion: "apps/v1", kind: "Deployment", statusSubresource: true };
const T0 = Date.parse("2025-01-01T00:00:00Z");

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: JsonObject;
  subresource?: string;
}
const entries = (obj: KubeObject) => (obj.metadata?.managedFields ?? []) as unknown as Entry[];
const owners = (obj: KubeObject) => Object.fromEntries(entries(obj).map((e) => [`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`, e.fieldsV1]));

function configMap(data: Record<string, string>, extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default", ...extra }, data };
}

/** Creates, then runs each write (manager, new object) as an update, as the store would. */
function write(start: KubeObject, manager: string, ...updates: Array<[string, KubeObject]>): KubeObject {
  let live = structuredClone(start);
  recordUpdate(CM, CM_INFO, undefined, live, { manager, subresource: "", now: T0 });
  live.metadata!.uid = "u1";
  updates.forEach(([who, next], i) => {
    const copy = structuredClone(next);
    copy.metadata = { ...copy.metadata, uid: "u1", managedFields: live.metadata?.managedFields };
    recordUpdate(CM, CM_INFO, live, copy, { manager: who, subresource: "", now: T0 + (i + 1) * 1000 });
    live = copy;
  });
  return live;
}

describe("updates", () => {
  test("a create is an Update entry owning what it set; maps that did not exist are owned too ('.')", () => {
    const obj = configMap({ a: "1" }, { labels: { app: "x" } });
    recordUpdate(CM, CM_INFO, undefined, obj, { manager: "kubectl-create", subresource: "", now: T0 });
    expect(entries(obj)).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "v1",
        time: "2025-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {}, "f:a": {} }, "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } },
      },
    ]);
  });

  test("the created Deployment's entry matches kube-apiserver's (zero-value structs are not 'added')", () => {
    const obj: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", labels: { app: "d" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "d" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        template: { metadata: { creationTimestamp: null, labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "i", resources: {} }] } },
      },
      status: {},
    };
    recordUpdate(DEPLOY, DEPLOY_INFO, undefined, obj, { manager: "kubectl-create", subresource: "", now: T0 });
    expect(entries(obj)[0]!.fieldsV1).toEqual({
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:strategy": { "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} }, "f:type": {} },
        "f:template": {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {}, "f:name": {}, "f:resources": {} } } },
        },
      },
    });
  });

  test("changing a field takes it from its owner; removing one takes it from everyone", () => {
    const obj = write(configMap({ a: "1", b: "2" }), "creator", ["editor", configMap({ a: "changed" })]);
    // The creator keeps the map it created (written as {} once nothing else of it is owned).
    expect(owners(obj)).toEqual({ "creator/Update": { "f:data": {} }, "editor/Update": { "f:data": { "f:a": {} } } });
  });

  test("a write that changes nothing leaves the entries and their times alone", () => {
    const once = write(configMap({ a: "1" }), "creator");
    const again = write(configMap({ a: "1" }), "creator", ["someone", configMap({ a: "1" })]);
    expect(again.metadata!.managedFields).toEqual(once.metadata!.managedFields);
  });

  test("the same manager writing again keeps what it owned and adds what it changed, with a new time", () => {
    const obj = write(configMap({ a: "1" }), "m", ["m", configMap({ a: "1", b: "2" })]);
    expect(entries(obj)).toMatchObject([{ manager: "m", time: "2025-01-01T00:00:01Z", fieldsV1: { "f:data": { ".": {}, "f:a": {}, "f:b": {} } } }]);
  });

  test("an object stored without managedFields stays untracked by updates", () => {
    const live = configMap({ a: "1" }, { uid: "u1" });
    const next = configMap({ a: "2" }, { uid: "u1" });
    recordUpdate(CM, CM_INFO, live, next, { manager: "m", subresource: "", now: T0 });
    expect(next.metadata!.managedFields).toBeUndefined();
  });

  test("managedFields sent with a write replace the recorded ones; [] clears them", () => {
    const live = write(configMap({ a: "1" }), "creator");
    const migrated = configMap({ a: "1" }, { uid: "u1", managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {} } } }] });
    recordUpdate(CM, CM_INFO, live, migrated, { manager: "kubectl", subresource: "", now: T0 });
    expect(owners(migrated)).toEqual({ "kubectl/Apply": { "f:data": { "f:a": {} } } });
    const reset = configMap({ a: "2" }, { uid: "u1", managedFields: [] });
    recordUpdate(CM, CM_INFO, live, reset, { manager: "m", subresource: "", now: T0 });
    expect(reset.metadata!.managedFields).toBeUndefined();
  });

  test("managedFields that do not decode are ignored in favour of the stored ones", () => {
    const live = write(configMap({ a: "1" }), "creator");
    const next = configMap({ a: "1" }, { uid: "u1", managedFields: [{ manager: "x", operation: "Sideways", apiVersion: "v1", fieldsType: "FieldsV1" }] });
    recordUpdate(CM, CM_INFO, live, next, { manager: "m", subresource: "", now: T0 });
    expect(next.metadata!.managedFields).toEqual(live.metadata!.managedFields);
  });

  test("/status writes own only the status, under subresource status; the main resource never owns it", () => {
    const live: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", uid: "u" }, spec: { replicas: 1 }, status: {} };
    recordUpdate(DEPLOY, DEPLOY_INFO, undefined, structuredClone(live), { manager: "creator", subresource: "", now: T0 });
    const created = structuredClone(live);
    recordUpdate(DEPLOY, DEPLOY_INFO, undefined, created, { manager: "creator", subresource: "", now: T0 });
    const status = structuredClone(created);
    status.status = { replicas: 1 };
    recordUpdate(DEPLOY, DEPLOY_INFO, created, status, { manager: "controller", subresource: "status", now: T0 });
    expect(owners(status)).toEqual({ "creator/Update": { "f:spec": { "f:replicas": {} } }, "controller/Update/status": { "f:status": { "f:replicas": {} } } });
    const main = structuredClone(status);
    (main.status as JsonObject).replicas = 7;
    recordUpdate(DEPLOY, DEPLOY_INFO, status, main, { manager: "creator", subresource: "", now: T0 });
    expect(owners(main)).toEqual(owners(status));
  });

  test("past ten Update managers the oldest are folded into ancient-changes", () => {
    const updates: Array<[string, KubeObject]> = [];
    const data: Record<string, string> = { k0: "v" };
    for (let i = 1; i <= 11; i++) {
      data[`k${i}`] = "v";
      updates.push([`m${i}`, configMap({ ...data })]);
    }
    const obj = write(configMap({ k0: "v" }), "m0", ...updates);
    const names = entries(obj).map((e) => e.manager);
    expect(names).toHaveLength(10);
    expect(names[0]).toBe("ancient-changes");
    expect(entries(obj)[0]!.fieldsV1).toEqual({ "f:data": { ".": {}, "f:k0": {}, "f:k1": {}, "f:k2": {} } });
    expect(names).not.toContain("m0");
    expect(names).not.toContain("m2");
  });
});

function apply(live: KubeObject | undefined, config: JsonObject, manager: string, opts: { force?: boolean; now?: number } = {}): KubeObject {
  const out = applyConfiguration(CM, CM_INFO, live, config, { manager, subresource: "", now: opts.now ?? T0, force: opts.force ?? false });
  out.metadata!.uid ??= "u1";
  return out;
}
const cmConfig = (data: Record<string, string>, extra: JsonObject = {}): JsonObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default", ...extra }, data });

describe("apply", () => {
  test("creates with one Apply entry owning exactly the configuration's fields", () => {
    const obj = apply(undefined, cmConfig({ a: "1" }, { labels: { x: "y" } }), "kubectl");
    expect(obj.data).toEqual({ a: "1" });
    expect(entries(obj)).toEqual([
      { manager: "kubectl", operation: "Apply", apiVersion: "v1", time: "2025-01-01T00:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {} }, "f:metadata": { "f:labels": { "f:x": {} } } } },
    ]);
  });

  test("changing another manager's field is a 409 naming both; force takes it over", () => {
    const live = apply(undefined, cmConfig({ a: "1", b: "1" }), "first");
    const err = failure(() => apply(live, cmConfig({ a: "2" }), "second"));
    expect(err.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "first": .data.a');
    expect(err.toStatus()).toMatchObject({ reason: "Conflict", details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "first"', field: ".data.a" }] } });
    const forced = apply(live, cmConfig({ a: "2" }), "second", { force: true });
    expect(forced.data).toEqual({ a: "2", b: "1" });
    expect(owners(forced)).toEqual({ "first/Apply": { "f:data": { "f:b": {} } }, "second/Apply": { "f:data": { "f:a": {} } } });
  });

  test("conflicts with Update managers name their version; several are listed by manager", () => {
    const live = write(configMap({ a: "1", b: "1" }), "kubectl-edit");
    const err = failure(() => apply(live, cmConfig({ a: "2", b: "2" }), "ssa"));
    expect(err.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl-edit" using v1:\n- .data.a\n- .data.b');
  });

  test("applying the value another manager set is no conflict: both own it", () => {
    const live = apply(undefined, cmConfig({ a: "1" }), "first");
    const both = apply(live, cmConfig({ a: "1" }), "second");
    expect(Object.keys(owners(both)).sort()).toEqual(["first/Apply", "second/Apply"]);
  });

  test("a field dropped from the configuration is removed, unless another manager owns it", () => {
    const live = apply(undefined, cmConfig({ a: "1", b: "1", c: "1" }), "first");
    const shared = apply(live, cmConfig({ c: "1" }), "second");
    const dropped = apply(shared, cmConfig({ a: "1" }), "first");
    expect(dropped.data).toEqual({ a: "1", c: "1" });
    expect(owners(dropped)).toEqual({ "first/Apply": { "f:data": { "f:a": {} } }, "second/Apply": { "f:data": { "f:c": {} } } });
  });

  test("re-applying the same configuration changes nothing, times included", () => {
    const live = apply(undefined, cmConfig({ a: "1" }), "m");
    const again = apply(live, cmConfig({ a: "1" }), "m", { now: T0 + 60_000 });
    expect(again).toEqual(live);
  });

  test("fields of an untracked object belong to before-first-apply", () => {
    const live = configMap({ a: "1", b: "2" }, { uid: "u1" });
    const err = failure(() => apply(live, cmConfig({ a: "9" }), "m"));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a');
  });

  test("kubectl may take over what its last client-side apply set, if unchanged since", () => {
    const lastApplied = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { a: "1", b: "1" } });
    const created = write(configMap({ a: "1", b: "1" }, { annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied } }), "kubectl-client-side-apply", [
      "kubectl-edit",
      configMap({ a: "1", b: "edited" }, { annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied } }),
    ]);
    // .data.a is still as last applied: excused. .data.b was edited since: still a conflict.
    const err = failure(() => apply(created, cmConfig({ a: "2", b: "2" }), "kubectl"));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.b');
    const ok = apply(created, cmConfig({ a: "2", b: "edited" }), "kubectl");
    expect(ok.data).toEqual({ a: "2", b: "edited" });
    // The annotation follows the configuration kubectl applied (keys sorted, as Go writes them).
    expect(ok.metadata!.annotations!["kubectl.kubernetes.io/last-applied-configuration"]).toBe('{"apiVersion":"v1","data":{"a":"2","b":"edited"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n');
    // Another manager gets no such excuse.
    expect(failure(() => apply(created, cmConfig({ a: "2" }), "other")).code).toBe(409);
  });

  test("requests upstream refuses", () => {
    expect(failure(() => apply(undefined, { ...cmConfig({}), kind: "Secret" }, "m")).message).toBe("invalid object type: /v1, Kind=Secret");
    expect(failure(() => apply(undefined, { data: {} }, "m")).message).toBe("invalid object type: /, Kind=");
    expect(failure(() => apply(undefined, cmConfig({}, { managedFields: [] }), "m")).message).toBe("metadata.managedFields must be nil");
    const unknown = failure(() => apply(undefined, { ...cmConfig({}), spec: {} }, "m"));
    expect(unknown.toStatus()).toMatchObject({ code: 500, message: "failed to create typed patch object (default/c; /v1, Kind=ConfigMap): .spec: field not declared in schema" });
    expect(unknown.toStatus().reason).toBeUndefined();
  });
});
