/**
 * Wire shapes of the core/v1 types these definitions handle, from @kubernetes/client-node's
 * models. `as*` helpers view a generic KubeObject as its typed shape; the store hands
 * definitions untyped JSON, so these are views, not conversions.
 */
import type {
  V1ConfigMap,
  V1Container,
  V1ContainerPort,
  V1Endpoints,
  V1EphemeralContainer,
  CoreV1Event,
  V1LimitRange,
  V1LimitRangeItem,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1PersistentVolumeClaimSpec,
  V1Pod,
  V1PodSpec,
  V1PodTemplate,
  V1PodTemplateSpec,
  V1Probe,
  V1ReplicationController,
  V1ResourceQuota,
  V1ResourceRequirements,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1Volume,
} from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../api/types.ts";

export type Pod = Wire<V1Pod>;
export type PodSpec = Wire<V1PodSpec>;
export type PodTemplate = Wire<V1PodTemplate>;
export type PodTemplateSpec = Wire<V1PodTemplateSpec>;
export type Container = Wire<V1Container>;
export type EphemeralContainer = Wire<V1EphemeralContainer>;
export type ContainerPort = Wire<V1ContainerPort>;
export type Probe = Wire<V1Probe>;
export type Volume = Wire<V1Volume>;
export type ResourceRequirements = Wire<V1ResourceRequirements>;
export type ResourceList = Record<string, string>;
export type Service = Wire<V1Service>;
export type Endpoints = Wire<V1Endpoints>;
export type ConfigMap = Wire<V1ConfigMap>;
export type Secret = Wire<V1Secret>;
export type ServiceAccount = Wire<V1ServiceAccount>;
export type Node = Wire<V1Node>;
export type Namespace = Wire<V1Namespace>;
export type CoreEvent = Wire<CoreV1Event>;
export type ResourceQuota = Wire<V1ResourceQuota>;
export type PersistentVolume = Wire<V1PersistentVolume>;
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
export type PersistentVolumeClaimSpec = Wire<V1PersistentVolumeClaimSpec>;
export type ReplicationController = Wire<V1ReplicationController>;

/** client-node renames the wire field `default` to `_default`; this is the JSON shape. */
export type LimitRangeItem = Omit<Wire<V1LimitRangeItem>, "_default"> & { default?: ResourceList };
export type LimitRange = Omit<Wire<V1LimitRange>, "spec"> & { spec?: { limits: LimitRangeItem[] } };

export { view } from "../../api/types.ts";
