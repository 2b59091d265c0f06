/**
 * Wire shapes of the apps/v1 workload types, from @kubernetes/client-node's models. Specs are
 * Partial: the store hands strategies whatever JSON the client sent, so "required" fields may be
 * missing until validation says so.
 */
import type { V1DaemonSet, V1DaemonSetSpec, V1Deployment, V1DeploymentSpec, V1ReplicaSet, V1ReplicaSetSpec, V1StatefulSet, V1StatefulSetSpec } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export type DeploymentSpec = Partial<Wire<V1DeploymentSpec>>;
export type Deployment = Omit<Wire<V1Deployment>, "spec"> & { spec?: DeploymentSpec };

export type ReplicaSetSpec = Partial<Wire<V1ReplicaSetSpec>>;
export type ReplicaSet = Omit<Wire<V1ReplicaSet>, "spec"> & { spec?: ReplicaSetSpec };

export type StatefulSetSpec = Partial<Wire<V1StatefulSetSpec>>;
export type StatefulSet = Omit<Wire<V1StatefulSet>, "spec"> & { spec?: StatefulSetSpec };

export type DaemonSetSpec = Partial<Wire<V1DaemonSetSpec>>;
export type DaemonSet = Omit<Wire<V1DaemonSet>, "spec"> & { spec?: DaemonSetSpec };

export { view } from "../../api/types.ts";
