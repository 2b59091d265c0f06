/**
 * Wire shapes and resource references of the objects the cluster-lifecycle controllers (Job,
 * CronJob, node lifecycle, endpoints, quota, disruption, ...) read and write.
 */
import type {
  CoreV1EndpointPort,
  DiscoveryV1EndpointPort,
  V1ConfigMap,
  V1CronJob,
  V1EndpointAddress,
  V1Endpoints,
  V1EndpointSlice,
  V1Job,
  V1JobCondition,
  V1Lease,
  V1Namespace,
  V1PodCondition,
  V1PodDisruptionBudget,
  V1ResourceQuota,
  V1Service,
  V1ServiceAccount,
  V1Taint,
  V1Toleration,
} from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../apiserver/api/types.ts";
import type { ResourceRef } from "../../client/index.ts";
import type { OwnerReference, Pod } from "../common/types.ts";

type Obj<T> = Wire<T> & KubeObject;

export type { Node, OwnerReference, Pod } from "../common/types.ts";
export { as, isApiError, NODES, PODS, REPLICASETS, DEPLOYMENTS, STATEFULSETS, REPLICATION_CONTROLLERS, PVCS, rfc3339, timeOf } from "../common/types.ts";
export { controllerOf } from "../common/controller-ref.ts";

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
