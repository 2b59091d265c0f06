/** The rbac.authorization.k8s.io group's resources, and the default policy kts creates at start. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { clusterRoleBindingDefinition, roleBindingDefinition } from "./bindings.ts";
import { clusterRoleDefinition, roleDefinition } from "./roles.ts";

export { bootstrapNamespacedRbac, bootstrapRbac, nodeRules, policyRule } from "./bootstrap.ts";
export { CONTROLLER_ROLE_PREFIX, CONTROLLER_ROLES } from "./controller-roles.ts";
export { RBAC_GROUP, type AnyBinding, type ClusterRole, type ClusterRoleBinding, type PolicyRule, type Role, type RoleBinding, type RoleRef, type Subject } from "./types.ts";

export const rbacDefinitions: ResourceDefinition[] = [clusterRoleBindingDefinition, clusterRoleDefinition, roleBindingDefinition, roleDefinition];
