import { describe, expect, test } from "bun:test";
import type { Model } from "./client-node-models.ts";
import type { Operation } from "./client-node-apis.ts";
import { assignHomes, packageOf, splitModelName } from "./model-homes.ts";

const model = (name: string, fields: Record<string, string> = {}): [string, Model] => [
  name,
  { name, fields: Object.entries(fields).map(([jsonName, tsType]) => ({ jsonName, tsType, format: "", required: false })) },
];
const op = (api: string, http: string, path: string, bodyModel?: string, responseModel?: string): Operation => ({ api, method: `${http}${path}`, http, path, bodyModel, responseModel });

describe("model names", () => {
  test("split into group prefix, version and kind", () => {
    expect(splitModelName("V1Pod")).toEqual({ prefix: undefined, version: "v1", name: "Pod" });
    expect(splitModelName("V1beta2DeviceClass")).toEqual({ prefix: undefined, version: "v1beta2", name: "DeviceClass" });
    expect(splitModelName("CoreV1Event")).toEqual({ prefix: "Core", version: "v1", name: "Event" });
    expect(splitModelName("VersionInfo")).toBeUndefined();
  });

  test("packages follow upstream's Go package names", () => {
    expect(packageOf({ group: "", version: "v1" })).toBe("io.k8s.api.core.v1");
    expect(packageOf({ group: "apps", version: "v1" })).toBe("io.k8s.api.apps.v1");
    expect(packageOf({ group: "rbac.authorization.k8s.io", version: "v1" })).toBe("io.k8s.api.rbac.v1");
    expect(packageOf({ group: "flowcontrol.apiserver.k8s.io", version: "v1" })).toBe("io.k8s.api.flowcontrol.v1");
    expect(packageOf({ group: "internal.apiserver.k8s.io", version: "v1alpha1" })).toBe("io.k8s.api.apiserverinternal.v1alpha1");
    expect(packageOf({ group: "apiextensions.k8s.io", version: "v1" })).toBe("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1");
  });
});

describe("assignHomes", () => {
  const models = new Map<string, Model>([
    model("V1Pod", { metadata: "V1ObjectMeta", spec: "V1PodSpec" }),
    model("V1PodList", { metadata: "V1ListMeta", items: "Array<V1Pod>" }),
    model("V1PodSpec", { containers: "Array<V1Container>", selector: "V1LabelSelector" }),
    model("V1Container", { name: "string" }),
    model("V1PodTemplateSpec", { spec: "V1PodSpec" }),
    model("V1PodTemplate", { template: "V1PodTemplateSpec" }),
    model("V1Deployment", { metadata: "V1ObjectMeta", spec: "V1DeploymentSpec" }),
    model("V1DeploymentSpec", { template: "V1PodTemplateSpec" }),
    model("V1Scale", { metadata: "V1ObjectMeta" }),
    model("V1ObjectMeta", { ownerReferences: "Array<V1OwnerReference>" }),
    model("V1OwnerReference", { uid: "string" }),
    model("V1ListMeta"),
    model("V1LabelSelector"),
    model("V1Status"),
  ]);
  const ops = [
    op("CoreV1Api", "POST", "/api/v1/namespaces/{namespace}/pods", "V1Pod", "V1Pod"),
    op("CoreV1Api", "GET", "/api/v1/namespaces/{namespace}/pods", undefined, "V1PodList"),
    op("CoreV1Api", "DELETE", "/api/v1/namespaces/{namespace}/pods/{name}", undefined, "V1Status"),
    op("CoreV1Api", "GET", "/api/v1/namespaces/{namespace}/podtemplates/{name}", undefined, "V1PodTemplate"),
    op("AppsV1Api", "PUT", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "V1Deployment", "V1Deployment"),
    op("AppsV1Api", "PUT", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "V1Scale", "V1Scale"),
  ];

  test("kinds from operations, meta from metadata and non-kind bodies, the rest from reachability", () => {
    const homes = assignHomes(models, ops);
    const def = (m: string) => homes.get(m)?.definition;
    expect(homes.get("V1Pod")).toEqual({ definition: "io.k8s.api.core.v1.Pod", gvk: { group: "", version: "v1", kind: "Pod" } });
    expect(homes.get("V1PodList")?.gvk).toEqual({ group: "", version: "v1", kind: "PodList" });
    expect(homes.get("V1Deployment")?.gvk).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    // deployments/scale bodies are autoscaling/v1 Scale, not apps.
    expect(homes.get("V1Scale")?.gvk).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(def("V1ObjectMeta")).toBe("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    expect(def("V1OwnerReference")).toBe("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference");
    expect(def("V1ListMeta")).toBe("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta");
    expect(def("V1Status")).toBe("io.k8s.apimachinery.pkg.apis.meta.v1.Status");
    expect(homes.get("V1Status")?.gvk).toEqual({ group: "", version: "v1", kind: "Status" });
    // Listed as meta even though only core reaches it here.
    expect(def("V1LabelSelector")).toBe("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector");
    // Reached from core and apps: core's.
    expect(def("V1PodTemplateSpec")).toBe("io.k8s.api.core.v1.PodTemplateSpec");
    expect(def("V1DeploymentSpec")).toBe("io.k8s.api.apps.v1.DeploymentSpec");
    expect(def("V1Container")).toBe("io.k8s.api.core.v1.Container");
  });

  test("a type two non-core groups share stops the generator", () => {
    const shared = new Map<string, Model>([
      model("V1Foo", { spec: "V1Shared" }),
      model("V1Bar", { spec: "V1Shared" }),
      model("V1Shared"),
    ]);
    const sharedOps = [
      op("AppsV1Api", "POST", "/apis/apps/v1/foos", "V1Foo"),
      op("BatchV1Api", "POST", "/apis/batch/v1/bars", "V1Bar"),
    ];
    expect(() => assignHomes(shared, sharedOps)).toThrow(/cannot tell the group of:\n\s+V1Shared: apps\/v1, batch\/v1/);
  });

  test("one model claimed as a kind of two group-versions stops the generator", () => {
    const twice = new Map<string, Model>([model("V1Foo")]);
    expect(() => assignHomes(twice, [op("AppsV1Api", "POST", "/apis/apps/v1/foos", "V1Foo"), op("BatchV1Api", "POST", "/apis/batch/v1/foos", "V1Foo")])).toThrow(/claimed by apps\/v1 and batch\/v1/);
  });
});
