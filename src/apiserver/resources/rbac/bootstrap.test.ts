import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { create } from "../workloads/testing.ts";
import { clusterRoleBindingDefinition } from "./bindings.ts";
import { bootstrapRbac } from "./bootstrap.ts";
import { clusterRoleDefinition } from "./roles.ts";

const objects = bootstrapRbac();
const roles = new Map(objects.filter((o) => o.kind === "ClusterRole").map((o) => [o.metadata!.name!, o]));
const bindings = new Map(objects.filter((o) => o.kind === "ClusterRoleBinding").map((o) => [o.metadata!.name!, o]));

describe("bootstrap RBAC policy", () => {
  test.each(["cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user", "system:public-info-viewer", "system:node", "system:kube-controller-manager", "system:kube-scheduler"])(
    "has the %s ClusterRole, labelled and annotated as upstream's",
    (name) => {
      expect(roles.get(name)?.metadata).toEqual({
        name,
        labels: expect.objectContaining({ "kubernetes.io/bootstrapping": "rbac-defaults" }),
        annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
      });
    },
  );

  test("every role and binding passes the API's own validation", () => {
    for (const role of roles.values()) expect(create(clusterRoleDefinition, role).errors).toEqual([]);
    for (const binding of bindings.values()) expect(create(clusterRoleBindingDefinition, binding).errors).toEqual([]);
  });

  test("cluster-admin may do anything", () => {
    expect(roles.get("cluster-admin")?.rules).toEqual([
      { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      { verbs: ["*"], nonResourceURLs: ["*"] },
    ]);
  });

  test("admin, edit and view are aggregated (rules: null until the aggregation controller fills them) and chain into each other", () => {
    const selector = (o: KubeObject | undefined) => (o?.aggregationRule as { clusterRoleSelectors: unknown[] }).clusterRoleSelectors;
    expect(roles.get("admin")?.rules).toBeNull();
    expect(selector(roles.get("admin"))).toEqual([{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" } }]);
    expect(selector(roles.get("edit"))).toEqual([{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-edit": "true" } }]);
    expect(selector(roles.get("view"))).toEqual([{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }]);
    expect(roles.get("edit")?.metadata?.labels).toMatchObject({ "rbac.authorization.k8s.io/aggregate-to-admin": "true" });
    expect(roles.get("view")?.metadata?.labels).toMatchObject({ "rbac.authorization.k8s.io/aggregate-to-edit": "true" });
    expect(roles.get("system:aggregate-to-view")?.metadata?.labels).toMatchObject({ "rbac.authorization.k8s.io/aggregate-to-view": "true" });
  });

  test("rules are normalised as upstream's rule builder does: sorted sets, field order verbs first", () => {
    const rules = roles.get("system:aggregate-to-admin")?.rules;
    expect(rules).toEqual([
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"] },
      { verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings", "roles"] },
    ]);
    expect(Object.keys((rules as object[])[0]!)).toEqual(["verbs", "apiGroups", "resources"]);
    expect((roles.get("system:kube-scheduler")?.rules as object[])[0]).toEqual({ verbs: ["create", "patch", "update"], apiGroups: ["", "events.k8s.io"], resources: ["events"] });
    expect((roles.get("system:discovery")?.rules as Array<{ nonResourceURLs: string[] }>)[0]!.nonResourceURLs).toEqual([
      "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
    ]);
  });

  test("bindings: masters are cluster-admins, everyone authenticated gets discovery, anyone public info; system:node has no subjects", () => {
    expect(bindings.get("cluster-admin")).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters" }],
    });
    expect(bindings.get("system:discovery")?.subjects).toEqual([{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" }]);
    expect((bindings.get("system:public-info-viewer")?.subjects as Array<{ name: string }>).map((s) => s.name)).toEqual(["system:authenticated", "system:unauthenticated"]);
    expect(bindings.get("system:kube-dns")?.subjects).toEqual([{ kind: "ServiceAccount", name: "kube-dns", namespace: "kube-system" }]);
    expect(bindings.get("system:node")).not.toHaveProperty("subjects");
    expect(bindings.get("system:node")?.metadata?.annotations).toEqual({ "rbac.authorization.kubernetes.io/autoupdate": "true" });
  });

  test("each call returns fresh objects", () => {
    const a = bootstrapRbac();
    a[0]!.metadata!.name = "changed";
    expect(bootstrapRbac()[0]!.metadata!.name).toBe("admin");
  });
});
