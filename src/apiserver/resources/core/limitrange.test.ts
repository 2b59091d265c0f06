import { describe, expect, test } from "bun:test";
import { limitRangeDefinition as def } from "./limitrange.ts";
import { create, headers, NOW, row } from "./testing.ts";

const lr = (limits: object[]) => ({ apiVersion: "v1", kind: "LimitRange", metadata: { name: "limits", namespace: "default" }, spec: { limits } });

describe("limitranges", () => {
  test("container defaults come from max, then default, then min", () => {
    const { obj, errors } = create(def, lr([{ type: "Container", max: { cpu: "2", memory: "1Gi" }, min: { cpu: "100m", "ephemeral-storage": "1Gi" }, default: { memory: "512Mi" } }]));
    expect(errors).toEqual([]);
    expect((obj.spec as { limits: object[] }).limits[0]).toEqual({
      type: "Container",
      max: { cpu: "2", memory: "1Gi" },
      min: { cpu: "100m", "ephemeral-storage": "1Gi" },
      default: { cpu: "2", memory: "512Mi" },
      defaultRequest: { cpu: "2", memory: "512Mi", "ephemeral-storage": "1Gi" },
    });
  });

  test("pod limits get no defaults", () => {
    const { obj } = create(def, lr([{ type: "Pod", max: { cpu: "4" } }]));
    expect((obj.spec as { limits: object[] }).limits[0]).toEqual({ type: "Pod", max: { cpu: "4" } });
  });

  test.each<[string, object[], string[]]>([
    ["min above max", [{ type: "Container", min: { cpu: "2" }, max: { cpu: "1" }, default: { cpu: "1" }, defaultRequest: { cpu: "1" } }], [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
    ]],
    ["pod defaults", [{ type: "Pod", default: { cpu: "1" } }], ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]],
    ["pvc needs storage bounds", [{ type: "PersistentVolumeClaim", max: { cpu: "1" } }], ["spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided"]],
    ["duplicate types", [{ type: "Container" }, { type: "Container" }], ['spec.limits[1].type: Duplicate value: "Container"']],
    ["unknown type", [{ type: "Node" }], ['spec.limits[0].type: Invalid value: "Node": must be a standard limit type or fully qualified']],
    ["ratio below 1", [{ type: "Container", maxLimitRequestRatio: { cpu: "500m" } }], ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1']],
  ])("%s", (_n, limits, want) => {
    expect(create(def, lr(limits)).errors).toEqual(want);
  });

  test("NAME and CREATED AT", () => {
    expect(headers(def)).toEqual(["Name", "Created At"]);
    expect(def.printerColumns?.[1]?.type).toBe("date");
    const at = new Date(NOW).toISOString();
    expect(row(def, { metadata: { name: "limits", creationTimestamp: at } })).toEqual({ Name: "limits", "Created At": at });
  });
});
