import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { daemonSetDefinition as def, TEMPLATE_GENERATION_ANNOTATION } from "./daemonsets.ts";

const fluentd = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "fluentd-elasticsearch", namespace: "kube-system", labels: { "k8s-app": "fluentd-logging" } },
  spec: {
    selector: { matchLabels: { name: "fluentd-elasticsearch" } },
    template: {
      metadata: { labels: { name: "fluentd-elasticsearch" } },
      spec: {
        tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
        containers: [{ name: "fluentd-elasticsearch", image: "quay.io/fluentd_elasticsearch/fluentd:v2.5.2" }],
      },
    },
    ...spec,
  },
});

const specOf = (obj: KubeObject) => obj.spec as Record<string, unknown>;

describe("daemonsets: defaults", () => {
  test("rolling updates one node at a time, ten revisions, template generation 1", () => {
    const { obj, errors } = create(def, fluentd());
    expect(errors).toEqual([]);
    expect(specOf(obj).updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(specOf(obj).revisionHistoryLimit).toBe(10);
    expect(specOf(obj).template).toMatchObject({ metadata: { creationTimestamp: null }, spec: { restartPolicy: "Always", dnsPolicy: "ClusterFirst" } });
    expect(obj.metadata?.annotations).toEqual({ [TEMPLATE_GENERATION_ANNOTATION]: "1" });
    expect(obj.status).toEqual({});
  });

  test("OnDelete gets no rollingUpdate", () => {
    expect(specOf(create(def, fluentd({ updateStrategy: { type: "OnDelete" } })).obj).updateStrategy).toEqual({ type: "OnDelete" });
  });

  test("the template generation grows only when the template changes, whatever the client sends", () => {
    const stored = create(def, fluentd()).obj;
    const relabeled = { ...structuredClone(stored), metadata: { ...stored.metadata, annotations: { [TEMPLATE_GENERATION_ANNOTATION]: "7" } } };
    expect(update(def, relabeled, stored).obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION]).toBe("1");
    const changed = structuredClone(stored);
    (specOf(changed).template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = "fluentd:v3";
    expect(update(def, changed, stored).obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION]).toBe("2");
  });
});

describe("daemonsets: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "no selector (not Required for daemonsets: it selects nothing)",
      { selector: undefined },
      ['spec.template.metadata.labels: Invalid value: {"name":"fluentd-elasticsearch"}: `selector` does not match template `labels`'],
    ],
    ["an empty selector", { selector: {} }, ["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"]],
    [
      "both maxSurge and maxUnavailable set",
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } },
      ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"],
    ],
    [
      "both zero",
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "0%" } } },
      ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"],
    ],
    [
      "a surge over 100%",
      { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "101%" } } },
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "101%": must not be greater than 100%'],
    ],
    [
      "an unknown strategy",
      { updateStrategy: { type: "Surge" } },
      ['spec.updateStrategy: Unsupported value: {"type":"Surge"}: supported values: "RollingUpdate", "OnDelete"'],
    ],
    ["a negative minReadySeconds", { minReadySeconds: -3 }, ["spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0"]],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, fluentd(spec)).errors).toEqual(messages);
  });

  test("surging instead of taking nodes down is fine", () => {
    expect(create(def, fluentd({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "10%" } } })).errors).toEqual([]);
  });

  test("pods must restart Always, the pod spec is validated, the selector is immutable", () => {
    const ds = fluentd();
    const template = specOf(ds).template as { spec: Record<string, unknown> };
    template.spec.restartPolicy = "Never";
    template.spec.activeDeadlineSeconds = 5;
    template.spec.containers = [{ name: "c" }];
    expect(create(def, ds).errors).toEqual([
      "spec.template.spec.containers[0].image: Required value",
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported",
    ]);
    const stored = create(def, fluentd()).obj;
    const moved = create(def, fluentd({ selector: { matchLabels: { name: "fluentd-elasticsearch", v: "2" } } })).obj;
    expect(update(def, moved, stored).errors).toContain('spec.selector: Invalid value: {"matchLabels":{"name":"fluentd-elasticsearch","v":"2"}}: field is immutable');
  });
});

describe("daemonsets: table", () => {
  test("DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE and the wide columns", () => {
    const ds = create(def, fluentd()).obj;
    ds.metadata!.creationTimestamp = new Date(NOW - 10 * 86400_000).toISOString();
    ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 };
    expect(cells(def, ds)).toEqual({
      Name: "fluentd-elasticsearch",
      Desired: 3,
      Current: 3,
      Ready: 2,
      "Up-to-date": 3,
      Available: 2,
      "Node Selector": "<none>",
      Age: "10d",
      Containers: "fluentd-elasticsearch",
      Images: "quay.io/fluentd_elasticsearch/fluentd:v2.5.2",
      Selector: "name=fluentd-elasticsearch",
    });
    (specOf(ds).template as { spec: Record<string, unknown> }).spec.nodeSelector = { "kubernetes.io/os": "linux", disk: "ssd" };
    expect(cells(def, ds)["Node Selector"]).toBe("disk=ssd,kubernetes.io/os=linux");
  });

  test("discovery: ds, no scale subresource", () => {
    expect(def).toMatchObject({ plural: "daemonsets", shortNames: ["ds"], categories: ["all"], statusSubresource: true, tracksGeneration: true });
    expect(def.scale).toBeUndefined();
  });
});
