/** A few served resources, shaped like the real registry's, for the OpenAPI tests. */
import type { ResourceDefinition } from "../../registry/definition.ts";

export const pods: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  namespaced: true,
  statusSubresource: true,
  extraSubresources: [
    { name: "log", kind: "Pod", verbs: ["get"] },
    { name: "exec", kind: "PodExecOptions", verbs: ["get", "create"] },
    { name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] },
  ],
};

export const services: ResourceDefinition = { group: "", version: "v1", kind: "Service", plural: "services", singular: "service", namespaced: true, statusSubresource: true };
export const configMaps: ResourceDefinition = { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap", namespaced: true };
export const namespaces: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  namespaced: false,
  statusSubresource: true,
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
};
export const deployments: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  namespaced: true,
  statusSubresource: true,
  scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "status.selector" },
};
export const clusterRoles: ResourceDefinition = { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles", singular: "clusterrole", namespaced: false };
/** A custom resource (its schema is registered separately). */
export const crontabs: ResourceDefinition = { group: "stable.example.com", version: "v1", kind: "CronTab", plural: "crontabs", singular: "crontab", namespaced: true };

export const builtins: ResourceDefinition[] = [pods, services, configMaps, namespaces, deployments, clusterRoles];
