/**
 * The API objects the scheduler reads and writes, as wire shapes, and the resources it watches.
 */
import type {
  V1Affinity,
  V1Node,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodAffinityTerm,
  V1PodDisruptionBudget,
  V1StorageClass,
  V1Taint,
  V1Toleration,
  V1TopologySpreadConstraint,
  V1LabelSelector,
  V1Container,
} from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../apiserver/api/types.ts";
import type { ResourceRef } from "../client/index.ts";

export type Pod = Wire<V1Pod>;
export type Node = Wire<V1Node>;
export type Container = Wire<V1Container>;
export type Taint = Wire<V1Taint>;
export type Toleration = Wire<V1Toleration>;
export type Affinity = Wire<V1Affinity>;
export type PodAffinityTerm = Wire<V1PodAffinityTerm>;
export type NodeSelectorTerm = Wire<V1NodeSelectorTerm>;
export type NodeSelectorRequirement = Wire<V1NodeSelectorRequirement>;
export type TopologySpreadConstraint = Wire<V1TopologySpreadConstraint>;
export type LabelSelectorObject = Wire<V1LabelSelector>;
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
export type PersistentVolume = Wire<V1PersistentVolume>;
export type StorageClass = Wire<V1StorageClass>;
export type PodDisruptionBudget = Wire<V1PodDisruptionBudget>;
export type Labels = Record<string, string>;

export const PODS: ResourceRef = { group: "", version: "v1", resource: "pods" };
export const NODES: ResourceRef = { group: "", version: "v1", resource: "nodes" };
export const NAMESPACES: ResourceRef = { group: "", version: "v1", resource: "namespaces" };
export const BINDINGS: ResourceRef = { group: "", version: "v1", resource: "bindings" };
export const PVCS: ResourceRef = { group: "", version: "v1", resource: "persistentvolumeclaims" };
export const PVS: ResourceRef = { group: "", version: "v1", resource: "persistentvolumes" };
export const STORAGE_CLASSES: ResourceRef = { group: "storage.k8s.io", version: "v1", resource: "storageclasses" };
export const PDBS: ResourceRef = { group: "policy", version: "v1", resource: "poddisruptionbudgets" };
export const SERVICES: ResourceRef = { group: "", version: "v1", resource: "services" };
export const REPLICATION_CONTROLLERS: ResourceRef = { group: "", version: "v1", resource: "replicationcontrollers" };
export const REPLICA_SETS: ResourceRef = { group: "apps", version: "v1", resource: "replicasets" };
export const STATEFUL_SETS: ResourceRef = { group: "apps", version: "v1", resource: "statefulsets" };

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
export const LABEL_REGION = "topology.kubernetes.io/region";

export const asPod = (obj: KubeObject): Pod => obj as unknown as Pod;
export const asNode = (obj: KubeObject): Node => obj as unknown as Node;
export const asObject = (obj: object): KubeObject => obj as unknown as KubeObject;

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}
