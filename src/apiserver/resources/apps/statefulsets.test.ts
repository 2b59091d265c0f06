import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { statefulSetDefinition as def } from "./statefulsets.ts";

/** The StatefulSet of the Kubernetes documentation's "web" example. */
const web = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "web" },
  spec: {
    selector: { matchLabels: { app: "nginx" } },
    serviceName: "nginx",
    replicas: 3,
    minReadySeconds: 10,
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: "nginx",
            image: "registry.k8s.io/nginx-slim:0.24",
            ports: [{ containerPort: 80, name: "web" }],
            volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }],
          },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "www" },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "my-storage-class", resources: { requests: { storage: "1Gi" } } },
      },
    ],
    ...spec,
  },
});

describe("statefulsets: defaults", () => {
  test("the documentation's example is stored as kube-apiserver 1.32 stores it", () => {
    const { obj, errors } = create(def, web());
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      podManagementPolicy: "OrderedReady",
      replicas: 3,
      minReadySeconds: 10,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: "nginx" } },
      serviceName: "nginx",
      template: {
        metadata: { creationTimestamp: null, labels: { app: "nginx" } },
        spec: {
          containers: [
            {
              image: "registry.k8s.io/nginx-slim:0.24",
              imagePullPolicy: "IfNotPresent",
              name: "nginx",
              ports: [{ containerPort: 80, name: "web", protocol: "TCP" }],
              resources: {},
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
              volumeMounts: [{ mountPath: "/usr/share/nginx/html", name: "www" }],
            },
          ],
          dnsPolicy: "ClusterFirst",
          restartPolicy: "Always",
          schedulerName: "default-scheduler",
          securityContext: {},
          terminationGracePeriodSeconds: 10,
        },
      },
      updateStrategy: { rollingUpdate: { partition: 0 }, type: "RollingUpdate" },
      volumeClaimTemplates: [
        {
          metadata: { creationTimestamp: null, name: "www" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "my-storage-class", volumeMode: "Filesystem" },
          status: { phase: "Pending" },
        },
      ],
    });
    expect(obj.status).toEqual({});
  });

  test("an explicit RollingUpdate without rollingUpdate stays so; OnDelete gets none", () => {
    expect((create(def, web({ updateStrategy: { type: "RollingUpdate" } })).obj.spec as { updateStrategy: object }).updateStrategy).toEqual({ type: "RollingUpdate" });
    expect((create(def, web({ updateStrategy: { type: "OnDelete" } })).obj.spec as { updateStrategy: object }).updateStrategy).toEqual({ type: "OnDelete" });
  });

  test("the alpha maxUnavailable is dropped", () => {
    const { obj } = create(def, web({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } } }));
    expect((obj.spec as { updateStrategy: object }).updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { partition: 0 } });
  });
});

describe("statefulsets: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["a bad pod management policy", { podManagementPolicy: "Random" }, ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\'']],
    ["an unknown update strategy", { updateStrategy: { type: "Canary" } }, ['spec.updateStrategy: Invalid value: {"type":"Canary"}: must be \'RollingUpdate\' or \'OnDelete\'']],
    [
      "rollingUpdate with OnDelete",
      { updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 1 } } },
      ['spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy \'RollingUpdate\''],
    ],
    [
      "a negative partition",
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: -1 } } },
      ["spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"],
    ],
    [
      "a bad retention policy",
      { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Keep" } },
      ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"'],
    ],
    ["a negative start ordinal", { ordinals: { start: -1 } }, ["spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"]],
    ["an empty selector", { selector: {} }, ["spec.selector: Invalid value: {}: empty selector is invalid for statefulset"]],
    [
      "a selector that misses the template",
      { selector: { matchLabels: { app: "db" } } },
      ['spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`'],
    ],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, web(spec)).errors).toEqual(messages);
  });

  test("the template's metadata is checked, its pod spec is left to pod creation (as upstream)", () => {
    const sts = web();
    const template = (sts.spec as { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } }).template;
    template.metadata.labels["bad key!"] = "x";
    (sts.spec as { selector: object }).selector = { matchLabels: { app: "nginx" } };
    template.spec.containers = [{ name: "nginx" }];
    template.spec.restartPolicy = "Never";
    expect(create(def, sts).errors).toEqual([
      expect.stringMatching(/^spec\.template\.labels: Invalid value: "bad key!": name part must consist of/),
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  test("only replicas, ordinals, template, updateStrategy, retention policy and minReadySeconds may change", () => {
    const stored = create(def, web()).obj;
    const allowed = create(def, web({ replicas: 5, minReadySeconds: 0, ordinals: { start: 1 }, updateStrategy: { type: "OnDelete" } })).obj;
    expect(update(def, allowed, stored).errors).toEqual([]);
    const claims = create(def, web({ serviceName: "other" })).obj;
    expect(update(def, claims, stored).errors).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    const history = create(def, web({ revisionHistoryLimit: 3 })).obj;
    expect(update(def, history, stored).errors.length).toBe(1);
  });
});

describe("statefulsets: table and metadata", () => {
  test("READY is ready/desired", () => {
    const obj = { ...create(def, web()).obj, status: { replicas: 3, readyReplicas: 2 } };
    obj.metadata = { ...obj.metadata, creationTimestamp: new Date(NOW - 5 * 3600_000).toISOString() };
    expect(cells(def, obj)).toEqual({ Name: "web", Ready: "2/3", Age: "5h", Containers: "nginx", Images: "registry.k8s.io/nginx-slim:0.24" });
  });

  test("discovery: sts, DNS-label names, scale", () => {
    expect(def).toMatchObject({ plural: "statefulsets", shortNames: ["sts"], categories: ["all"], nameRule: "label", statusSubresource: true, tracksGeneration: true });
    expect(def.scale?.labelSelectorPath).toBe("spec.selector");
  });
});
