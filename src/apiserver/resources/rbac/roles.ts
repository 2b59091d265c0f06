/**
 * rbac.authorization.k8s.io/v1 Role and ClusterRole (upstream pkg/apis/rbac/validation
 * ValidateRole/ValidateClusterRole, pkg/registry/rbac/role and clusterrole). Names only need to
 * be path segments ("system:node" is a valid name). Aggregating ClusterRoles (filling `rules` from
 * the roles an aggregationRule selects) is a controller's job, not the API's.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { parseSelector } from "../workloads/label-selector.ts";
import { ROLE_COLUMNS } from "./columns.ts";
import { validateRules } from "./policy-rules.ts";
import { RBAC_GROUP, view, type AggregationRule, type ClusterRole, type Role } from "./types.ts";

/** `rules` has no omitempty upstream: a role without rules reads back as `rules: null`. */
function defaultRules(obj: KubeObject): void {
  const role = view<Role>(obj);
  if (role.rules === undefined) role.rules = null;
}

function validateAggregationRule(rule: AggregationRule | null | undefined): FieldError[] {
  if (rule == null) return [];
  const path = FieldPath.root("aggregationRule").child("clusterRoleSelectors");
  const selectors = rule.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return [field.required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil")];
  return selectors.flatMap((selector, i) => {
    const errs = validateLabelSelector(selector, path.index(i));
    // Upstream also converts each selector and quotes the (nil) result when that fails.
    if (!parseSelector(selector)) errs.push(field.invalid(path.index(i), "null", "invalid label selector."));
    return errs;
  });
}

const roleStrategy: Strategy = {
  defaults: defaultRules,
  validate: (obj) => validateRules(view<Role>(obj).rules, true, FieldPath.root("rules")),
};

const clusterRoleStrategy: Strategy = {
  defaults: defaultRules,
  validate: (obj) => {
    const role = view<ClusterRole>(obj);
    return [...validateRules(role.rules, false, FieldPath.root("rules")), ...validateAggregationRule(role.aggregationRule)];
  },
};

const common = { group: RBAC_GROUP, version: "v1", nameRule: "path-segment", printerColumns: ROLE_COLUMNS } as const;

export const roleDefinition: ResourceDefinition = {
  ...common,
  kind: "Role",
  plural: "roles",
  singular: "role",
  namespaced: true,
  strategy: roleStrategy,
};

export const clusterRoleDefinition: ResourceDefinition = {
  ...common,
  kind: "ClusterRole",
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  strategy: clusterRoleStrategy,
};
