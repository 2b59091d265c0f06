/**
 * rbac.authorization.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api rbac/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const RBAC_V1: GroupSchema = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kinds: [
    "Role", "RoleBinding", "RoleBindingList", "RoleList", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBindingList",
    "ClusterRoleList",
  ],
  messages: {
    AggregationRule: { clusterRoleSelectors: [1, "[]meta.LabelSelector"] },
    ClusterRole: {
      metadata: [1, "meta.ObjectMeta"], rules: [2, "[]PolicyRule", "always"], aggregationRule: [3, "*AggregationRule"],
    },
    ClusterRoleBinding: { metadata: [1, "meta.ObjectMeta"], subjects: [2, "[]Subject"], roleRef: [3, "RoleRef", "always"] },
    ClusterRoleBindingList: { metadata: [1, "meta.ListMeta"], items: [2, "[]ClusterRoleBinding", "always"] },
    ClusterRoleList: { metadata: [1, "meta.ListMeta"], items: [2, "[]ClusterRole", "always"] },
    PolicyRule: {
      verbs: [1, "[]string", "always"], apiGroups: [2, "[]string"], resources: [3, "[]string"], resourceNames: [4, "[]string"],
      nonResourceURLs: [5, "[]string"],
    },
    Role: { metadata: [1, "meta.ObjectMeta"], rules: [2, "[]PolicyRule", "always"] },
    RoleBinding: { metadata: [1, "meta.ObjectMeta"], subjects: [2, "[]Subject"], roleRef: [3, "RoleRef", "always"] },
    RoleBindingList: { metadata: [1, "meta.ListMeta"], items: [2, "[]RoleBinding", "always"] },
    RoleList: { metadata: [1, "meta.ListMeta"], items: [2, "[]Role", "always"] },
    RoleRef: { apiGroup: [1, "string", "always"], kind: [2, "string", "always"], name: [3, "string", "always"] },
    Subject: { kind: [1, "string", "always"], apiGroup: [2, "string"], name: [3, "string", "always"], namespace: [4, "string"] },
  },
};
