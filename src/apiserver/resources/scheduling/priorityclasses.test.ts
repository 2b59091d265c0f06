import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { priorityClassDefinition as def } from "./priorityclasses.ts";
import { bootstrapPriorityClasses } from "./system-classes.ts";

/** `kubectl create priorityclass high --value=1000 --description="high priority"` */
const kubectlCreate = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "scheduling.k8s.io/v1",
  kind: "PriorityClass",
  metadata: { name: "high" },
  value: 1000,
  globalDefault: false,
  description: "high priority",
  preemptionPolicy: "PreemptLowerPriority",
  ...extra,
});

const named = (name: string, extra: Record<string, unknown>): KubeObject => ({ ...kubectlCreate(extra), metadata: { name } });

describe("priorityclasses: defaults and validation", () => {
  test("the kubectl generator's class is stored as sent, with generation 1", () => {
    const { obj, errors } = create(def, kubectlCreate());
    expect(errors).toEqual([]);
    expect(obj).toMatchObject({ value: 1000, preemptionPolicy: "PreemptLowerPriority", description: "high priority" });
    expect(obj.metadata?.generation).toBe(1);
  });

  test("preemptionPolicy defaults to PreemptLowerPriority, value to 0", () => {
    const input = kubectlCreate();
    delete input.preemptionPolicy;
    delete input.value;
    expect(create(def, input).obj).toMatchObject({ value: 0, preemptionPolicy: "PreemptLowerPriority" });
  });

  test.each<[string, KubeObject, string[]]>([
    ["a user value above one billion", kubectlCreate({ value: 1_000_000_001 }), ["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"]],
    [
      "an unknown system- class",
      named("system-mine", { value: 10 }),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
    ],
    [
      "a system class with another value",
      named("system-node-critical", { value: 5 }),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"],
    ],
    [
      "a system class as global default",
      named("system-cluster-critical", { value: 2_000_000_000, globalDefault: true }),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: globalDefault of system-cluster-critical PriorityClass must be false"],
    ],
    ["an unknown preemption policy", kubectlCreate({ preemptionPolicy: "Always" }), ['preemptionPolicy: Unsupported value: "Always": supported values: "PreemptLowerPriority", "Never"']],
    ["an empty preemption policy", kubectlCreate({ preemptionPolicy: "" }), ["preemptionPolicy: Required value"]],
  ])("rejects %s", (_, input, messages) => {
    expect(create(def, input).errors).toEqual(messages);
  });

  test("the built-in classes pass validation and are what kube-apiserver creates", () => {
    const classes = bootstrapPriorityClasses();
    expect(classes.map((c) => [c.metadata?.name, c.value])).toEqual([
      ["system-node-critical", 2000001000],
      ["system-cluster-critical", 2000000000],
    ]);
    for (const c of classes) {
      const { obj, errors } = create(def, c);
      expect(errors).toEqual([]);
      expect(obj.preemptionPolicy).toBe("PreemptLowerPriority");
    }
    expect(classes[1]?.description).toBe("Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.");
  });
});

describe("priorityclasses: update", () => {
  const old = create(def, kubectlCreate()).obj;

  test("description and globalDefault may change", () => {
    expect(update(def, kubectlCreate({ description: "changed", globalDefault: true }), old).errors).toEqual([]);
  });

  test("value and preemptionPolicy may not", () => {
    expect(update(def, kubectlCreate({ value: 2000, preemptionPolicy: "Never" }), old).errors).toEqual([
      "value: Forbidden: may not be changed in an update.",
      'preemptionPolicy: Invalid value: "Never": field is immutable',
    ]);
  });
});

describe("priorityclasses: table", () => {
  test("NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY, all shown by default", () => {
    const obj = { ...create(def, kubectlCreate()).obj };
    obj.metadata = { ...obj.metadata, creationTimestamp: new Date(NOW - 3 * 86_400_000).toISOString() };
    expect(cells(def, obj)).toEqual({ Name: "high", Value: 1000, "Global-Default": false, Age: "3d", PreemptionPolicy: "PreemptLowerPriority" });
    expect(def.printerColumns?.every((c) => c.priority === 0)).toBe(true);
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "scheduling.k8s.io", plural: "priorityclasses", shortNames: ["pc"], namespaced: false });
  });
});
