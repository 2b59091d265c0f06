/**
 * Wire shapes of the networking.k8s.io/v1 types, from @kubernetes/client-node's models. Fields the
 * models call required may still be missing in what a client sends: validators read them with
 * fallbacks and report them.
 */
import type {
  V1HTTPIngressPath,
  V1Ingress,
  V1IngressBackend,
  V1IngressClass,
  V1IngressClassParametersReference,
  V1IngressRule,
  V1IngressSpec,
  V1IngressTLS,
  V1IPBlock,
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1NetworkPolicySpec,
  V1TypedLocalObjectReference,
} from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export const NETWORKING_GROUP = "networking.k8s.io";

export type Ingress = Wire<V1Ingress>;
export type IngressSpec = Wire<V1IngressSpec>;
export type IngressRule = Wire<V1IngressRule>;
export type HTTPIngressPath = Wire<V1HTTPIngressPath>;
export type IngressBackend = Wire<V1IngressBackend>;
export type IngressTLS = Wire<V1IngressTLS>;
export type TypedLocalObjectReference = Wire<V1TypedLocalObjectReference>;

export type IngressClass = Wire<V1IngressClass>;
export type IngressClassParameters = Wire<V1IngressClassParametersReference>;

export type NetworkPolicyPeer = Wire<V1NetworkPolicyPeer>;
/** client-node names the `from` field `_from` (a reserved word in its generator); the wire says `from`. */
export type NetworkPolicyIngressRule = Omit<Wire<V1NetworkPolicyIngressRule>, "_from"> & { from?: NetworkPolicyPeer[] };
export type NetworkPolicySpec = Omit<Wire<V1NetworkPolicySpec>, "ingress"> & { ingress?: NetworkPolicyIngressRule[] };
export type NetworkPolicy = Omit<Wire<V1NetworkPolicy>, "spec"> & { spec?: NetworkPolicySpec };
export type NetworkPolicyPort = Wire<V1NetworkPolicyPort>;
export type IPBlock = Wire<V1IPBlock>;

export { view } from "../../api/types.ts";
