/** The rbac.authorization.k8s.io group's resources, and the default policy kts creates at start. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { clusterRoleBindingDefinition, roleBindingDefinition } from "./bindings.ts";
import { clusterRoleDefinition, roleDefinition } from "./roles.ts";

export { bootstrapRbac } from "./bootstrap.ts";

export const rbacDefinitions: ResourceDefinition[] = [clusterRoleBindingDefinition, clusterRoleDefinition, roleBindingDefinition, roleDefinition];
