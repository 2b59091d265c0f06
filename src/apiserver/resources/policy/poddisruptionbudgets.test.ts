import { describe, expect, test } from "bun:test";
import { fieldErrorMessage } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, update } from "../workloads/testing.ts";
import { podDisruptionBudgetDefinition as def, validatePodDisruptionBudgetStatus } from "./poddisruptionbudgets.ts";
import type { PodDisruptionBudget } from "./types.ts";

const pdb = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "db" }, spec });

describe("poddisruptionbudgets: create", () => {
  test("`kubectl create pdb` is stored with policy/v1's zero counters and generation 1", () => {
    const { obj, errors } = create(def, { ...pdb({ minAvailable: 1, selector: { matchLabels: { app: "db" } } }), status: { disruptionsAllowed: 5 } });
    expect(errors).toEqual([]);
    expect(obj.status).toEqual({ currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
    expect(def.tracksGeneration).toBe(true);
    expect(def.statusSubresource).toBe(true);
  });

  test("minAvailable and maxUnavailable are exclusive; each is a count or a percentage up to 100%", () => {
    const { errors } = create(def, pdb({ minAvailable: -1, maxUnavailable: "101%", selector: { matchLabels: { app: "db" } } }));
    expect(errors).toEqual([
      'spec: Invalid value: {"minAvailable":-1,"maxUnavailable":"101%","selector":{"matchLabels":{"app":"db"}}}: minAvailable and maxUnavailable cannot be both set',
      "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0",
      'spec.maxUnavailable: Invalid value: "101%": must not be greater than 100%',
    ]);
    expect(create(def, pdb({ maxUnavailable: "half" })).errors).toEqual([
      "spec.maxUnavailable: Invalid value: \"half\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]);
  });

  test("the selector and the unhealthy pod eviction policy are checked", () => {
    const { errors } = create(def, pdb({ minAvailable: 1, selector: { matchExpressions: [{ key: "app", operator: "In" }] }, unhealthyPodEvictionPolicy: "Sometimes" }));
    expect(errors).toContain('spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"');
    expect(errors.some((e) => e.startsWith("spec.selector.matchExpressions[0].values: Required value"))).toBe(true);
    expect(create(def, pdb({ minAvailable: "50%", unhealthyPodEvictionPolicy: "AlwaysAllow" })).errors).toEqual([]);
  });

  test("an update may change the spec (no field is immutable)", () => {
    const old = create(def, pdb({ minAvailable: 1, selector: { matchLabels: { app: "db" } } })).obj;
    const changed = structuredClone(old);
    (changed.spec as Record<string, unknown>).selector = { matchLabels: { app: "web" } };
    expect(update(def, changed, old).errors).toEqual([]);
  });
});

describe("poddisruptionbudgets: status", () => {
  test("counters may not be negative and conditions must be well formed", () => {
    const obj: PodDisruptionBudget = {
      status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, conditions: [{ type: "DisruptionAllowed", status: "Maybe", reason: "", message: "", lastTransitionTime: "" }] },
    };
    expect(validatePodDisruptionBudgetStatus(obj).map(fieldErrorMessage)).toEqual([
      'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      "status.conditions[0].lastTransitionTime: Required value: must be set",
      "status.conditions[0].reason: Required value: must be set",
      "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });
});

describe("poddisruptionbudgets: Table", () => {
  test("NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE", () => {
    expect(def.printerColumns!.map((c) => c.name)).toEqual(["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"]);
    const obj = { ...create(def, pdb({ maxUnavailable: "25%" })).obj, status: { disruptionsAllowed: 2 } };
    expect(cells(def, obj)).toEqual({ Name: "db", "Min Available": "N/A", "Max Unavailable": "25%", "Allowed Disruptions": 2, Age: "0s" });
  });
});
