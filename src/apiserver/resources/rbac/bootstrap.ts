/**
 * The bootstrap RBAC objects kts creates at start, as kube-apiserver's RBAC post-start hook does:
 * every default ClusterRole and ClusterRoleBinding carries the bootstrapping label and the
 * autoupdate annotation (which lets a later version reconcile them).
 */
import type { KubeObject } from "../../api/types.ts";
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES, node, type BindingSpec, type ClusterRoleSpec, type RuleSpec } from "./bootstrap-roles.ts";
import { CONTROLLER_ROLE_PREFIX, CONTROLLER_ROLES, controllerClusterRoles, NAMESPACED_ROLES } from "./controller-roles.ts";
import { RBAC_GROUP, type ClusterRole, type ClusterRoleBinding, type PolicyRule, type Role, type RoleBinding, type Subject } from "./types.ts";

const API_VERSION = `${RBAC_GROUP}/v1`;
const BOOTSTRAP_LABEL = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const BOOTSTRAP_ANNOTATIONS = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

/** Upstream's rule builder keeps every list as a sorted set. */
const sortedSet = (list: string[]) => [...new Set(list)].sort();

/** A PolicyRule with upstream's field order (verbs, apiGroups, resources, resourceNames, nonResourceURLs). */
export function policyRule(spec: RuleSpec): PolicyRule {
  const rule: PolicyRule = { verbs: sortedSet(spec.verbs) };
  if (spec.groups) rule.apiGroups = sortedSet(spec.groups);
  if (spec.resources) rule.resources = sortedSet(spec.resources);
  if (spec.names) rule.resourceNames = sortedSet(spec.names);
  if (spec.urls) rule.nonResourceURLs = sortedSet(spec.urls);
  return rule;
}

function metadata(name: string, labels: Record<string, string> = {}, namespace?: string) {
  return { name, ...(namespace ? { namespace } : {}), labels: { ...BOOTSTRAP_LABEL, ...labels }, annotations: { ...BOOTSTRAP_ANNOTATIONS } };
}

function clusterRole(spec: ClusterRoleSpec): ClusterRole {
  const role: ClusterRole = { apiVersion: API_VERSION, kind: "ClusterRole", metadata: metadata(spec.name, spec.labels), rules: spec.rules?.map(policyRule) ?? null };
  if (spec.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { ...spec.aggregateFrom } }] };
  return role;
}

function subjectsOf(spec: BindingSpec): Subject[] {
  return [
    ...(spec.groups ?? []).map((name) => ({ kind: "Group", apiGroup: RBAC_GROUP, name })),
    ...(spec.users ?? []).map((name) => ({ kind: "User", apiGroup: RBAC_GROUP, name })),
    ...(spec.serviceAccounts ?? []).map(({ namespace, name }) => ({ kind: "ServiceAccount", name, namespace })),
  ];
}

function clusterRoleBinding(spec: BindingSpec): ClusterRoleBinding {
  const binding: ClusterRoleBinding = {
    apiVersion: API_VERSION,
    kind: "ClusterRoleBinding",
    metadata: metadata(spec.name),
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: spec.role ?? spec.name },
  };
  const subjects = subjectsOf(spec);
  if (subjects.length > 0) binding.subjects = subjects;
  return binding;
}

/** Each controller role bound to its controller's kube-system service account. */
function controllerBindings(): BindingSpec[] {
  return Object.keys(CONTROLLER_ROLES).map((sa) => ({ name: `${CONTROLLER_ROLE_PREFIX}${sa}`, serviceAccounts: [{ namespace: "kube-system", name: sa }] }));
}

/** The default ClusterRoles, then the default ClusterRoleBindings, fresh objects on every call. */
export function bootstrapRbac(): KubeObject[] {
  const roles = [...BOOTSTRAP_CLUSTER_ROLES, ...controllerClusterRoles()].map(clusterRole);
  const bindings = [...BOOTSTRAP_CLUSTER_ROLE_BINDINGS, ...controllerBindings()].map(clusterRoleBinding);
  return [...roles, ...bindings] as KubeObject[];
}

/** The default Roles and RoleBindings of kube-system and kube-public (their namespaces must exist first). */
export function bootstrapNamespacedRbac(): KubeObject[] {
  const out: Array<Role | RoleBinding> = [];
  for (const spec of NAMESPACED_ROLES) {
    out.push({ apiVersion: API_VERSION, kind: "Role", metadata: metadata(spec.name, {}, spec.namespace), rules: spec.rules.map(policyRule) });
    out.push({
      apiVersion: API_VERSION,
      kind: "RoleBinding",
      metadata: metadata(spec.bindingName ?? spec.name, {}, spec.namespace),
      roleRef: { apiGroup: RBAC_GROUP, kind: "Role", name: spec.name },
      subjects: subjectsOf({ name: spec.name, users: spec.users, serviceAccounts: spec.serviceAccounts }),
    });
  }
  return out as unknown as KubeObject[];
}

/** The rules of system:node, which the Node authorizer applies to nodes for what its graph does not cover. */
export function nodeRules(): PolicyRule[] {
  return node.map(policyRule);
}
