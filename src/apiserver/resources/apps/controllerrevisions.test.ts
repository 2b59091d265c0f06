import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { controllerName, controllerRevisionDefinition as def } from "./controllerrevisions.ts";

const owner = { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u1", controller: true, blockOwnerDeletion: true };
const revision: KubeObject = {
  apiVersion: "apps/v1",
  kind: "ControllerRevision",
  metadata: { name: "web-7b9f5c8d4", namespace: "default", ownerReferences: [owner], creationTimestamp: new Date(NOW - 7200_000).toISOString() },
  data: { spec: { template: { metadata: { labels: { app: "web" } } } } },
  revision: 2,
};

describe("controllerrevisions", () => {
  test("accepts what the StatefulSet controller writes", () => {
    expect(create(def, revision).errors).toEqual([]);
  });

  test.each<[string, Partial<KubeObject>, string[]]>([
    ["no data", { data: undefined }, ["data: Required value: data is mandatory"]],
    ["null data", { data: null }, ["data: Required value: data is mandatory"]],
    ["a negative revision", { revision: -1 }, ["revision: Invalid value: -1: must be greater than or equal to 0"]],
  ])("rejects %s", (_, change, messages) => {
    expect(create(def, { ...revision, ...change }).errors).toEqual(messages);
  });

  test("data is immutable; the revision number may change", () => {
    const stored = create(def, revision).obj;
    expect(update(def, { ...stored, revision: 5 }, stored).errors).toEqual([]);
    expect(update(def, { ...stored, data: { spec: {} } }, stored).errors).toEqual(['data: Invalid value: {"spec":{}}: field is immutable']);
  });

  test("prints CONTROLLER and REVISION", () => {
    expect(cells(def, revision)).toEqual({ Name: "web-7b9f5c8d4", Controller: "statefulset.apps/web", Revision: 2, Age: "120m" });
  });

  test.each([
    [[owner], "statefulset.apps/web"],
    [[{ ...owner, apiVersion: "v1", kind: "Pod", name: "p" }], "pod/p"],
    [[{ ...owner, controller: false }], "<none>"],
    [undefined, "<none>"],
  ])("controller of %p is %p", (owners, expected) => {
    expect(controllerName(owners)).toBe(expected);
  });
});
