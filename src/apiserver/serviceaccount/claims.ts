/**
 * Service account token claims as kube-apiserver writes them. Bound tokens (TokenRequest):
 * iss/sub/aud/exp/iat/nbf/jti and a "kubernetes.io" claim naming the namespace, the service
 * account, and the pod, secret or node the token is bound to (with the pod's node). Legacy tokens
 * (the token controller's Secrets): issuer "kubernetes/serviceaccount" and flat
 * "kubernetes.io/serviceaccount/..." claims, no expiry.
 */
import type { JwtClaims } from "../authn/jwt.ts";

export const LEGACY_ISSUER = "kubernetes/serviceaccount";
export const SA_USER_PREFIX = "system:serviceaccount:";
export const SA_GROUP = "system:serviceaccounts";

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The "kubernetes.io" private claim of a bound token. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Seconds since the epoch after which a client should have replaced an extended token. */
  warnafter?: number;
}

export interface BoundClaims extends JwtClaims {
  "kubernetes.io": KubernetesClaim;
}

export interface LegacyClaims extends JwtClaims {
  "kubernetes.io/serviceaccount/namespace": string;
  "kubernetes.io/serviceaccount/secret.name": string;
  "kubernetes.io/serviceaccount/service-account.name": string;
  "kubernetes.io/serviceaccount/service-account.uid": string;
}

export const saUsername = (namespace: string, name: string) => `${SA_USER_PREFIX}${namespace}:${name}`;
export const saGroups = (namespace: string) => [SA_GROUP, `${SA_GROUP}:${namespace}`];

export interface BoundTokenSpec {
  issuer: string;
  audiences: string[];
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Lifetime of the token itself (an extended token lives longer than was asked). */
  expirationSeconds: number;
  /** Set for extended tokens: when the client should have refreshed. */
  warnAfterSeconds?: number;
  nowSeconds: number;
}

export function boundClaims(spec: BoundTokenSpec): BoundClaims {
  const k8s: KubernetesClaim = { namespace: spec.namespace, serviceaccount: spec.serviceAccount };
  if (spec.node) k8s.node = spec.node;
  if (spec.pod) k8s.pod = spec.pod;
  if (spec.secret) k8s.secret = spec.secret;
  if (spec.warnAfterSeconds !== undefined) k8s.warnafter = spec.nowSeconds + spec.warnAfterSeconds;
  return {
    aud: spec.audiences,
    exp: spec.nowSeconds + spec.expirationSeconds,
    iat: spec.nowSeconds,
    iss: spec.issuer,
    jti: crypto.randomUUID(),
    "kubernetes.io": k8s,
    nbf: spec.nowSeconds,
    sub: saUsername(spec.namespace, spec.serviceAccount.name),
  };
}

export function legacyClaims(namespace: string, serviceAccount: ObjectRef, secretName: string): LegacyClaims {
  return {
    iss: LEGACY_ISSUER,
    "kubernetes.io/serviceaccount/namespace": namespace,
    "kubernetes.io/serviceaccount/secret.name": secretName,
    "kubernetes.io/serviceaccount/service-account.name": serviceAccount.name,
    "kubernetes.io/serviceaccount/service-account.uid": serviceAccount.uid,
    sub: saUsername(namespace, serviceAccount.name),
  };
}
