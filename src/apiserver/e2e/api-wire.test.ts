/**
 * What the API answers, byte for byte where clients depend on it, against a real `kts server`
 * and kube-apiserver 1.32: representations (Table, PartialObjectMetadata, YAML, protobuf), dry
 * run, DeleteOptions and delete responses, errors for unknown paths and unsupported verbs,
 * discovery in both forms, health and version.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { KubeList, KubeObject } from "../api/types.ts";
import { decodeObject, WatchStreamDecoder } from "../protobuf/index.ts";
import { API_CONTROLLERS_ONLY } from "../../testing/controllers.ts";
import { serverForFile } from "./fixtures.ts";

const { api } = serverForFile(API_CONTROLLERS_ONLY);
beforeAll(async () => {
  for (const ns of ["wire", "writes"]) await api.send("POST", "/api/v1/namespaces", { metadata: { name: ns } });
  await api.send("POST", "/api/v1/namespaces/wire/configmaps", cm("shown", { a: "1", b: "2" }));
});

const cm = (name: string, data: Record<string, string> = { k: "v" }): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
const PROTOBUF = "application/vnd.kubernetes.protobuf";
/** Media type parameters, order-insensitive. */
const mediaType = (value: string | null) => {
  const [type, ...params] = (value ?? "").split(";").map((p) => p.trim());
  return { type, params: Object.fromEntries(params.map((p) => p.split("=") as [string, string])) };
};

describe("representations", () => {
  test("Table for list and get, with includeObject None, Metadata (default) and Object", async () => {
    const list = await api.request("/api/v1/namespaces/wire/configmaps", { headers: { Accept: `${TABLE},application/json` } });
    expect(mediaType(list.headers.get("content-type"))).toEqual({ type: "application/json", params: { as: "Table", v: "v1", g: "meta.k8s.io" } });
    const table = list.json<{ kind: string; apiVersion: string; metadata: { resourceVersion: string }; columnDefinitions: Array<{ name: string; type: string; format: string; priority: number }>; rows: Array<{ cells: unknown[]; object?: KubeObject }> }>();
    expect(table).toMatchObject({ kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(table.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ["Name", "string", "name", 0],
      ["Data", "string", "", 0],
      ["Age", "string", "", 0],
    ]);
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]!.cells.slice(0, 2)).toEqual(["shown", 2]);
    expect(table.rows[0]!.object).toMatchObject({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name: "shown", namespace: "wire" } });
    expect(table.rows[0]!.object).not.toHaveProperty("data");

    const none = await api.get<{ rows: Array<{ object?: unknown }> }>("/api/v1/namespaces/wire/configmaps?includeObject=None", { Accept: TABLE });
    expect(none.rows[0]).not.toHaveProperty("object");
    const full = await api.get<{ rows: Array<{ object?: KubeObject }> }>("/api/v1/namespaces/wire/configmaps/shown?includeObject=Object", { Accept: TABLE });
    expect(full.rows).toHaveLength(1);
    expect(full.rows[0]!.object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1", data: { a: "1", b: "2" } });
  });

  test("Table on a watch: one row per event, column definitions with the first", async () => {
    const w = await api.watch("/api/v1/namespaces/wire/configmaps?watch=1&timeoutSeconds=1", { headers: { Accept: TABLE } });
    expect(mediaType(w.headers.get("content-type")).params.as).toBe("Table");
    const [first] = await w.rest(4000);
    expect(first).toMatchObject({ type: "ADDED", object: { kind: "Table", apiVersion: "meta.k8s.io/v1" } });
    const table = first!.object as unknown as { columnDefinitions: unknown[]; rows: Array<{ cells: unknown[] }> };
    expect(table.columnDefinitions).toHaveLength(3);
    expect(table.rows.map((r) => r.cells[0])).toEqual(["shown"]);
  });

  test("PartialObjectMetadata for get and watch, PartialObjectMetadataList for list", async () => {
    const one = await api.request("/api/v1/namespaces/wire/configmaps/shown", { headers: { Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" } });
    expect(mediaType(one.headers.get("content-type"))).toEqual({ type: "application/json", params: { as: "PartialObjectMetadata", g: "meta.k8s.io", v: "v1" } });
    const partial = one.json<KubeObject>();
    expect(Object.keys(partial).sort()).toEqual(["apiVersion", "kind", "metadata"]);
    expect(partial).toMatchObject({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name: "shown", namespace: "wire", uid: expect.any(String) } });

    const many = await api.request("/api/v1/namespaces/wire/configmaps", { headers: { Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json" } });
    expect(mediaType(many.headers.get("content-type")).params.as).toBe("PartialObjectMetadataList");
    const list = many.json<KubeList>();
    expect(list).toMatchObject({ kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: expect.any(String) } });
    expect(list.items.map((i) => [i.kind, i.apiVersion, i.metadata!.name, "data" in i])).toEqual([["PartialObjectMetadata", "meta.k8s.io/v1", "shown", false]]);

    const w = await api.watch("/api/v1/namespaces/wire/configmaps?watch=1&timeoutSeconds=1", { headers: { Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" } });
    const events = await w.rest(4000);
    expect(events.map((e) => [e.type, e.object.kind, e.object.metadata!.name])).toEqual([["ADDED", "PartialObjectMetadata", "shown"]]);
  });

  test("a built-in type's list items carry no apiVersion/kind (a typed list upstream)", async () => {
    const list = await api.get<KubeList>("/api/v1/namespaces/wire/configmaps");
    expect(list).toMatchObject({ kind: "ConfigMapList", apiVersion: "v1" });
    expect(list.items.map((i) => Object.keys(i).sort())).toEqual([["data", "metadata"]]);
  });

  test("YAML", async () => {
    const r = await api.request("/api/v1/namespaces/wire/configmaps/shown", { headers: { Accept: "application/yaml" } });
    expect(r.headers.get("content-type")).toBe("application/yaml");
    const doc = Bun.YAML.parse(r.text) as KubeObject;
    expect(doc).toEqual(await api.get("/api/v1/namespaces/wire/configmaps/shown"));
  });

  test("protobuf for get, list and watch of a built-in type", async () => {
    const json = await api.get("/api/v1/namespaces/wire/configmaps/shown");
    const one = await api.request("/api/v1/namespaces/wire/configmaps/shown", { headers: { Accept: `${PROTOBUF}, application/json` } });
    expect(one.headers.get("content-type")).toBe(PROTOBUF);
    expect(Buffer.from(one.bytes.subarray(0, 4)).toString("latin1")).toBe("k8s\0");
    expect(decodeObject(one.bytes)).toEqual(json);

    const list = await api.request("/api/v1/namespaces/wire/configmaps", { headers: { Accept: PROTOBUF } });
    const decoded = decodeObject(list.bytes) as unknown as KubeList;
    expect(decoded.kind).toBe("ConfigMapList");
    expect(decoded).toEqual(await api.get<KubeList>("/api/v1/namespaces/wire/configmaps?resourceVersion=0"));

    const decoder = new WatchStreamDecoder();
    const w = await api.watch("/api/v1/namespaces/wire/configmaps?watch=1&timeoutSeconds=1", { headers: { Accept: PROTOBUF }, decode: (chunk) => decoder.push(chunk) });
    expect(w.headers.get("content-type")).toBe("application/vnd.kubernetes.protobuf;stream=watch");
    expect(await w.rest(4000)).toEqual([{ type: "ADDED", object: json }]);
  });

  test("a representation nobody can produce is 406", async () => {
    const r = await api.request("/api/v1/namespaces/wire/configmaps/shown", { headers: { Accept: "text/html" } });
    expect(r.status).toBe(406);
    expect(r.json()).toMatchObject({ kind: "Status", reason: "NotAcceptable", code: 406 });
  });
});

describe("writes: dry run and delete options", () => {
  test("dryRun=All: create, update and delete answer as if done, and nothing changes", async () => {
    const dry = await api.request("/api/v1/namespaces/writes/configmaps?dryRun=All", { method: "POST", body: cm("dry") });
    expect(dry.status).toBe(201);
    expect(dry.json()).toMatchObject({ metadata: { name: "dry", uid: expect.any(String) }, data: { k: "v" } });
    expect((await api.request("/api/v1/namespaces/writes/configmaps/dry")).status).toBe(404);

    const real = await api.send("POST", "/api/v1/namespaces/writes/configmaps", cm("real"));
    const update = await api.request("/api/v1/namespaces/writes/configmaps/real?dryRun=All", { method: "PUT", body: cm("real", { k: "changed" }) });
    expect(update.status).toBe(200);
    expect(update.json()).toMatchObject({ data: { k: "changed" } });
    const patch = await api.request("/api/v1/namespaces/writes/configmaps/real?dryRun=All", { method: "PATCH", body: { data: { k: "patched" } }, headers: { "Content-Type": "application/merge-patch+json" } });
    expect(patch.json()).toMatchObject({ data: { k: "patched" } });
    const del = await api.request("/api/v1/namespaces/writes/configmaps/real?dryRun=All", { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await api.get("/api/v1/namespaces/writes/configmaps/real")).toEqual(real);
  });

  test("PUT: the body must name the object of the URL; a patch naming a stale resourceVersion is 409", async () => {
    await api.send("POST", "/api/v1/namespaces/writes/configmaps", cm("named"));
    for (const [bodyName, shown] of [[undefined, ""], ["other", "other"]] as const) {
      const r = await api.request("/api/v1/namespaces/writes/configmaps/named", { method: "PUT", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: bodyName }, data: {} } });
      expect({ status: r.status, body: r.json() }).toMatchObject({ status: 400, body: { reason: "BadRequest", message: `the name of the object (${shown}) does not match the name on the URL (named)` } });
    }
    const stale = await api.request("/api/v1/namespaces/writes/configmaps/named", { method: "PATCH", body: { metadata: { resourceVersion: "1" }, data: { k: "x" } }, headers: { "Content-Type": "application/merge-patch+json" } });
    expect({ status: stale.status, body: stale.json() }).toMatchObject({ status: 409, body: { reason: "Conflict", message: 'Operation cannot be fulfilled on configmaps "named": the object has been modified; please apply your changes to the latest version and try again' } });
  });

  test("an unknown dryRun value is 422 Invalid <Verb>Options", async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ["POST", "/api/v1/namespaces/writes/configmaps?dryRun=Maybe", cm("x"), "CreateOptions"],
      ["PUT", "/api/v1/namespaces/writes/configmaps/real?dryRun=Maybe", cm("real"), "UpdateOptions"],
      ["DELETE", "/api/v1/namespaces/writes/configmaps/real?dryRun=Maybe", undefined, "DeleteOptions"],
    ];
    for (const [method, path, body, kind] of cases) {
      const r = await api.request(path, { method, body });
      expect({ method, status: r.status, body: r.json() }).toMatchObject({
        method,
        status: 422,
        body: {
          reason: "Invalid",
          message: `${kind}.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Maybe"}: supported values: "All"`,
          details: { group: "meta.k8s.io", kind, causes: [{ reason: "FieldValueNotSupported", field: "dryRun", message: 'Unsupported value: []string{"Maybe"}: supported values: "All"' }] },
        },
      });
    }
    expect((await api.request("/api/v1/namespaces/writes/configmaps/real")).status).toBe(200);
  });

  test("DeleteOptions come from the body when there is one, else from the query", async () => {
    const target = await api.send("POST", "/api/v1/namespaces/writes/configmaps", cm("precondition"));
    const stale = await api.request("/api/v1/namespaces/writes/configmaps/precondition", { method: "DELETE", body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "not-it" } } });
    expect(stale.status).toBe(409);
    expect(stale.json()).toMatchObject({ reason: "Conflict", message: `Operation cannot be fulfilled on ConfigMap "precondition": the UID in the precondition (not-it) does not match the UID in record (${target.metadata!.uid}). The object might have been deleted and then recreated` });

    const badQuery = await api.request("/api/v1/namespaces/writes/configmaps/precondition?propagationPolicy=Sometimes", { method: "DELETE" });
    expect(badQuery.status).toBe(422);
    expect(badQuery.json()).toMatchObject({ message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"' });
    const badBody = await api.request("/api/v1/namespaces/writes/configmaps/precondition", { method: "DELETE", body: { propagationPolicy: "Background", orphanDependents: true } });
    expect(badBody.status).toBe(422);
    expect(badBody.json()).toMatchObject({ message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Background": orphanDependents and deletionPropagation cannot be both set' });

    // With a body, the query is not read: this dryRun does not apply and the object goes.
    const gone = await api.request("/api/v1/namespaces/writes/configmaps/precondition?dryRun=All", { method: "DELETE", body: { preconditions: { uid: target.metadata!.uid } } });
    expect(gone.status).toBe(200);
    expect((await api.request("/api/v1/namespaces/writes/configmaps/precondition")).status).toBe(404);
  });

  test("delete answers: a Status for most types, the object for pods and the like, the object while finalizers hold it", async () => {
    const made = await api.send("POST", "/api/v1/namespaces/writes/configmaps", cm("status-answer"));
    const r = await api.request("/api/v1/namespaces/writes/configmaps/status-answer", { method: "DELETE" });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: "status-answer", kind: "configmaps", uid: made.metadata!.uid } });
    const deploy = await api.send("POST", "/apis/apps/v1/namespaces/writes/deployments", {
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
    });
    const d = await api.request("/apis/apps/v1/namespaces/writes/deployments/web", { method: "DELETE", body: { propagationPolicy: "Background" } });
    expect(d.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: "web", group: "apps", kind: "deployments", uid: deploy.metadata!.uid } });

    await api.send("POST", "/api/v1/namespaces/writes/serviceaccounts", { metadata: { name: "robot" } });
    const sa = await api.request("/api/v1/namespaces/writes/serviceaccounts/robot", { method: "DELETE" });
    expect(sa.json()).toMatchObject({ kind: "ServiceAccount", metadata: { name: "robot" } });

    await api.send("POST", "/api/v1/namespaces/writes/configmaps", { ...cm("held"), metadata: { name: "held", finalizers: ["example.com/hold"] } });
    const held = await api.request("/api/v1/namespaces/writes/configmaps/held", { method: "DELETE" });
    expect(held.status).toBe(200);
    expect(held.json()).toMatchObject({ kind: "ConfigMap", metadata: { name: "held", deletionTimestamp: expect.any(String) } });
    const asked = await api.request("/api/v1/namespaces/writes/configmaps/held", { method: "DELETE", body: { orphanDependents: false } });
    expect(asked.status).toBe(202);
  });
});

describe("deletecollection", () => {
  test("deletes what the label selector matches and answers the list it deleted", async () => {
    for (const [name, pick] of [["dc-1", "yes"], ["dc-2", "yes"], ["dc-3", "no"]] as const) {
      await api.send("POST", "/api/v1/namespaces/writes/configmaps", { ...cm(name), metadata: { name, labels: { pick } } });
    }
    const r = await api.request("/api/v1/namespaces/writes/configmaps?labelSelector=pick%3Dyes", { method: "DELETE" });
    expect(r.status).toBe(200);
    const list = r.json<KubeList>();
    expect(list).toMatchObject({ kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: expect.any(String) } });
    expect(list.items.map((i) => i.metadata!.name)).toEqual(["dc-1", "dc-2"]);
    const left = await api.get<KubeList>("/api/v1/namespaces/writes/configmaps?labelSelector=pick");
    expect(left.items.map((i) => i.metadata!.name)).toEqual(["dc-3"]);
  });

  // The store hands these deletions to the garbage collector through its two finalizers. An
  // owner held by a finalizer of its own stays observable however fast the collector is.
  for (const [policy, finalizer] of [["Foreground", "foregroundDeletion"], ["Orphan", "orphan"]] as const) {
    test(`propagationPolicy=${policy} keeps the owner with the ${finalizer} finalizer for the garbage collector`, async () => {
      const path = `/api/v1/namespaces/writes/configmaps/owner-${finalizer.toLowerCase()}`;
      await api.send("POST", "/api/v1/namespaces/writes/configmaps", { ...cm(`owner-${finalizer.toLowerCase()}`), metadata: { name: `owner-${finalizer.toLowerCase()}`, finalizers: ["example.com/hold"] } });
      const r = await api.request(path, { method: "DELETE", body: { propagationPolicy: policy } });
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ metadata: { finalizers: ["example.com/hold", finalizer], deletionTimestamp: expect.any(String) } });
      // The collector (no dependents to handle) removes its finalizer; the owner's own stays.
      const deadline = Date.now() + 5000;
      let current = (await api.request(path)).json<KubeObject>();
      while (current.metadata?.finalizers?.includes(finalizer) && Date.now() < deadline) {
        await Bun.sleep(20);
        current = (await api.request(path)).json<KubeObject>();
      }
      expect(current.metadata?.finalizers).toEqual(["example.com/hold"]);
      await api.send("PATCH", path, { metadata: { finalizers: null } }, { "Content-Type": "application/merge-patch+json" });
      expect((await api.request(path)).status).toBe(404);
    });
  }
});

describe("errors for paths and verbs", () => {
  const notFound = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 };
  const notAllowed = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server does not allow this method on the requested resource", reason: "MethodNotAllowed", details: {}, code: 405 };

  test("unknown groups, versions, resources and subresources are 404 with a generic Status", async () => {
    for (const path of ["/apis/nope.example.com/v1/things", "/apis/apps/v9/deployments", "/api/v1/gizmos", "/api/v1/namespaces/wire/gizmos/x", "/api/v1/namespaces/wire/configmaps/shown/status", "/apis/nope.example.com", "/apis/apps/v9"]) {
      const r = await api.request(path);
      expect({ path, status: r.status, body: r.json() }).toEqual({ path, status: 404, body: notFound });
    }
    const missing = await api.request("/api/v1/namespaces/wire/configmaps/missing");
    expect(missing.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'configmaps "missing" not found', reason: "NotFound", details: { name: "missing", kind: "configmaps" }, code: 404 });
  });

  test("a verb the resource does not serve is 405", async () => {
    const cases: Array<[string, string]> = [
      ["DELETE", "/api/v1/namespaces"],
      ["POST", "/api/v1/namespaces/wire/configmaps/shown"],
      ["POST", "/api/v1/configmaps"],
      ["DELETE", "/api/v1/namespaces/wire/pods/none/status"],
    ];
    for (const [method, path] of cases) {
      const r = await api.request(path, { method, body: method === "POST" ? cm("x") : undefined });
      expect({ method, path, status: r.status, body: r.json() }).toEqual({ method, path, status: 405, body: notAllowed });
    }
  });
});

describe("discovery", () => {
  const V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  const V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

  test("aggregated discovery, v2 and v2beta1, for /api and /apis", async () => {
    for (const [accept, version] of [[V2, "v2"], [V2BETA1, "v2beta1"]] as const) {
      const core = await api.request("/api", { headers: { Accept: `${accept},application/json` } });
      expect(mediaType(core.headers.get("content-type"))).toEqual({ type: "application/json", params: { g: "apidiscovery.k8s.io", v: version, as: "APIGroupDiscoveryList" } });
      const doc = core.json<{ kind: string; apiVersion: string; items: Array<{ metadata: { name: string }; versions: Array<{ version: string; resources: Array<Record<string, unknown>> }> }> }>();
      expect(doc).toMatchObject({ kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}` });
      expect(doc.items.map((i) => i.metadata.name)).toEqual([""]);
      const pods = doc.items[0]!.versions[0]!.resources.find((r) => r.resource === "pods");
      expect(pods).toMatchObject({ resource: "pods", responseKind: { group: "", version: "v1", kind: "Pod" }, scope: "Namespaced", singularResource: "pod", shortNames: ["po"], categories: ["all"] });
      const groups = (await api.request("/apis", { headers: { Accept: accept } })).json<typeof doc>();
      expect(groups.items.map((i) => i.metadata.name)).toEqual(expect.arrayContaining(["apps", "batch", "coordination.k8s.io", "events.k8s.io"]));
      const deployments = groups.items.find((i) => i.metadata.name === "apps")!.versions[0]!.resources.find((r) => r.resource === "deployments");
      expect(deployments).toMatchObject({ scope: "Namespaced", subresources: expect.arrayContaining([expect.objectContaining({ subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" } })]) });
    }
  });

  // Upstream fills serverAddressByClientCIDRs from the advertise address.
  test('legacy /api and /apis carry serverAddressByClientCIDRs [{clientCIDR: "0.0.0.0/0", serverAddress: "<advertise>:<port>"}]', async () => {
    const address = { clientCIDR: "0.0.0.0/0", serverAddress: expect.stringMatching(/^[\d.]+:\d+$/) };
    expect(await api.get("/api")).toEqual({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [address] });
    const groups = await api.get<{ groups: Array<{ serverAddressByClientCIDRs?: unknown }> }>("/apis");
    for (const g of groups.groups) expect(g.serverAddressByClientCIDRs).toEqual([address]);
  });

  test("legacy discovery: /api, /apis, /api/v1, /apis/apps, /apis/apps/v1", async () => {
    expect(await api.get("/api")).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = await api.get<{ kind: string; apiVersion: string; groups: Array<{ name: string; versions: unknown[]; preferredVersion: unknown }> }>("/apis");
    expect(groups).toMatchObject({ kind: "APIGroupList", apiVersion: "v1" });
    expect(groups.groups.find((g) => g.name === "apps")).toMatchObject({ name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } });
    expect(await api.get("/apis/apps")).toEqual({ kind: "APIGroup", apiVersion: "v1", name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } });
    const core = await api.get<{ kind: string; groupVersion: string; resources: Array<Record<string, unknown>> }>("/api/v1");
    expect(core).toMatchObject({ kind: "APIResourceList", apiVersion: "v1", groupVersion: "v1" });
    expect(core.resources.find((r) => r.name === "configmaps")).toMatchObject({ name: "configmaps", singularName: "configmap", namespaced: true, kind: "ConfigMap", shortNames: ["cm"], verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] });
    expect(core.resources.find((r) => r.name === "namespaces")!.verbs).toEqual(["create", "delete", "get", "list", "patch", "update", "watch"]);
    expect(core.resources.find((r) => r.name === "pods/status")).toMatchObject({ name: "pods/status", singularName: "", namespaced: true, kind: "Pod", verbs: ["get", "patch", "update"] });
    const apps = await api.get<{ groupVersion: string; resources: Array<Record<string, unknown>> }>("/apis/apps/v1");
    expect(apps.groupVersion).toBe("apps/v1");
    expect(apps.resources.find((r) => r.name === "deployments/scale")).toMatchObject({ group: "autoscaling", version: "v1", kind: "Scale" });
  });
});

describe("health and version", () => {
  test("/healthz, /livez and /readyz: ok, and verbose lists the checks", async () => {
    for (const name of ["healthz", "livez", "readyz"]) {
      const plain = await api.request(`/${name}`);
      expect({ name, status: plain.status, text: plain.text }).toEqual({ name, status: 200, text: "ok" });
      expect(plain.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const verbose = await api.request(`/${name}?verbose`);
      expect(verbose.status).toBe(200);
      expect(verbose.text).toStartWith("[+]ping ok\n");
      expect(verbose.text).toEndWith(`\n${name} check passed\n`);
    }
  });

  test("/version", async () => {
    const v = await api.get<Record<string, string>>("/version");
    expect(Object.keys(v).sort()).toEqual(["buildDate", "compiler", "gitCommit", "gitTreeState", "gitVersion", "goVersion", "major", "minor", "platform"]);
    expect(v).toMatchObject({ major: "1", minor: "32", gitVersion: expect.stringMatching(/^v1\.32\.\d+/) });
  });
});
