import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { applyPatch, PATCH_TYPES, type PatchSchemaSource } from "./index.ts";
import { thrownApiError as failure } from "../api/testing.ts";

const DEPLOYMENT_TARGET = { group: "apps", kind: "Deployment" };
const POD_TARGET = { group: "", kind: "Pod" };

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object") {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** A Deployment as the server stores it: defaults filled in, annotations, finalizers, status. */
function liveDeployment() {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      uid: "d-1",
      resourceVersion: "7",
      labels: { app: "web", tier: "front" },
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
      finalizers: ["a.example.com/x", "b.example.com/y"],
      ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "o-1" }],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.25",
              ports: [{ containerPort: 80, protocol: "TCP" }],
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
              ],
              imagePullPolicy: "IfNotPresent",
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
          restartPolicy: "Always",
        },
      },
    },
    status: { conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }] },
  };
}

type Live = ReturnType<typeof liveDeployment>;

function smp(patch: unknown, target: PatchSchemaSource = DEPLOYMENT_TARGET, live: object = liveDeployment()): Live {
  return applyPatch(PATCH_TYPES.strategic, live as KubeObject, JSON.stringify(patch), target) as unknown as Live;
}

describe("strategic merge patches as kubectl sends them", () => {
  test("kubectl apply: change the image and add a container", () => {
    const out = smp({
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}' } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
            containers: [
              { image: "nginx:1.26", name: "web" },
              { image: "busybox:1.36", name: "sidecar" },
            ],
          },
        },
      },
    });
    const live = liveDeployment();
    expect(out.spec.template.spec.containers).toEqual([{ ...live.spec.template.spec.containers[0]!, image: "nginx:1.26" }, { name: "sidecar", image: "busybox:1.36" }] as never);
    expect(out.metadata.annotations).toEqual({ "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}' });
    expect(out.spec.template.spec.volumes).toEqual(live.spec.template.spec.volumes);
  });

  test("kubectl apply: remove a container", () => {
    const twoContainers = liveDeployment();
    twoContainers.spec.template.spec.containers.push({ name: "sidecar", image: "busybox" } as never);
    const out = smp({ spec: { template: { spec: { "$setElementOrder/containers": [{ name: "web" }], containers: [{ $patch: "delete", name: "sidecar" }] } } } }, DEPLOYMENT_TARGET, twoContainers);
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(["web"]);
  });

  test("kubectl apply: switching to Recreate drops rollingUpdate through $retainKeys", () => {
    const out = smp({ spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } });
    expect(out.spec.strategy).toEqual({ type: "Recreate" } as never);
  });

  test("kubectl apply: switching a volume's source clears the old one through $retainKeys", () => {
    const out = smp({ spec: { template: { spec: { volumes: [{ $retainKeys: ["configMap", "name"], configMap: { name: "cm" }, name: "data" }] } } } });
    expect(out.spec.template.spec.volumes).toEqual([{ name: "data", configMap: { name: "cm" } }] as never);
  });

  test("kubectl edit: change one env var, drop a label", () => {
    const out = smp({
      metadata: { labels: { tier: null } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [{ "$setElementOrder/env": [{ name: "A" }, { name: "B" }], env: [{ name: "B", value: "3" }], name: "web" }],
          },
        },
      },
    });
    expect(out.metadata.labels).toEqual({ app: "web" } as never);
    expect(out.spec.template.spec.containers[0]!.env).toEqual([{ name: "A", value: "1" }, { name: "B", value: "3" }]);
  });

  test("kubectl patch: $patch: delete of a list item", () => {
    const out = smp({ spec: { template: { spec: { containers: [{ name: "web", env: [{ name: "A", $patch: "delete" }] }] } } } });
    expect(out.spec.template.spec.containers[0]!.env).toEqual([{ name: "B", value: "2" }]);
  });

  test("kubectl patch: ports merge by containerPort", () => {
    const out = smp({ spec: { template: { spec: { containers: [{ name: "web", ports: [{ containerPort: 80, name: "http" }, { containerPort: 8080 }] }] } } } });
    expect(out.spec.template.spec.containers[0]!.ports).toEqual([{ containerPort: 80, protocol: "TCP", name: "http" }, { containerPort: 8080 }] as never);
  });

  test("finalizers: $deleteFromPrimitiveList removes one", () => {
    const out = smp({ metadata: { "$deleteFromPrimitiveList/finalizers": ["a.example.com/x"] } });
    expect(out.metadata.finalizers).toEqual(["b.example.com/y"]);
  });

  test("finalizers: replace one with another in an apply patch", () => {
    const out = smp({
      metadata: {
        "$setElementOrder/finalizers": ["b.example.com/y", "c.example.com/z"],
        finalizers: ["c.example.com/z"],
        "$deleteFromPrimitiveList/finalizers": ["a.example.com/x"],
      },
    });
    expect(out.metadata.finalizers).toEqual(["b.example.com/y", "c.example.com/z"]);
  });

  test("ownerReferences merge by uid", () => {
    const out = smp({ metadata: { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "o-2" }] } });
    expect(out.metadata.ownerReferences.map((o) => o.uid)).toEqual(["o-2", "o-1"]);
  });

  test("status conditions merge by type (a controller's status patch)", () => {
    const out = smp({ status: { "$setElementOrder/conditions": [{ type: "Available" }, { type: "Progressing" }], conditions: [{ type: "Available", status: "False", reason: "MinimumReplicasUnavailable" }] } });
    expect(out.status.conditions).toEqual([{ type: "Available", status: "False", reason: "MinimumReplicasUnavailable" }, { type: "Progressing", status: "True" }] as never);
  });

  test("a Pod's containers merge by name", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] } };
    const out = smp({ spec: { containers: [{ name: "b", image: "z" }] } }, POD_TARGET, pod) as unknown as typeof pod;
    expect(out.spec.containers).toEqual([{ name: "a", image: "x" }, { name: "b", image: "z" }]);
  });

  test("a schema function works as well as a built-in kind", () => {
    const byName = (path: readonly string[]) => (path.join(".") === "items" ? { strategy: "merge" as const, mergeKey: "id" } : undefined);
    const out = applyPatch(PATCH_TYPES.strategic, { items: [{ id: 1, a: 1 }] } as unknown as KubeObject, '{"items":[{"id":1,"b":2}]}', byName);
    expect(out).toEqual({ items: [{ id: 1, a: 1, b: 2 }] } as unknown as KubeObject);
  });
});

describe("content types", () => {
  const obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } } as KubeObject;
  // Server-side apply is listed: the PATCH handler serves it (http/handlers/server-side-apply.ts).
  const BUILTIN_TYPES = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml";
  const CRD_TYPES = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

  test("parameters after ';' are ignored", () => {
    expect(applyPatch("application/merge-patch+json; charset=utf-8", obj, '{"data":{"b":"2"}}', { group: "", kind: "ConfigMap" }).data).toEqual({ a: "1", b: "2" });
  });

  const rejected: Array<[string, string | undefined, PatchSchemaSource, string]> = [
    ["server-side apply, which these engines do not do", PATCH_TYPES.apply, { group: "", kind: "ConfigMap" }, BUILTIN_TYPES],
    ["a non-patch type", "application/json", { group: "", kind: "ConfigMap" }, BUILTIN_TYPES],
    ["no content type", undefined, { group: "", kind: "ConfigMap" }, BUILTIN_TYPES],
    ["strategic merge on a custom resource", PATCH_TYPES.strategic, { group: "example.com", kind: "Widget" }, CRD_TYPES],
    ["strategic merge with no schema", PATCH_TYPES.strategic, undefined, CRD_TYPES],
    ["server-side apply of a custom resource, which these engines do not do", PATCH_TYPES.apply, { group: "example.com", kind: "Widget" }, CRD_TYPES],
  ];
  for (const [name, type, target, accepted] of rejected) {
    test(`415 for ${name}`, () => {
      const err = failure(() => applyPatch(type, obj, "{}", target));
      expect(err.toStatus()).toMatchObject({ code: 415, reason: "UnsupportedMediaType", message: `the body of the request was in an unknown format - accepted media types include: ${accepted}` });
    });
  }

  test("custom resources take JSON and merge patches", () => {
    const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { list: [1, 2] } } as KubeObject;
    const target = { group: "example.com", kind: "Widget" };
    expect(applyPatch(PATCH_TYPES.merge, widget, '{"spec":{"list":[3]}}', target).spec).toEqual({ list: [3] });
    expect(applyPatch(PATCH_TYPES.json, widget, '[{"op":"add","path":"/spec/list/-","value":3}]', target).spec).toEqual({ list: [1, 2, 3] });
  });
});

describe("the current object is never modified", () => {
  const bodies: Array<[string, string]> = [
    [PATCH_TYPES.json, '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"x"},{"op":"remove","path":"/metadata/labels/tier"},{"op":"move","from":"/spec/replicas","path":"/spec/r"}]'],
    [PATCH_TYPES.merge, '{"metadata":{"labels":{"tier":null,"x":"y"}},"spec":{"template":{"spec":{"containers":[]}}}}'],
    [PATCH_TYPES.strategic, '{"metadata":{"$deleteFromPrimitiveList/finalizers":["a.example.com/x"]},"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},"template":{"spec":{"containers":[{"name":"web","image":"x","env":[{"name":"A","$patch":"delete"}]}]}}}}'],
  ];
  for (const [type, body] of bodies) {
    test(type, () => {
      const frozen = deepFreeze(liveDeployment());
      const out = applyPatch(type, frozen as unknown as KubeObject, body, DEPLOYMENT_TARGET);
      expect(frozen).toEqual(liveDeployment());
      expect(out).not.toEqual(liveDeployment() as never);
      // The result shares nothing with the input: changing it leaves the input alone.
      (out.metadata!.labels as Record<string, string>).changed = "yes";
      expect(frozen.metadata.labels).toEqual(liveDeployment().metadata.labels);
    });
  }
});

describe("deeply nested patches", () => {
  const nestedObject = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  const depthOf = (v: unknown) => {
    let d = 0;
    for (let cur = v; cur && typeof cur === "object"; cur = (cur as { a?: unknown }).a) d++;
    return d;
  };
  const obj = () => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }) as KubeObject;
  const target = { group: "", kind: "ConfigMap" };

  test("1,000 levels apply with every patch type", () => {
    const value = nestedObject(1000);
    expect(depthOf(applyPatch(PATCH_TYPES.merge, obj(), `{"data":${value}}`, target).data)).toBe(1000);
    expect(depthOf(applyPatch(PATCH_TYPES.strategic, obj(), `{"data":${value}}`, target).data)).toBe(1000);
    expect(depthOf(applyPatch(PATCH_TYPES.json, obj(), `[{"op":"add","path":"/data","value":${value}}]`, target).data)).toBe(1000);
  });

  test("a 1,000-level patch merges into a 1,000-level object", () => {
    const deep = applyPatch(PATCH_TYPES.merge, obj(), `{"data":${nestedObject(1000)}}`, target);
    const patch = `{"data":${'{"a":'.repeat(999)}{"b":2}${"}".repeat(999)}}`;
    for (const type of [PATCH_TYPES.merge, PATCH_TYPES.strategic]) {
      let leaf: unknown = applyPatch(type, deep, patch, target).data;
      for (let i = 0; i < 999; i++) leaf = (leaf as { a: unknown }).a;
      expect(leaf).toEqual({ a: 1, b: 2 });
    }
  });

  test("past Go's nesting limit the body is a 400, not a crash", () => {
    const value = nestedObject(10_001);
    const cases: Array<[string, string, string]> = [
      [PATCH_TYPES.merge, `{"data":${value}}`, "error decoding patch: invalid character '{' exceeded max depth"],
      [PATCH_TYPES.strategic, `{"data":${value}}`, "invalid character '{' exceeded max depth"],
      [PATCH_TYPES.json, `[{"op":"add","path":"/data","value":${value}}]`, "error decoding patch: invalid character '{' exceeded max depth"],
    ];
    for (const [type, body, message] of cases) {
      const err = failure(() => applyPatch(type, obj(), body, target));
      expect([err.code, err.message]).toEqual([400, message]);
    }
  });
});

describe("a patch must leave an object", () => {
  test("replacing the document with an array is 422 Invalid on field patch", () => {
    const err = failure(() => applyPatch(PATCH_TYPES.json, { a: 1 } as KubeObject, '[{"op":"replace","path":"","value":[1,2]}]', POD_TARGET));
    expect(err.code).toBe(422);
    expect(err.reason).toBe("Invalid");
    expect(err.message).toStartWith(' "" is invalid: patch: Invalid value: "[1,2]": couldn\'t get version/kind; json parse error: json: cannot unmarshal array');
    expect(err.details?.causes).toEqual([{ reason: "FieldValueInvalid", message: expect.stringContaining('Invalid value: "[1,2]"'), field: "patch" }]);
  });
});
