/**
 * Patch metadata of the built-in types, transcribed from the `patchStrategy` / `patchMergeKey`
 * struct tags of k8s.io/api (v0.32) and of metav1.ObjectMeta. Shared structures (ObjectMeta,
 * Container, PodSpec, ...) are written once and placed under each path that embeds them.
 */
import { schemaFromTable, type FieldPatchMeta, type PatchMetaTable, type PatchSchema } from "./schema.ts";

type Table = Record<string, FieldPatchMeta>;

const merge = (mergeKey?: string): FieldPatchMeta => (mergeKey ? { strategy: "merge", mergeKey } : { strategy: "merge" });
const mergeRetainKeys = (mergeKey: string): FieldPatchMeta => ({ strategy: "merge,retainKeys", mergeKey });
const byType = merge("type");

/** `table` with every path moved under `prefix`. */
function under(prefix: string, table: Table): Table {
  return Object.fromEntries(Object.entries(table).map(([path, meta]) => [`${prefix}.${path}`, meta]));
}

const OBJECT_META: Table = { ownerReferences: merge("uid"), finalizers: merge() };

const CONTAINER: Table = {
  ports: merge("containerPort"),
  env: merge("name"),
  volumeMounts: merge("mountPath"),
  volumeDevices: merge("devicePath"),
};

const CONTAINER_STATUS: Table = { volumeMounts: merge("mountPath"), allocatedResourcesStatus: merge("name") };

const PVC: Table = { ...under("metadata", OBJECT_META), "status.conditions": byType };

const POD_SPEC: Table = {
  volumes: mergeRetainKeys("name"),
  ...under("volumes.ephemeral.volumeClaimTemplate.metadata", OBJECT_META),
  initContainers: merge("name"),
  containers: merge("name"),
  ephemeralContainers: merge("name"),
  ...under("initContainers", CONTAINER),
  ...under("containers", CONTAINER),
  ...under("ephemeralContainers", CONTAINER),
  imagePullSecrets: merge("name"),
  hostAliases: merge("ip"),
  topologySpreadConstraints: merge("topologyKey"),
  schedulingGates: merge("name"),
  resourceClaims: mergeRetainKeys("name"),
};

const POD_STATUS: Table = {
  conditions: byType,
  hostIPs: merge("ip"),
  podIPs: merge("ip"),
  resourceClaimStatuses: mergeRetainKeys("name"),
  ...under("containerStatuses", CONTAINER_STATUS),
  ...under("initContainerStatuses", CONTAINER_STATUS),
  ...under("ephemeralContainerStatuses", CONTAINER_STATUS),
};

const POD_TEMPLATE_SPEC: Table = { ...under("metadata", OBJECT_META), ...under("spec", POD_SPEC) };

/** A workload: a pod template at spec.template and conditions in its status. */
const WORKLOAD: Table = { ...under("spec.template", POD_TEMPLATE_SPEC), "status.conditions": byType };

const WEBHOOK_CONFIGURATION: Table = { webhooks: merge("name"), "webhooks.matchConditions": merge("name") };

const CONDITIONS_IN_STATUS: Table = { "status.conditions": byType };

/** Per kind, the fields beyond the object's own metadata. */
const KIND_TABLES: Readonly<Record<string, Table>> = {
  Pod: { ...under("spec", POD_SPEC), ...under("status", POD_STATUS) },
  PodTemplate: under("template", POD_TEMPLATE_SPEC),
  ReplicationController: WORKLOAD,
  PersistentVolumeClaim: PVC,
  Service: { "spec.ports": merge("port"), ...CONDITIONS_IN_STATUS },
  ServiceAccount: { secrets: merge("name") },
  Node: { "spec.podCIDRs": merge(), "status.conditions": byType, "status.addresses": byType },
  Namespace: CONDITIONS_IN_STATUS,
  ComponentStatus: { conditions: byType },
  Deployment: { ...WORKLOAD, "spec.strategy": { strategy: "retainKeys" } },
  ReplicaSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  StatefulSet: { ...WORKLOAD, ...under("spec.volumeClaimTemplates", PVC) },
  Job: WORKLOAD,
  CronJob: { ...under("spec.jobTemplate.metadata", OBJECT_META), ...under("spec.jobTemplate.spec.template", POD_TEMPLATE_SPEC) },
  HorizontalPodAutoscaler: CONDITIONS_IN_STATUS,
  PodDisruptionBudget: { "spec.selector": { strategy: "replace" }, ...CONDITIONS_IN_STATUS },
  CSINode: { "spec.drivers": merge("name") },
  MutatingWebhookConfiguration: WEBHOOK_CONFIGURATION,
  ValidatingWebhookConfiguration: WEBHOOK_CONFIGURATION,
  ValidatingAdmissionPolicy: { "spec.matchConditions": merge("name"), "spec.variables": merge("name") },
  FlowSchema: CONDITIONS_IN_STATUS,
  PriorityLevelConfiguration: CONDITIONS_IN_STATUS,
};

/**
 * The kinds kube-apiserver serves from Go types, by API group. Only these accept strategic merge
 * patches; custom resources do not (upstream answers 415).
 */
const BUILTIN_KINDS: Readonly<Record<string, readonly string[]>> = {
  "": [
    "Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "Node",
    "PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController",
    "ResourceQuota", "Secret", "Service", "ServiceAccount",
  ],
  apps: ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
  autoscaling: ["HorizontalPodAutoscaler", "Scale"],
  batch: ["CronJob", "Job"],
  policy: ["Eviction", "PodDisruptionBudget"],
  "coordination.k8s.io": ["Lease"],
  "events.k8s.io": ["Event"],
  "networking.k8s.io": ["Ingress", "IngressClass", "NetworkPolicy", "IPAddress", "ServiceCIDR"],
  "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
  "storage.k8s.io": ["CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment"],
  "scheduling.k8s.io": ["PriorityClass"],
  "node.k8s.io": ["RuntimeClass"],
  "discovery.k8s.io": ["EndpointSlice"],
  "certificates.k8s.io": ["CertificateSigningRequest"],
  "admissionregistration.k8s.io": [
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
  ],
  "apiextensions.k8s.io": ["CustomResourceDefinition"],
  "apiregistration.k8s.io": ["APIService"],
  "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
};

/** The full patch metadata table of a kind: its object metadata plus its own fields. */
export function builtinPatchTable(kind: string): PatchMetaTable {
  const own = Object.hasOwn(KIND_TABLES, kind) ? KIND_TABLES[kind]! : {};
  return { ...under("metadata", OBJECT_META), ...own };
}

export function isBuiltinKind(group: string, kind: string): boolean {
  return Object.hasOwn(BUILTIN_KINDS, group) && BUILTIN_KINDS[group]!.includes(kind);
}

const cache = new Map<string, PatchSchema>();

/** The strategic merge patch schema of a built-in kind, or undefined for anything else (CRDs). */
export function builtinPatchSchema(group: string, kind: string): PatchSchema | undefined {
  if (!isBuiltinKind(group, kind)) return undefined;
  const key = `${group}/${kind}`;
  let schema = cache.get(key);
  if (!schema) cache.set(key, (schema = schemaFromTable(builtinPatchTable(kind))));
  return schema;
}
