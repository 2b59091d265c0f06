import { describe, expect, test } from "bun:test";
import { duplicateFields } from "./duplicate-fields.ts";
import { createOpenApi } from "./service.ts";
import { crontabs, pods } from "./testdata/resources.ts";
import { duplicateFieldError, strictDecodingError, unknownFieldError, unknownFields } from "./unknown-fields.ts";

const openapi = createOpenApi([pods, crontabs]);
const POD = { group: "", version: "v1", kind: "Pod" };
const DEPLOYMENT = { group: "apps", version: "v1", kind: "Deployment" };
const CRONTAB = { group: "stable.example.com", version: "v1", kind: "CronTab" };

describe("unknownFields", () => {
  test("finds a misspelt container field in a Pod", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", labels: { app: "web" }, annotations: { "a/b": "c" } },
      spec: { containers: [{ name: "a", image: "nginx" }, { name: "b", imagee: "nginx", resources: { limits: { cpu: "1", memory: "1Gi" } } }] },
    };
    expect(openapi.unknownFields(POD, pod)).toEqual(["spec.containers[1].imagee"]);
  });

  test("reports every unknown field in document order, at any depth, and does not descend into them", () => {
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      bogus: 1,
      metadata: { name: "d", nme: "x" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "d" } },
        template: { metadata: {}, spec: { restartPolicy: "Always", containers: [{ name: "c", env: [{ name: "A", valeu: "1" }] }], extra: { deep: { deeper: 1 } } } },
      },
      status: { replicas: 1, ready: 1 },
    };
    expect(openapi.unknownFields(DEPLOYMENT, dep)).toEqual([
      "bogus",
      "metadata.nme",
      "spec.template.spec.containers[0].env[0].valeu",
      "spec.template.spec.extra",
      "status.ready",
    ]);
  });

  test("maps accept any key; free-form fields accept anything; scalars and nulls are not its business", () => {
    const pod = {
      metadata: { labels: { anything: "goes" }, managedFields: [{ manager: "m", fieldsV1: { "f:spec": { "f:x": {} } } }] },
      spec: { nodeSelector: { k: "v" }, containers: null, overhead: { cpu: 1 } },
      status: "not an object",
    };
    expect(openapi.unknownFields(POD, pod)).toEqual([]);
  });

  test("keys that name Object.prototype members are unknown, not inherited", () => {
    expect(openapi.unknownFields(POD, JSON.parse('{"spec":{"constructor":{},"__proto__":{"x":1},"toString":1}}'))).toEqual(["spec.constructor", "spec.__proto__", "spec.toString"]);
  });

  test("custom resources: the CRD schema, x-kubernetes-preserve-unknown-fields and embedded resources", () => {
    openapi.registerCustomSchema(CRONTAB, {
      type: "object",
      properties: {
        spec: {
          type: "object",
          properties: {
            cronSpec: { type: "string" },
            extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { known: { type: "object", properties: { a: { type: "string" } } } } },
            template: { type: "object", "x-kubernetes-embedded-resource": true, properties: { spec: { type: "object", properties: {} } } },
            byName: { type: "object", additionalProperties: { type: "object", properties: { port: { type: "integer" } } } },
            closed: { type: "object", additionalProperties: false, properties: { a: { type: "string" } } },
          },
        },
      },
    });
    const obj = {
      apiVersion: "stable.example.com/v1",
      kind: "CronTab",
      metadata: { name: "c", namespace: "default" },
      spec: {
        cronSpec: "* * * * *",
        cronspec: "typo",
        extra: { anything: 1, known: { a: "x", b: "y" } },
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {}, other: 1 },
        byName: { http: { port: 80, proto: "TCP" } },
        closed: { a: "x", b: "y" },
      },
    };
    expect(openapi.unknownFields(CRONTAB, obj)).toEqual([
      "spec.cronspec",
      "spec.extra.known.b",
      "spec.template.other",
      "spec.byName.http.proto",
      "spec.closed.b",
    ]);
  });

  test("kinds without a schema report nothing", () => {
    expect(openapi.unknownFields({ group: "example.io", version: "v1", kind: "Nope" }, { whatever: 1 })).toEqual([]);
    expect(openapi.schemaFor({ group: "example.io", version: "v1", kind: "Nope" })).toBeUndefined();
  });

  test("schemaFor gives the definition and resolves its refs", () => {
    const tree = openapi.schemaFor(POD)!;
    expect(tree.name).toBe("io.k8s.api.core.v1.Pod");
    expect(tree.resolve("io.k8s.api.core.v1.PodSpec")?.required).toEqual(["containers"]);
    expect(unknownFields(tree, { spec: { containerz: [] } })).toEqual(["spec.containerz"]);
  });
});

describe("error wording", () => {
  test("matches kube-apiserver's strict decoding errors", () => {
    const errors = ["spec.containers[0].imagee", "spec.foo"].map(unknownFieldError);
    expect(strictDecodingError(errors)).toBe('strict decoding error: unknown field "spec.containers[0].imagee", unknown field "spec.foo"');
    expect(strictDecodingError([duplicateFieldError("metadata.name")])).toBe('strict decoding error: duplicate field "metadata.name"');
  });
});

describe("duplicateFields", () => {
  test("finds repeated keys with their paths", () => {
    const text = '{"kind":"Pod","metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x"},{"name":"y","image":"i","image":"j"}]},"kind":"Pod"}';
    expect(duplicateFields(text)).toEqual(["metadata.name", "spec.containers[1].image", "kind"]);
  });

  test("same key in sibling objects, escaped keys and string values that look like keys are fine", () => {
    expect(duplicateFields('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}],"d":"\\"x\\":","e\\"":1,"e\\u0022":2}')).toEqual(['e"']);
    expect(duplicateFields('[{"a":1},{"a":1}]')).toEqual([]);
    expect(duplicateFields('{"a":[[{"b":1,"b":2}]]}')).toEqual(["a[0][0].b"]);
  });
});
