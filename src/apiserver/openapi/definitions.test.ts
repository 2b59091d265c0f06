import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { encode, generate, OUTPUT } from "../../../scripts/gen-openapi.ts";
import { builtinDefinitionFor, builtinDefinitions, builtinDocumentDefinitions } from "./definitions.ts";
import { reachableDefinitions } from "./reachable.ts";
import { refName, type Schema } from "./schema.ts";

const defs = builtinDocumentDefinitions().definitions;
const def = (name: string): Schema => {
  const d = defs[name];
  if (!d) throw new Error(`no definition ${name}`);
  return d;
};
const prop = (name: string, property: string): Schema => {
  const p = def(name).properties?.[property];
  if (!p) throw new Error(`${name} has no property ${property}`);
  return p;
};
const ref = (name: string) => `#/definitions/${name}`;

const POD = "io.k8s.api.core.v1.Pod";
const POD_SPEC = "io.k8s.api.core.v1.PodSpec";
const CONTAINER = "io.k8s.api.core.v1.Container";
const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const SERVICE = "io.k8s.api.core.v1.Service";

describe("generated definitions", () => {
  test("are what the generator makes from the installed @kubernetes/client-node", () => {
    const file = generate();
    const stored = gunzipSync(readFileSync(OUTPUT)).toString("utf8");
    expect(stored).toBe(JSON.stringify(file));
    // gzip output is byte-for-byte reproducible (no timestamp in the header).
    expect(Buffer.from(encode(file)).equals(readFileSync(OUTPUT))).toBe(true);
  });

  test("the resident copy (validation, typed merge) is the documents' without the description texts", () => {
    const strip = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(strip);
      if (v === null || typeof v !== "object") return v;
      return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === "description" && typeof x === "string")).map(([k, x]) => [k, strip(x)]));
    };
    const resident = builtinDefinitions().definitions;
    expect(resident).toEqual(strip(defs) as typeof resident);
    // A property named "description" is a schema, not a text: it stays.
    expect(resident["io.k8s.api.scheduling.v1.PriorityClass"]?.properties?.description?.type).toBe("string");
    expect(resident[POD]?.description).toBeUndefined();
  });

  test("say where they come from", () => {
    expect(builtinDefinitions().source.package).toBe("@kubernetes/client-node");
    expect(builtinDefinitions().source.specVersion).toMatch(/^release-1\.\d+$/);
  });

  test("Pod: properties, refs, GVK", () => {
    const pod = def(POD);
    expect(Object.keys(pod.properties ?? {}).sort()).toEqual(["apiVersion", "kind", "metadata", "spec", "status"]);
    expect(pod.type).toBe("object");
    expect(pod.description).toStartWith("Pod is a collection of containers");
    expect(prop(POD, "metadata").$ref).toBe(ref(OBJECT_META));
    expect(prop(POD, "spec").$ref).toBe(ref(POD_SPEC));
    expect(prop(POD, "kind")).toMatchObject({ type: "string" });
    expect(prop(POD, "kind").description).toStartWith("Kind is a string value");
    expect(pod["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
    expect(def("io.k8s.api.core.v1.PodList")["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "PodList" }]);
    expect(def("io.k8s.api.core.v1.PodList").required).toEqual(["items"]);
  });

  test("PodSpec and Container: required lists, arrays of refs, formats", () => {
    expect(def(POD_SPEC).required).toEqual(["containers"]);
    expect(prop(POD_SPEC, "containers")).toMatchObject({ type: "array", items: { $ref: ref(CONTAINER) } });
    expect(prop(POD_SPEC, "nodeSelector")).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(prop(POD_SPEC, "activeDeadlineSeconds")).toMatchObject({ type: "integer", format: "int64" });
    expect(def(CONTAINER).required).toEqual(["name"]);
    expect(prop(CONTAINER, "image")).toMatchObject({ type: "string" });
    expect(prop(CONTAINER, "image").description).toStartWith("Container image name.");
    expect(prop(CONTAINER, "ports")).toMatchObject({ type: "array", items: { $ref: ref("io.k8s.api.core.v1.ContainerPort") } });
    expect(prop("io.k8s.api.core.v1.ContainerPort", "containerPort")).toMatchObject({ type: "integer", format: "int32" });
    expect(prop(CONTAINER, "stdin")).toMatchObject({ type: "boolean" });
    // Quantities, which the models flatten to strings, are refs again.
    expect(prop("io.k8s.api.core.v1.ResourceRequirements", "limits")).toMatchObject({
      type: "object",
      additionalProperties: { $ref: ref("io.k8s.apimachinery.pkg.api.resource.Quantity") },
    });
    expect(prop("io.k8s.api.core.v1.EmptyDirVolumeSource", "sizeLimit").$ref).toBe(ref("io.k8s.apimachinery.pkg.api.resource.Quantity"));
  });

  test("descriptions are unescaped JSDoc text", () => {
    // The models escape quotes ("\'") and break "/*" up as "/_*"; neither reaches the definitions.
    const all = JSON.stringify(defs);
    expect(all).not.toContain("\\\\'");
    expect(all).not.toContain("/_*");
    expect(prop("io.k8s.api.authorization.v1.ResourceRule", "resources").description).toContain('"*/foo"');
    expect(def(CONTAINER).description).toBe("A single application container that you want to run within a pod.");
  });

  test("Deployment and Service", () => {
    expect(def(DEPLOYMENT)["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", version: "v1", kind: "Deployment" }]);
    expect(prop(DEPLOYMENT, "spec").$ref).toBe(ref("io.k8s.api.apps.v1.DeploymentSpec"));
    expect(def("io.k8s.api.apps.v1.DeploymentSpec").required).toEqual(["selector", "template"]);
    expect(prop("io.k8s.api.apps.v1.DeploymentSpec", "selector").$ref).toBe(ref("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"));
    expect(prop("io.k8s.api.apps.v1.DeploymentSpec", "template").$ref).toBe(ref("io.k8s.api.core.v1.PodTemplateSpec"));
    expect(prop("io.k8s.api.apps.v1.RollingUpdateDeployment", "maxSurge").$ref).toBe(ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
    expect(def(SERVICE)["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Service" }]);
    expect(prop("io.k8s.api.core.v1.ServicePort", "targetPort").$ref).toBe(ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
    expect(def("io.k8s.api.core.v1.ServicePort").required).toEqual(["port"]);
  });

  test("ObjectMeta and the apimachinery scalars", () => {
    const meta = def(OBJECT_META);
    expect(meta["x-kubernetes-group-version-kind"]).toBeUndefined();
    expect(meta.required).toBeUndefined();
    expect(prop(OBJECT_META, "labels")).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(prop(OBJECT_META, "creationTimestamp").$ref).toBe(ref("io.k8s.apimachinery.pkg.apis.meta.v1.Time"));
    expect(prop(OBJECT_META, "generation")).toMatchObject({ type: "integer", format: "int64" });
    expect(prop(OBJECT_META, "ownerReferences").items?.$ref).toBe(ref("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"));
    expect(def("io.k8s.apimachinery.pkg.apis.meta.v1.Time")).toMatchObject({ type: "string", format: "date-time" });
    expect(def("io.k8s.apimachinery.pkg.util.intstr.IntOrString")).toMatchObject({ type: "string", format: "int-or-string" });
    expect(def("io.k8s.apimachinery.pkg.api.resource.Quantity")).toMatchObject({ type: "string" });
    expect(prop("io.k8s.api.coordination.v1.LeaseSpec", "renewTime").$ref).toBe(ref("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"));
    expect(prop("io.k8s.api.core.v1.Secret", "data")).toMatchObject({ type: "object", additionalProperties: { type: "string", format: "byte" } });
  });

  test("types shared across groups keep the package that defines them", () => {
    expect(defs["io.k8s.api.autoscaling.v1.Scale"]?.["x-kubernetes-group-version-kind"]).toEqual([{ group: "autoscaling", version: "v1", kind: "Scale" }]);
    expect(defs["io.k8s.api.policy.v1.Eviction"]).toBeDefined();
    expect(defs["io.k8s.api.authentication.v1.TokenRequest"]).toBeDefined();
    expect(defs["io.k8s.api.storage.v1.TokenRequest"]).toBeDefined();
    expect(defs["io.k8s.api.core.v1.TopologySelectorTerm"]).toBeDefined();
    expect(defs["io.k8s.api.core.v1.Event"]).toBeDefined();
    expect(defs["io.k8s.api.events.v1.Event"]).toBeDefined();
    expect(defs["io.k8s.api.rbac.v1.Subject"]).toBeDefined();
    expect(defs["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"]).toBeDefined();
    expect(defs["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]).toBeDefined();
    expect(defs["io.k8s.apimachinery.pkg.version.Info"]).toBeDefined();
    for (const name of Object.keys(defs)) expect(name).toMatch(/^io\.k8s\.(api\.[a-z]+\.v\d+((alpha|beta)\d+)?|apimachinery\.pkg\.[a-z]+(\.[a-z]+)*(\.v1)?|apiextensions-apiserver\.pkg\.apis\.apiextensions\.v1|kube-aggregator\.pkg\.apis\.apiregistration\.v1)\.[A-Z]\w*$/);
  });

  test("every $ref resolves", () => {
    const dangling: string[] = [];
    const visit = (s: Schema, where: string) => {
      if (s.$ref && !defs[refName(s.$ref)]) dangling.push(`${where}: ${s.$ref}`);
      for (const [k, p] of Object.entries(s.properties ?? {})) visit(p, `${where}.${k}`);
      if (s.items) visit(s.items, `${where}[]`);
      if (typeof s.additionalProperties === "object") visit(s.additionalProperties, `${where}{}`);
    };
    for (const [name, d] of Object.entries(defs)) visit(d, name);
    expect(dangling).toEqual([]);
  });

  test("GVK index", () => {
    expect(builtinDefinitionFor({ group: "", version: "v1", kind: "Pod" })).toBe(POD);
    expect(builtinDefinitionFor({ group: "apps", version: "v1", kind: "DeploymentList" })).toBe("io.k8s.api.apps.v1.DeploymentList");
    expect(builtinDefinitionFor({ group: "", version: "v1", kind: "DeleteOptions" })).toBe("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    expect(builtinDefinitionFor({ group: "apps", version: "v1", kind: "Nope" })).toBeUndefined();
  });

  test("reachability from Pod stays in core and meta", () => {
    const names = reachableDefinitions([POD], (n) => defs[n]);
    expect(names).toContain(CONTAINER);
    expect(names).toContain("io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry");
    expect(names.every((n) => n.startsWith("io.k8s.api.core.v1.") || n.startsWith("io.k8s.apimachinery."))).toBe(true);
  });
});
