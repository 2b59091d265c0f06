/**
 * The API types the controllers read and write, as they travel on the wire, the resources they
 * address, and small helpers on them (typed views, copies, times, API errors).
 */
import type {
  CoreV1EndpointPort,
  DiscoveryV1EndpointPort,
  V1ConfigMap,
  V1ControllerRevision,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1EndpointAddress,
  V1EndpointSlice,
  V1Endpoints,
  V1Job,
  V1JobCondition,
  V1Lease,
  V1Namespace,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodCondition,
  V1PodDisruptionBudget,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1ReplicationController,
  V1ResourceQuota,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V1Taint,
  V1Toleration,
} from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../apiserver/api/types.ts";
import type { ResourceRef } from "../../client/index.ts";

type Obj<T> = Wire<T> & KubeObject;

export type Pod = Obj<V1Pod>;
export type Node = Obj<V1Node>;
export type PodTemplateSpec = Wire<V1PodTemplateSpec>;
export type ReplicaSet = Obj<V1ReplicaSet>;
export type ReplicationController = Obj<V1ReplicationController>;
export type Deployment = Obj<V1Deployment>;
export type StatefulSet = Obj<V1StatefulSet>;
export type DaemonSet = Obj<V1DaemonSet>;
export type ControllerRevision = Obj<V1ControllerRevision>;
export type PersistentVolumeClaim = Obj<V1PersistentVolumeClaim>;
export type OwnerReference = NonNullable<NonNullable<KubeObject["metadata"]>["ownerReferences"]>[number];

export const PODS: ResourceRef = { group: "", version: "v1", resource: "pods" };
export const NODES: ResourceRef = { group: "", version: "v1", resource: "nodes" };
export const PVCS: ResourceRef = { group: "", version: "v1", resource: "persistentvolumeclaims" };
export const REPLICATION_CONTROLLERS: ResourceRef = { group: "", version: "v1", resource: "replicationcontrollers" };
export const REPLICASETS: ResourceRef = { group: "apps", version: "v1", resource: "replicasets" };
export const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", resource: "deployments" };
export const STATEFULSETS: ResourceRef = { group: "apps", version: "v1", resource: "statefulsets" };
export const DAEMONSETS: ResourceRef = { group: "apps", version: "v1", resource: "daemonsets" };
export const CONTROLLER_REVISIONS: ResourceRef = { group: "apps", version: "v1", resource: "controllerrevisions" };

/** A typed view of a cached object (no copy: copy before changing). */
export function as<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

export function isApiError(err: unknown, code: number): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A metav1.Time as milliseconds (0 when unset). */
export function timeOf(t: string | Date | undefined | null): number {
  if (!t) return 0;
  return typeof t === "string" ? Date.parse(t) : t.getTime();
}

export type PodCondition = Wire<V1PodCondition>;
export type Taint = Wire<V1Taint>;
export type Toleration = Wire<V1Toleration>;
export type Lease = Obj<V1Lease>;
export type Namespace = Obj<V1Namespace>;
export type Job = Obj<V1Job>;
export type JobCondition = Wire<V1JobCondition>;
export type CronJob = Obj<V1CronJob>;
export type Service = Obj<V1Service>;
export type Endpoints = Obj<V1Endpoints>;
export type EndpointAddress = Wire<V1EndpointAddress>;
export type EndpointPort = Wire<CoreV1EndpointPort>;
export type EndpointSlice = Obj<V1EndpointSlice>;
export type SlicePort = Wire<DiscoveryV1EndpointPort>;
export type ServiceAccount = Obj<V1ServiceAccount>;
export type ConfigMap = Obj<V1ConfigMap>;
export type ResourceQuota = Obj<V1ResourceQuota>;
export type PodDisruptionBudget = Obj<V1PodDisruptionBudget>;

const core = (resource: string): ResourceRef => ({ group: "", version: "v1", resource });

export const NAMESPACES = core("namespaces");
export const SERVICES = core("services");
export const ENDPOINTS = core("endpoints");
export const SERVICE_ACCOUNTS = core("serviceaccounts");
export const CONFIG_MAPS = core("configmaps");
export const SECRETS = core("secrets");
export const RESOURCE_QUOTAS = core("resourcequotas");
export const JOBS: ResourceRef = { group: "batch", version: "v1", resource: "jobs" };
export const CRON_JOBS: ResourceRef = { group: "batch", version: "v1", resource: "cronjobs" };
export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };
export const ENDPOINT_SLICES: ResourceRef = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
export const PDBS: ResourceRef = { group: "policy", version: "v1", resource: "poddisruptionbudgets" };

/** A private, changeable copy of a cached object. */
export function copy<T>(obj: KubeObject | T): T {
  return structuredClone(obj) as T;
}

/** metav1.MicroTime / RFC3339Nano as Go prints it (trailing zeros dropped). */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z");
}

/** metav1.NewControllerRef, for owners whose cached copy may lack apiVersion and kind. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? "", uid: owner.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** apierrors.HasStatusCause: the error's Status carries a cause with this reason. */
export function hasStatusCause(err: unknown, reason: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const causes = (err as { details?: { causes?: Array<{ reason?: string }> } }).details?.causes ?? [];
  return causes.some((c) => c.reason === reason);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
