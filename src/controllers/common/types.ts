/**
 * The API types the workload controllers read and write, as they travel on the wire, and the
 * resources they address.
 */
import type {
  V1ControllerRevision,
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1ReplicationController,
  V1StatefulSet,
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
