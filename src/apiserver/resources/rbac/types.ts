/**
 * Wire shapes of the rbac.authorization.k8s.io/v1 types, from @kubernetes/client-node's models.
 * "Required" fields are Partial: a strategy sees whatever JSON the client sent (and Go's
 * zero-valued fields come back as null), until validation says so.
 */
import type { RbacV1Subject, V1AggregationRule, V1ClusterRole, V1ClusterRoleBinding, V1PolicyRule, V1Role, V1RoleBinding, V1RoleRef } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

export type PolicyRule = Partial<Wire<V1PolicyRule>>;
export type Subject = Partial<Wire<RbacV1Subject>>;
export type RoleRef = Partial<Wire<V1RoleRef>>;
export type AggregationRule = Wire<V1AggregationRule>;

/** `rules` has no omitempty upstream, so a role without rules is stored as `rules: null`. */
export type Role = Omit<Wire<V1Role>, "rules"> & { rules?: PolicyRule[] | null };
export type ClusterRole = Omit<Wire<V1ClusterRole>, "rules"> & { rules?: PolicyRule[] | null };
export type RoleBinding = Omit<Wire<V1RoleBinding>, "roleRef" | "subjects"> & { roleRef?: RoleRef; subjects?: Subject[] };
export type ClusterRoleBinding = Omit<Wire<V1ClusterRoleBinding>, "roleRef" | "subjects"> & { roleRef?: RoleRef; subjects?: Subject[] };
export type AnyBinding = RoleBinding | ClusterRoleBinding;

export { view } from "../../api/types.ts";
