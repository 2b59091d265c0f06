/**
 * The Kubernetes API shapes the agent's pod parts work with, as they travel on the wire
 * (client-node's models with dates as strings).
 */
import type {
  CoreV1Event,
  V1ConfigMap,
  V1Container,
  V1ContainerStatus,
  V1EphemeralContainer,
  V1LifecycleHandler,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
  V1Probe,
  V1Secret,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import type { Wire } from "../../apiserver/api/types.ts";

export type Pod = Wire<V1Pod>;
export type PodStatus = Wire<V1PodStatus>;
export type PodCondition = Wire<V1PodCondition>;
export type Container = Wire<V1Container>;
export type EphemeralContainer = Wire<V1EphemeralContainer>;
export type ContainerStatus = Wire<V1ContainerStatus>;
export type Probe = Wire<V1Probe>;
export type LifecycleHandler = Wire<V1LifecycleHandler>;
export type Volume = Wire<V1Volume>;
export type VolumeMount = Wire<V1VolumeMount>;
export type ConfigMap = Wire<V1ConfigMap>;
export type Secret = Wire<V1Secret>;
export type CoreEvent = Wire<CoreV1Event>;

/** upstream's format.Pod: "name_namespace(uid)", the way kubelet names a pod in messages. */
export function podDesc(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}
