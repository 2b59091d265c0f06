/**
 * The bootstrap RBAC objects kts creates at start, as kube-apiserver's RBAC post-start hook does:
 * every default ClusterRole and ClusterRoleBinding carries the bootstrapping label and the
 * autoupdate annotation (which lets a later version reconcile them).
 */
import type { KubeObject } from "../../api/types.ts";
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES, type BindingSpec, type ClusterRoleSpec, type RuleSpec } from "./bootstrap-roles.ts";
import { RBAC_GROUP, type ClusterRole, type ClusterRoleBinding, type PolicyRule, type Subject } from "./types.ts";

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

function metadata(name: string, labels: Record<string, string> = {}) {
  return { name, labels: { ...BOOTSTRAP_LABEL, ...labels }, annotations: { ...BOOTSTRAP_ANNOTATIONS } };
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
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: spec.name },
  };
  const subjects = subjectsOf(spec);
  if (subjects.length > 0) binding.subjects = subjects;
  return binding;
}

/** The default ClusterRoles, then the default ClusterRoleBindings, fresh objects on every call. */
export function bootstrapRbac(): KubeObject[] {
  return [...BOOTSTRAP_CLUSTER_ROLES.map(clusterRole), ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map(clusterRoleBinding)] as KubeObject[];
}
