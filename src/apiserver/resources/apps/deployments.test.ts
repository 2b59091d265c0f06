import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { deploymentDefinition as def } from "./deployments.ts";

/** `kubectl create deployment web --image=nginx --dry-run=client -o json` */
const kubectlCreate = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { creationTimestamp: null as unknown as string, labels: { app: "web" }, name: "web" },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "web" } },
    strategy: {},
    template: { metadata: { creationTimestamp: null as unknown as string, labels: { app: "web" } }, spec: { containers: [{ image: "nginx", name: "nginx", resources: {} }] } },
  },
  status: {},
});

/** The same deployment as kube-apiserver 1.32 stores it. */
const storedSpec = {
  progressDeadlineSeconds: 600,
  replicas: 1,
  revisionHistoryLimit: 10,
  selector: { matchLabels: { app: "web" } },
  strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" }, type: "RollingUpdate" },
  template: {
    metadata: { creationTimestamp: null, labels: { app: "web" } },
    spec: {
      containers: [{ image: "nginx", imagePullPolicy: "Always", name: "nginx", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }],
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    },
  },
};

const withSpec = (spec: Record<string, unknown>): KubeObject => {
  const d = kubectlCreate();
  d.spec = { ...(d.spec as object), ...spec };
  return d;
};

describe("deployments: defaults", () => {
  test("kubectl create deployment is stored as kube-apiserver stores it", () => {
    const { obj, errors } = create(def, kubectlCreate());
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual(storedSpec);
    expect(obj.status).toEqual({});
  });

  test("Recreate gets no rollingUpdate; given values are kept", () => {
    const { obj } = create(def, withSpec({ replicas: 3, strategy: { type: "Recreate" }, revisionHistoryLimit: 2 }));
    expect(obj.spec).toMatchObject({ replicas: 3, strategy: { type: "Recreate" }, revisionHistoryLimit: 2 });
    expect((obj.spec as { strategy: object }).strategy).toEqual({ type: "Recreate" });
  });

  test("a partial rollingUpdate is completed", () => {
    const { obj } = create(def, withSpec({ strategy: { rollingUpdate: { maxSurge: 1 } } }));
    expect((obj.spec as { strategy: object }).strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } });
  });

  test("a client-sent status is dropped on create and kept from storage on update", () => {
    const stored = create(def, { ...kubectlCreate(), status: { replicas: 9 } }).obj;
    expect(stored.status).toEqual({});
    const old = { ...stored, status: { replicas: 1, readyReplicas: 1 } };
    expect(update(def, { ...stored, status: { replicas: 5 } }, old).obj.status).toEqual({ replicas: 1, readyReplicas: 1 });
  });
});

describe("deployments: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["negative replicas", { replicas: -1 }, ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]],
    [
      "no selector",
      { selector: undefined },
      ["spec.selector: Required value", 'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
    ],
    ["an empty selector", { selector: {} }, ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]],
    [
      "a selector that misses the template",
      { selector: { matchLabels: { app: "other" } } },
      ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
    ],
    [
      "a bad selector operator",
      { selector: { matchExpressions: [{ key: "app", operator: "Like", values: ["web"] }] } },
      [
        'spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator',
        'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Like","values":["web"]}]}: invalid label selector',
      ],
    ],
    [
      "both maxSurge and maxUnavailable 0",
      { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
    ],
    [
      "maxUnavailable over 100%",
      { strategy: { rollingUpdate: { maxUnavailable: "150%" } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
    ],
    [
      "a malformed percentage",
      { strategy: { rollingUpdate: { maxSurge: "25" } } },
      [
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      ],
    ],
    [
      "rollingUpdate with Recreate",
      { strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } },
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    ["an unknown strategy", { strategy: { type: "BlueGreen" } }, ['spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"']],
    [
      "a deadline not above minReadySeconds",
      { minReadySeconds: 600 },
      ["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"],
    ],
    ["a negative history limit", { revisionHistoryLimit: -1 }, ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, withSpec(spec)).errors).toEqual(messages);
  });

  test("pods must restart Always and have no deadline", () => {
    const d = kubectlCreate();
    const template = (d.spec as { template: { spec: Record<string, unknown> } }).template;
    template.spec.restartPolicy = "OnFailure";
    template.spec.activeDeadlineSeconds = 10;
    expect(create(def, d).errors).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
    ]);
  });

  test("the pod template is validated as a pod", () => {
    const d = kubectlCreate();
    (d.spec as { template: { spec: { containers: object[] } } }).template.spec.containers = [{ name: "nginx" }];
    expect(create(def, d).errors).toContain("spec.template.spec.containers[0].image: Required value");
  });

  test("the selector is immutable; replicas and template may change", () => {
    const stored = create(def, kubectlCreate()).obj;
    const scaled = structuredClone(stored);
    (scaled.spec as { replicas: number }).replicas = 5;
    expect(update(def, scaled, stored).errors).toEqual([]);
    const moved = structuredClone(stored);
    (moved.spec as Record<string, unknown>).selector = { matchLabels: { app: "web", tier: "fe" } };
    (moved.spec as { template: { metadata: { labels: object } } }).template.metadata.labels = { app: "web", tier: "fe" };
    expect(update(def, moved, stored).errors).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable']);
  });

  test("names that are not DNS labels draw a warning on create", () => {
    expect(def.strategy!.warnings!({ metadata: { name: "web.v1" } })).toEqual([
      "metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
    ]);
    expect(def.strategy!.warnings!({ metadata: { name: "web" } })).toEqual([]);
  });
});

describe("deployments: table", () => {
  const running = (): KubeObject => {
    const d = create(def, kubectlCreate()).obj;
    d.metadata!.creationTimestamp = new Date(NOW - 3 * 86400_000).toISOString();
    (d.spec as { replicas: number }).replicas = 3;
    (d.spec as { template: { spec: { containers: object[] } } }).template.spec.containers.push({ name: "sidecar", image: "busybox:1.36" });
    d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    return d;
  };

  test("READY, UP-TO-DATE, AVAILABLE, AGE and the wide columns", () => {
    expect(cells(def, running())).toEqual({
      Name: "web",
      Ready: "2/3",
      "Up-to-date": 3,
      Available: 2,
      Age: "3d",
      Containers: "nginx,sidecar",
      Images: "nginx,busybox:1.36",
      Selector: "app=web",
    });
  });

  test("a new deployment without status prints zeros", () => {
    expect(cells(def, create(def, kubectlCreate()).obj)).toMatchObject({ Ready: "0/1", "Up-to-date": 0, Available: 0 });
  });

  test("selectors print as upstream's selector strings", () => {
    const d = running();
    (d.spec as Record<string, unknown>).selector = {
      matchLabels: { tier: "fe", app: "web" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["prod", "dev"] },
        { key: "canary", operator: "DoesNotExist" },
      ],
    };
    expect(cells(def, d).Selector).toBe("app=web,!canary,env in (dev,prod),tier=fe");
  });

  test("column definitions match upstream", () => {
    expect(def.printerColumns!.map((c) => [c.name, c.type, c.priority])).toEqual([
      ["Name", "string", 0],
      ["Ready", "string", 0],
      ["Up-to-date", "string", 0],
      ["Available", "string", 0],
      ["Age", "string", 0],
      ["Containers", "string", 1],
      ["Images", "string", 1],
      ["Selector", "string", 1],
    ]);
  });
});

test("deployments: discovery and scale", () => {
  expect(def).toMatchObject({
    group: "apps",
    version: "v1",
    plural: "deployments",
    singular: "deployment",
    shortNames: ["deploy"],
    categories: ["all"],
    statusSubresource: true,
    tracksGeneration: true,
    scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  });
});
