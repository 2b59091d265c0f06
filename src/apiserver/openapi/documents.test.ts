import { describe, expect, test } from "bun:test";
import type { GroupVersionKind } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import { builtinDefinitions as servedDefinitions } from "../resources/index.ts";
import { createOpenApi } from "./service.ts";
import type { Schema } from "./schema.ts";
import { builtins, configMaps, crontabs, deployments, pods } from "./testdata/resources.ts";
import type { OpenApiV3Document } from "./v3.ts";

type Json = Record<string, unknown>;
const asJson = (v: unknown): Json => v as Json;

/** What kubectl's query_param_verifier_v3 checks before it trusts the server with validation. */
function supportsFieldValidation(doc: OpenApiV3Document, gvk: GroupVersionKind): boolean {
  return Object.values(doc.paths).some((item) => {
    const patch = item.patch as Json | undefined;
    const opGvk = patch?.["x-kubernetes-group-version-kind"] as Record<string, string> | undefined;
    if (!opGvk || opGvk.group !== gvk.group || opGvk.version !== gvk.version || opGvk.kind !== gvk.kind) return false;
    return (patch!.parameters as Array<{ name: string }>).some((p) => p.name === "fieldValidation");
  });
}

/** Every $ref anywhere in a document. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/**
 * kubectl explain (pkg/explain/v2 plaintext template): the GVK comes from an operation on the
 * resource's list or item path, the schema is the component whose x-kubernetes-group-version-kind
 * contains exactly that {group, kind, version} map, and fields are followed through $ref, allOf,
 * items and additionalProperties.
 */
function explain(doc: OpenApiV3Document, group: string, version: string, resource: string, fieldPath: string[]): { gvk: Json; schema: Schema } {
  const prefix = group ? `/apis/${group}` : "/api";
  const candidates = [
    `${prefix}/${version}/${resource}`,
    `${prefix}/${version}/${resource}/{name}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}/{name}`,
  ];
  let gvk: Json | undefined;
  for (const path of candidates) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      gvk ??= asJson(asJson(doc.paths[path]?.[method])?.["x-kubernetes-group-version-kind"]);
    }
  }
  if (!gvk) throw new Error(`GVR not found in OpenAPI schema`);
  const schemas = doc.components.schemas;
  const sameMap = (a: Json, b: Json) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  let schema = Object.values(schemas).find((s) => (s["x-kubernetes-group-version-kind"] ?? []).some((g) => sameMap(asJson(g), gvk!)));
  if (!schema) throw new Error(`GVK not found in OpenAPI schema`);
  const resolve = (s: Schema): Schema => {
    if (s.$ref) return schemas[s.$ref.replace("#/components/schemas/", "")]!;
    if (s.allOf?.length === 1 && !s.properties) return resolve(s.allOf[0]!);
    if (s.items) return resolve(s.items);
    if (typeof s.additionalProperties === "object") return resolve(s.additionalProperties);
    return s;
  };
  for (const field of fieldPath) {
    const next = resolve(schema).properties?.[field];
    if (!next) throw new Error(`field "${field}" does not exist`);
    schema = resolve(next);
  }
  return { gvk, schema };
}

const api = () => {
  const openapi = createOpenApi([...builtins, crontabs]);
  openapi.registerCustomSchema({ group: "stable.example.com", version: "v1", kind: "CronTab" }, {
    type: "object",
    properties: { spec: { type: "object", properties: { cronSpec: { type: "string" }, replicas: { type: "integer" } } } },
  });
  return openapi;
};

describe("/openapi/v3 documents", () => {
  const openapi = api();

  test("the index lists every served group-version with a hashed URL", () => {
    const index = openapi.v3Index();
    expect(Object.keys(index.paths)).toEqual(["api/v1", "apis/apps/v1", "apis/rbac.authorization.k8s.io/v1", "apis/stable.example.com/v1"]);
    for (const [gv, { serverRelativeURL }] of Object.entries(index.paths)) {
      expect(serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${gv.replaceAll(".", "\\.")}\\?hash=[0-9A-F]{128}$`));
      expect(serverRelativeURL.endsWith(openapi.v3Rendered(gv)!.hash)).toBe(true);
    }
  });

  test("every served kind has a PATCH operation kubectl accepts for server-side validation", () => {
    const kinds: ResourceDefinition[] = [...builtins, crontabs];
    for (const r of kinds) {
      const doc = openapi.v3(r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`)!;
      expect(supportsFieldValidation(doc, { group: r.group, version: r.version, kind: r.kind })).toBe(true);
    }
    const core = openapi.v3("api/v1")!;
    expect(supportsFieldValidation(core, { group: "apps", version: "v1", kind: "Deployment" })).toBe(false);
  });

  test("every $ref of every document resolves within it", () => {
    for (const gv of Object.keys(openapi.v3Index().paths)) {
      const doc = openapi.v3(gv)!;
      const missing = refsIn(doc).filter((r) => !r.startsWith("#/components/schemas/") || !doc.components.schemas[r.slice("#/components/schemas/".length)]);
      expect(missing).toEqual([]);
    }
  });

  test("a group-version document holds its own paths and the schemas they reach, no more", () => {
    const apps = openapi.v3("apis/apps/v1")!;
    expect(Object.keys(apps.paths).every((p) => p.startsWith("/apis/apps/v1/"))).toBe(true);
    expect(apps.components.schemas["io.k8s.api.apps.v1.Deployment"]).toBeDefined();
    expect(apps.components.schemas["io.k8s.api.core.v1.Container"]).toBeDefined();
    expect(apps.components.schemas["io.k8s.api.autoscaling.v1.Scale"]).toBeDefined();
    expect(apps.components.schemas["io.k8s.api.core.v1.Service"]).toBeUndefined();
    expect(openapi.v3("apis/batch/v1")).toBeUndefined();
  });

  test("operations: paths, actions, ids, parameters and bodies as upstream lays them out", () => {
    const core = openapi.v3("api/v1")!;
    const pod = core.paths["/api/v1/namespaces/{namespace}/pods/{name}"]!;
    const patch = asJson(pod.patch);
    expect(patch.operationId).toBe("patchCoreV1NamespacedPod");
    expect(patch["x-kubernetes-action"]).toBe("patch");
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
    expect((patch.parameters as Array<{ name: string }>).map((p) => p.name)).toEqual(["dryRun", "fieldManager", "fieldValidation", "force"]);
    expect(Object.keys(asJson(asJson(patch.requestBody).content)).sort()).toEqual([
      "application/apply-patch+yaml",
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/strategic-merge-patch+json",
    ]);
    expect((pod.parameters as Array<{ name: string; in: string }>).map((p) => `${p.in}:${p.name}`)).toEqual(["path:namespace", "path:name", "query:pretty"]);
    expect(asJson(pod.get).operationId).toBe("readCoreV1NamespacedPod");
    expect(asJson(pod.put).operationId).toBe("replaceCoreV1NamespacedPod");
    expect(asJson(pod.delete)["x-kubernetes-action"]).toBe("delete");

    const collection = core.paths["/api/v1/namespaces/{namespace}/pods"]!;
    expect(asJson(collection.get)["x-kubernetes-action"]).toBe("list");
    // The list operation carries the item kind, which is what kubectl explain looks up.
    expect(asJson(collection.get)["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
    expect(asJson(collection.post).operationId).toBe("createCoreV1NamespacedPod");
    expect(asJson(collection.delete).operationId).toBe("deleteCoreV1CollectionNamespacedPod");
    expect(asJson(core.paths["/api/v1/pods"]!.get).operationId).toBe("listCoreV1PodForAllNamespaces");
    expect(asJson(core.paths["/api/v1/watch/namespaces/{namespace}/pods"]!.get)["x-kubernetes-action"]).toBe("watchlist");
    expect(asJson(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]!.patch).operationId).toBe("patchCoreV1NamespacedPodStatus");
    expect(asJson(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/log"]!.get)["x-kubernetes-action"]).toBe("get");
    expect(asJson(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/exec"]!.post)["x-kubernetes-action"]).toBe("connect");
    const eviction = asJson(core.paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]!.post);
    expect(eviction["x-kubernetes-group-version-kind"]).toEqual({ group: "policy", version: "v1", kind: "Eviction" });
    expect(refsIn(eviction.requestBody)).toEqual(["#/components/schemas/io.k8s.api.policy.v1.Eviction"]);

    // Namespaces are cluster-scoped and have no deletecollection here.
    expect(core.paths["/api/v1/namespaces"]!.delete).toBeUndefined();
    expect(asJson(core.paths["/api/v1/namespaces/{name}"]!.get).operationId).toBe("readCoreV1Namespace");

    const scale = asJson(openapi.v3("apis/apps/v1")!.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!.put);
    expect(scale.operationId).toBe("replaceAppsV1NamespacedDeploymentScale");
    expect(scale["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(scale.tags).toEqual(["apps_v1"]);
    expect(asJson(openapi.v3("apis/rbac.authorization.k8s.io/v1")!.paths["/apis/rbac.authorization.k8s.io/v1/clusterroles"]!.get).tags).toEqual(["rbacAuthorization_v1"]);
  });

  test("schemas in v3 form: component refs, allOf around described refs, IntOrString and Quantity unions", () => {
    const schemas = openapi.v3("api/v1")!.components.schemas;
    expect(schemas["io.k8s.api.core.v1.Pod"]!.properties!.spec).toEqual({ $ref: "#/components/schemas/io.k8s.api.core.v1.PodSpec" });
    const sizeLimit = schemas["io.k8s.api.core.v1.EmptyDirVolumeSource"]!.properties!.sizeLimit!;
    expect(sizeLimit.allOf).toEqual([{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }]);
    expect(sizeLimit.description).toStartWith("sizeLimit is the total amount");
    expect(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).toMatchObject({ format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] });
    expect(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!.type).toBeUndefined();
    expect(schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]).toMatchObject({ oneOf: [{ type: "string" }, { type: "number" }] });
    // The built-in kinds' strategic merge patch metadata rides along.
    expect(schemas["io.k8s.api.core.v1.PodSpec"]!.properties!.containers).toMatchObject({ "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge" });
  });

  test("kubectl explain finds pod.spec.containers and deployment.spec.strategy", () => {
    const core = openapi.v3("api/v1")!;
    const pod = explain(core, "", "v1", "pods", []);
    expect(pod.gvk).toEqual({ group: "", version: "v1", kind: "Pod" });
    expect(pod.schema.description).toStartWith("Pod is a collection");
    const containers = explain(core, "", "v1", "pods", ["spec", "containers"]);
    expect(containers.schema.required).toEqual(["name"]);
    expect(containers.schema.properties!.image!.description).toStartWith("Container image name.");
    expect(() => explain(core, "", "v1", "pods", ["spec", "nope"])).toThrow('field "nope" does not exist');
    const strategy = explain(openapi.v3("apis/apps/v1")!, "apps", "v1", "deployments", ["spec", "strategy"]);
    expect(Object.keys(strategy.schema.properties!)).toEqual(["rollingUpdate", "type"]);
    const cron = explain(openapi.v3("apis/stable.example.com/v1")!, "stable.example.com", "v1", "crontabs", ["spec"]);
    expect(Object.keys(cron.schema.properties!)).toEqual(["cronSpec", "replicas"]);
  });

  test("custom resources: CRD schema plus apiVersion, kind and ObjectMeta; no strategic merge patch", () => {
    const doc = openapi.v3("apis/stable.example.com/v1")!;
    const cronTab = doc.components.schemas["com.example.stable.v1.CronTab"]!;
    expect(Object.keys(cronTab.properties!).sort()).toEqual(["apiVersion", "kind", "metadata", "spec"]);
    expect(cronTab.properties!.metadata).toEqual({ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" });
    expect(doc.components.schemas["com.example.stable.v1.CronTabList"]!["x-kubernetes-group-version-kind"]).toEqual([{ group: "stable.example.com", version: "v1", kind: "CronTabList" }]);
    const patch = asJson(doc.paths["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"]!.patch);
    expect(Object.keys(asJson(asJson(patch.requestBody).content))).not.toContain("application/strategic-merge-patch+json");
  });

  test("a served kind without any schema gets an open one", () => {
    const widgets: ResourceDefinition = { group: "example.io", version: "v1alpha1", kind: "Widget", plural: "widgets", singular: "widget", namespaced: false };
    const doc = createOpenApi([widgets]).v3("apis/example.io/v1alpha1")!;
    const widget = doc.components.schemas["io.example.v1alpha1.Widget"]!;
    expect(widget["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    expect(widget["x-kubernetes-group-version-kind"]).toEqual([{ group: "example.io", version: "v1alpha1", kind: "Widget" }]);
    expect(supportsFieldValidation(doc, { group: "example.io", version: "v1alpha1", kind: "Widget" })).toBe(true);
  });

  test("verbs limit the operations", () => {
    const readOnly: ResourceDefinition = { ...configMaps, verbs: ["get", "list"] };
    const doc = createOpenApi([readOnly]).v3("api/v1")!;
    expect(Object.keys(doc.paths)).toEqual(["/api/v1/configmaps", "/api/v1/namespaces/{namespace}/configmaps", "/api/v1/namespaces/{namespace}/configmaps/{name}"]);
    expect(Object.keys(doc.paths["/api/v1/namespaces/{namespace}/configmaps/{name}"]!).sort()).toEqual(["get", "parameters"]);
  });
});

describe("/openapi/v2 document", () => {
  test("swagger 2.0 with every resource's paths and only the definitions they reach", () => {
    const v2 = createOpenApi([pods, deployments], { version: "v1.32.5" }).v2();
    expect(v2.swagger).toBe("2.0");
    expect(v2.info).toEqual({ title: "Kubernetes", version: "v1.32.5" });
    const patch = asJson(v2.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!.patch);
    expect(patch.consumes).toContain("application/apply-patch+yaml");
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    const params = patch.parameters as Array<Json>;
    expect(params.find((p) => p.name === "fieldValidation")).toMatchObject({ in: "query", type: "string", uniqueItems: true });
    expect(params.find((p) => p.name === "body")).toMatchObject({ in: "body", required: true, schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" } });
    expect(v2.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]).toBeDefined();
    expect(v2.paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]).toBeDefined();
    expect(v2.definitions["io.k8s.api.apps.v1.Deployment"]).toBeDefined();
    expect(v2.definitions["io.k8s.api.core.v1.Service"]).toBeUndefined();
    const missing = refsIn(v2).filter((r) => !v2.definitions[r.slice("#/definitions/".length)]);
    expect(missing).toEqual([]);
  });
});

describe("caching and hashes", () => {
  test("documents are cached until their content changes", () => {
    let served: ResourceDefinition[] = [pods];
    const openapi = createOpenApi(() => served);
    const first = openapi.v3Rendered("api/v1")!;
    expect(openapi.v3Rendered("api/v1")).toBe(first);
    const index1 = openapi.v3IndexRendered();
    expect(openapi.v3IndexRendered()).toBe(index1);

    // A new resource in the group-version changes its hash and the index.
    served = [pods, configMaps];
    const second = openapi.v3Rendered("api/v1")!;
    expect(second.hash).not.toBe(first.hash);
    expect(openapi.v3IndexRendered().json).not.toBe(index1.json);
    expect(openapi.v3Index().paths["api/v1"]!.serverRelativeURL).toEndWith(second.hash);

    // Same content again: same hash (the hash is of the content, not of the moment).
    served = [pods];
    expect(openapi.v3Rendered("api/v1")!.hash).toBe(first.hash);
  });

  test("registering a custom schema changes that group-version's hash only", () => {
    const openapi = createOpenApi([pods, crontabs]);
    const core = openapi.v3Rendered("api/v1")!.hash;
    const before = openapi.v3Rendered("apis/stable.example.com/v1")!.hash;
    openapi.registerCustomSchema({ group: "stable.example.com", version: "v1", kind: "CronTab" }, { type: "object", properties: { spec: { type: "object" } } });
    expect(openapi.v3Rendered("apis/stable.example.com/v1")!.hash).not.toBe(before);
    expect(openapi.v3Rendered("api/v1")!.hash).toBe(core);
    openapi.unregisterCustomSchema({ group: "stable.example.com", version: "v1", kind: "CronTab" });
    expect(openapi.v3Rendered("apis/stable.example.com/v1")!.hash).toBe(before);
  });
});

describe("the API server's own resource definitions", () => {
  const served = servedDefinitions();
  const openapi = createOpenApi(served);

  test("every served kind and its list have a generated schema (no open stand-ins)", () => {
    for (const r of served) {
      const doc = openapi.v3(r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`)!;
      const gvk = { group: r.group, version: r.version, kind: r.kind };
      // Read-only and create-only resources (ComponentStatus, Binding) have no PATCH to carry it.
      if (!r.verbs || r.verbs.includes("patch")) expect(supportsFieldValidation(doc, gvk)).toBe(true);
      const kinds = Object.values(doc.components.schemas).flatMap((s) => s["x-kubernetes-group-version-kind"] ?? []);
      expect(kinds).toContainEqual(gvk);
      // Create-only resources (Binding) have no list, upstream neither.
      if (!r.virtual) expect(kinds).toContainEqual({ ...gvk, kind: `${r.kind}List` });
      expect(Object.values(doc.components.schemas).some((s) => s["x-kubernetes-preserve-unknown-fields"])).toBe(false);
    }
  });

  test("handler-served subresources: objects where upstream has objects, text for streams", () => {
    const core = openapi.v3("api/v1")!;
    const pods = "/api/v1/namespaces/{namespace}/pods/{name}";
    expect(refsIn(asJson(core.paths[`${pods}/log`]!.get).responses)).toEqual([]);
    expect(asJson(core.paths[`${pods}/exec`]!.post)["x-kubernetes-action"]).toBe("connect");
    expect(asJson(core.paths[`${pods}/proxy/{path}`]!.delete)["x-kubernetes-action"]).toBe("connect");
    expect(refsIn(asJson(core.paths[`${pods}/binding`]!.post).requestBody)).toEqual(["#/components/schemas/io.k8s.api.core.v1.Binding"]);
    const token = asJson(core.paths["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"]!.post);
    expect(token["x-kubernetes-group-version-kind"]).toEqual({ group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" });
    const finalize = asJson(core.paths["/api/v1/namespaces/{name}/finalize"]!.put);
    expect(finalize.operationId).toBe("replaceCoreV1NamespaceFinalize");
    expect(refsIn(finalize.requestBody)).toEqual(["#/components/schemas/io.k8s.api.core.v1.Namespace"]);
    expect(asJson(core.paths[`${pods}/ephemeralcontainers`]!.patch)["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
  });
});
