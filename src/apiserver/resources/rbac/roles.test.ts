import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { clusterRoleDefinition, roleDefinition } from "./roles.ts";

const role = (rules: unknown): KubeObject => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "pod-reader", namespace: "default" }, rules });
const clusterRole = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "system:reader" }, ...extra });

describe("roles", () => {
  test("what `kubectl create role --verb=get --resource=pods` sends is kept as sent", () => {
    const rules = [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }];
    const { obj, errors } = create(roleDefinition, role(rules));
    expect(errors).toEqual([]);
    expect(obj.rules).toEqual(rules);
  });

  test("a role without rules is stored with rules: null (no omitempty upstream)", () => {
    const input = role(undefined);
    delete input.rules;
    expect(create(roleDefinition, input).obj.rules).toBeNull();
  });

  test.each<[string, unknown, string[]]>([
    ["no verbs", [{ apiGroups: [""], resources: ["pods"] }], ["rules[0].verbs: Required value: verbs must contain at least one value"]],
    [
      "no groups or resources",
      [{ verbs: ["get"] }],
      ["rules[0].apiGroups: Required value: resource rules must supply at least one api group", "rules[0].resources: Required value: resource rules must supply at least one resource"],
    ],
    ["non-resource URLs", [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }], ['rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs']],
    ["an empty verb list counts as none", [{ verbs: [], apiGroups: [""], resources: ["pods"] }], ["rules[0].verbs: Required value: verbs must contain at least one value"]],
  ])("rejects %s", (_, rules, messages) => {
    expect(create(roleDefinition, role(rules)).errors).toEqual(messages);
  });

  test("prints NAME and CREATED AT (the default table convertor), not AGE", () => {
    const obj = { ...role([]), metadata: { name: "r", creationTimestamp: "2024-05-06T07:08:09Z" } };
    expect(cells(roleDefinition, obj, NOW)).toEqual({ Name: "r", "Created At": "2024-05-06T07:08:09Z" });
    expect(roleDefinition.printerColumns?.map((c) => [c.name, c.type])).toEqual([
      ["Name", "string"],
      ["Created At", "date"],
    ]);
  });

  test("names only need to be path segments", () => {
    expect(roleDefinition.nameRule).toBe("path-segment");
    expect(clusterRoleDefinition.nameRule).toBe("path-segment");
  });
});

describe("clusterroles", () => {
  test("non-resource URLs are allowed, but not mixed with resources", () => {
    expect(create(clusterRoleDefinition, clusterRole({ rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/livez"] }] })).errors).toEqual([]);
    const mixed = clusterRole({ rules: [{ verbs: ["get"], nonResourceURLs: ["/metrics"], resources: ["pods"] }] });
    expect(create(clusterRoleDefinition, mixed).errors).toEqual(['rules[0].nonResourceURLs: Invalid value: []string{"/metrics"}: rules cannot apply to both regular resources and non-resource URLs']);
  });

  test("an aggregationRule needs selectors, each a valid label selector", () => {
    expect(create(clusterRoleDefinition, clusterRole({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }] } })).errors).toEqual([]);
    expect(create(clusterRoleDefinition, clusterRole({ aggregationRule: {} })).errors).toEqual([
      "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
    ]);
    const bad = clusterRole({ aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "a", operator: "Near" }] }] } });
    expect(create(clusterRoleDefinition, bad).errors).toEqual([
      'aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
      'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.',
    ]);
  });

  test("an aggregated role starts with rules: null; updates keep validating rules", () => {
    const created = create(clusterRoleDefinition, clusterRole({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] } })).obj;
    expect(created.rules).toBeNull();
    expect(update(clusterRoleDefinition, { ...created, rules: [{ verbs: ["get"] }] }, created).errors).toContain(
      "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
    );
  });

  test("discovery metadata", () => {
    expect(clusterRoleDefinition).toMatchObject({ group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", namespaced: false });
    expect(roleDefinition).toMatchObject({ plural: "roles", namespaced: true });
    expect(clusterRoleDefinition.shortNames).toBeUndefined();
    expect(clusterRoleDefinition.tracksGeneration).toBeUndefined();
  });
});
