import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, update } from "../workloads/testing.ts";
import { hpaV1Definition as v1, hpaV2Definition as v2 } from "./horizontalpodautoscalers.ts";

const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };
const hpaV2 = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web" }, spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec } });
const hpaV1 = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web" }, spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec } });

describe("horizontalpodautoscalers: defaults", () => {
  test("v2: minReplicas 1, 80% CPU when no metric is given, and an empty status", () => {
    const { obj, errors } = create(v2, { ...hpaV2({}), status: { currentReplicas: 3 } });
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      scaleTargetRef: ref,
      maxReplicas: 5,
      minReplicas: 1,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
    });
    expect(obj.status).toEqual({ desiredReplicas: 0 });
  });

  test("v2: a given behavior is completed with the controller's defaults; quantities are canonical", () => {
    const { obj } = create(v2, hpaV2({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } }, metrics: [{ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "1000m" } } }] }));
    const spec = obj.spec as Record<string, unknown>;
    expect(spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
    });
    expect((spec.metrics as Array<{ pods: { target: { averageValue: string } } }>)[0]!.pods.target.averageValue).toBe("1");
  });

  test("v1: minReplicas 1 and both counters in the status", () => {
    const { obj, errors } = create(v1, hpaV1({ targetCPUUtilizationPercentage: 50 }));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ scaleTargetRef: ref, maxReplicas: 5, minReplicas: 1, targetCPUUtilizationPercentage: 50 });
    expect(obj.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 });
  });
});

describe("horizontalpodautoscalers: validation", () => {
  test("replica bounds and the target reference", () => {
    expect(create(v2, hpaV2({ minReplicas: 0, maxReplicas: 0, scaleTargetRef: { kind: "", name: "a/b" } })).errors).toEqual([
      "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
      "spec.maxReplicas: Invalid value: 0: must be greater than 0",
      "spec.scaleTargetRef.kind: Required value",
      "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'",
      "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
    ]);
    expect(create(v2, hpaV2({ minReplicas: 6 })).errors).toEqual(["spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"]);
  });

  test("metric sources: the type's source, and only it; targets positive", () => {
    const { errors } = create(v2, hpaV2({ metrics: [{ type: "Resource", pods: { metric: { name: "x" }, target: { type: "AverageValue", averageValue: "1" } } }] }));
    expect(errors).toEqual(["spec.metrics[0].resource: Required value: must populate information for the given metric source", "spec.metrics[0].pods: Forbidden: must populate the given metric source only"]);
    expect(create(v2, hpaV2({ metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 0, averageValue: "-1" } } }] })).errors).toEqual([
      'spec.metrics[0].resource.target.averageValue: Invalid value: "-1": must be positive',
      "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
      "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
    ]);
    expect(create(v2, hpaV2({ metrics: [{ type: "Custom" }] })).errors[0]).toBe('spec.metrics[0].type: Unsupported value: "Custom": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"');
  });

  test("behavior rules", () => {
    const { errors } = create(v2, hpaV2({ behavior: { scaleUp: { stabilizationWindowSeconds: 4000, selectPolicy: "Avg", policies: [{ type: "Pods", value: 0, periodSeconds: 1801 }] } } }));
    expect(errors).toEqual([
      "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Avg": supported values: "Disabled", "Max", "Min"',
      "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
      "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
    ]);
  });

  test("v1 is validated as the v2 object it becomes (upstream checks the internal type)", () => {
    expect(create(v1, hpaV1({ targetCPUUtilizationPercentage: 0 })).errors).toEqual(["spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"]);
  });

  test("an autoscaler that already scales to zero may keep minReplicas 0", () => {
    const old = create(v2, hpaV2({ metrics: [{ type: "External", external: { metric: { name: "queue" }, target: { type: "Value", value: "10" } } }] })).obj;
    (old.spec as Record<string, unknown>).minReplicas = 0;
    expect(update(v2, structuredClone(old), old).errors).toEqual([]);
  });
});

describe("horizontalpodautoscalers: v1 <-> v2", () => {
  const conv = v1.storageConversion!;

  test("kubectl autoscale's v1 object is stored with the CPU target as a v2 metric", () => {
    const stored = conv.toStored(create(v1, hpaV1({ targetCPUUtilizationPercentage: 50, minReplicas: 2 })).obj);
    expect(stored.apiVersion).toBe("autoscaling/v2");
    expect(stored.spec).toEqual({ scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] });
    expect(stored.status).toEqual({ desiredReplicas: 0 });
    // Without a CPU target, v1's implicit 80% becomes explicit.
    expect((conv.toStored(hpaV1({})).spec as { metrics: unknown }).metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  });

  test("what v1 cannot hold travels in the round-trip annotations, in upstream's format, and comes back", () => {
    const stored = create(v2, {
      ...hpaV2({
        metrics: [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } },
          { type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
      }),
      metadata: { name: "web", annotations: { team: "a" } },
    }).obj;
    stored.status = {
      currentReplicas: 2,
      desiredReplicas: 3,
      currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 70, averageValue: "200m" } } }],
      conditions: [{ type: "AbleToScale", status: "True", lastTransitionTime: "2025-01-01T00:00:00Z", reason: "ReadyForNewScale", message: "ok" }],
    };
    const asV1 = conv.fromStored(stored);
    expect(asV1.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    expect(asV1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 70 });
    expect(asV1.metadata!.annotations).toEqual({
      team: "a",
      "autoscaling.alpha.kubernetes.io/metrics": '[{"type":"Pods","pods":{"metricName":"rps","targetAverageValue":"10"}}]',
      "autoscaling.alpha.kubernetes.io/current-metrics": '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":70,"currentAverageValue":"200m"}}]',
      "autoscaling.alpha.kubernetes.io/behavior":
        '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}]},"ScaleDown":{"StabilizationWindowSeconds":30,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}',
      "autoscaling.alpha.kubernetes.io/conditions": '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2025-01-01T00:00:00Z","reason":"ReadyForNewScale","message":"ok"}]',
    });
    const back = conv.toStored(asV1);
    expect(back.metadata!.annotations).toEqual({ team: "a" });
    // The annotated metrics come first, then the CPU target.
    expect((back.spec as { metrics: unknown[] }).metrics).toEqual([(stored.spec as { metrics: unknown[] }).metrics[1], (stored.spec as { metrics: unknown[] }).metrics[0]]);
    expect((back.spec as { behavior: unknown }).behavior).toEqual((stored.spec as { behavior: unknown }).behavior);
    expect(back.status).toEqual(stored.status);
  });

  test("annotations a v2 client set under the round-trip keys are not shown to v1 as if they were real", () => {
    const stored = create(v2, { ...hpaV2({}), metadata: { name: "web", annotations: { "autoscaling.alpha.kubernetes.io/metrics": "junk" } } }).obj;
    expect(conv.fromStored(stored).metadata!.annotations).toBeUndefined();
  });
});

describe("horizontalpodautoscalers: Table", () => {
  test("NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE, the same in both versions", () => {
    expect(v2.printerColumns!.map((c) => c.name)).toEqual(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]);
    const row = { Name: "web", Reference: "Deployment/web", Targets: "cpu: <unknown>/80%", MinPods: "1", MaxPods: 5, Replicas: 0, Age: "0s" };
    expect(cells(v2, create(v2, hpaV2({})).obj)).toEqual(row);
    expect(cells(v1, create(v1, hpaV1({})).obj)).toEqual(row);
  });

  test("targets: current values when known, averages marked, and at most two shown", () => {
    const obj = create(
      v2,
      hpaV2({
        metrics: [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
          { type: "Object", object: { describedObject: ref, metric: { name: "hits" }, target: { type: "AverageValue", averageValue: "1500m" } } },
          { type: "External", external: { metric: { name: "queue" }, target: { type: "Value", value: "10" } } },
        ],
      }),
    ).obj;
    obj.status = { currentReplicas: 2, currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 31 } } }] };
    expect(cells(v2, obj).Targets).toBe("cpu: 31%/50%, <unknown>/1500m (avg) + 1 more...");
    expect(cells(v2, obj).Replicas).toBe(2);
  });
});
