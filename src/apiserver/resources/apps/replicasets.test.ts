import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { replicaSetDefinition as def } from "./replicasets.ts";

const rs = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name: "frontend" },
  spec: {
    selector: { matchLabels: { tier: "frontend" } },
    template: { metadata: { labels: { tier: "frontend" } }, spec: { containers: [{ name: "php-redis", image: "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5" }] } },
    ...spec,
  },
});

describe("replicasets", () => {
  test("defaults: one replica and the pod template's defaults", () => {
    const { obj, errors } = create(def, rs());
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { tier: "frontend" } },
      template: {
        metadata: { creationTimestamp: null, labels: { tier: "frontend" } },
        spec: {
          containers: [
            {
              name: "php-redis",
              image: "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5",
              imagePullPolicy: "IfNotPresent",
              resources: {},
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
            },
          ],
          dnsPolicy: "ClusterFirst",
          restartPolicy: "Always",
          schedulerName: "default-scheduler",
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    });
    expect(obj.status).toEqual({});
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["negative replicas", { replicas: -2 }, ["spec.replicas: Invalid value: -2: must be greater than or equal to 0"]],
    ["negative minReadySeconds", { minReadySeconds: -1 }, ["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"]],
    ["an empty selector (upstream's wording)", { selector: { matchLabels: {} } }, ['spec.selector: Invalid value: {"matchLabels":{}}: empty selector is invalid for deployment']],
    [
      "a selector that misses the template",
      { selector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] } },
      ['spec.template.metadata.labels: Invalid value: {"tier":"frontend"}: `selector` does not match template `labels`'],
    ],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, rs(spec)).errors).toEqual(messages);
  });

  test("the selector is immutable", () => {
    const stored = create(def, rs()).obj;
    const next = create(def, rs({ selector: { matchLabels: { tier: "frontend" }, matchExpressions: [{ key: "tier", operator: "Exists" }] } })).obj;
    expect(update(def, next, stored).errors).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"tier":"frontend"},"matchExpressions":[{"key":"tier","operator":"Exists"}]}: field is immutable',
    ]);
    expect(update(def, stored, stored).errors).toEqual([]);
  });

  test("DESIRED, CURRENT, READY, AGE and the wide columns", () => {
    const obj = { ...create(def, rs({ replicas: 3 })).obj, status: { replicas: 3, readyReplicas: 1 } };
    obj.metadata = { ...obj.metadata, creationTimestamp: new Date(NOW - 45_000).toISOString() };
    expect(cells(def, obj)).toEqual({
      Name: "frontend",
      Desired: 3,
      Current: 3,
      Ready: 1,
      Age: "45s",
      Containers: "php-redis",
      Images: "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5",
      Selector: "tier=frontend",
    });
    expect(cells(def, rs({ selector: {} })).Selector).toBe("<none>");
    expect(cells(def, rs({ selector: { matchExpressions: [{ key: "a", operator: "Bad" }] } })).Selector).toBe("<error>");
  });

  test("apps/v1 registers no field label conversion for ReplicaSets: only metadata fields select", () => {
    expect(def.fieldSelectors).toBeUndefined();
  });

  test("discovery", () => {
    expect(def).toMatchObject({ plural: "replicasets", shortNames: ["rs"], categories: ["all"], statusSubresource: true, tracksGeneration: true });
    expect(def.scale).toEqual({ specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" });
  });
});
