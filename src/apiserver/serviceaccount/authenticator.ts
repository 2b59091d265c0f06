/**
 * Service account JWTs (upstream's serviceaccount token authenticator and validators): the
 * signature must verify with a service account key; a bound token must come from one of the
 * accepted issuers, be in its time window and for one of the asked audiences, and its service
 * account and bound object (pod, secret or node) must still exist with the same UID (an object
 * being deleted keeps its tokens working for 60 s more, as upstream). A legacy token must still
 * be the token its Secret holds. The user is system:serviceaccount:<ns>:<name> in
 * system:serviceaccounts and system:serviceaccounts:<ns>, with the binding in its extra.
 */
import type { KeyObject } from "node:crypto";
import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../registry/definition.ts";
import type { Secret } from "../resources/core/types.ts";
import type { TokenAuthenticator, TokenResult } from "../authn/types.ts";
import { audiencesOf, decodeJwt, JwtError, keyId, looksLikeJwt, timeError, verifySignature } from "../authn/jwt.ts";
import { LEGACY_ISSUER, saGroups, saUsername, type BoundClaims, type LegacyClaims, type ObjectRef } from "./claims.ts";

/** Reads one object of a core resource, or undefined when it does not exist. */
export type ObjectGetter = (resource: "serviceaccounts" | "pods" | "secrets" | "nodes", namespace: string, name: string) => Promise<KubeObject | undefined>;

export interface ServiceAccountAuthenticatorOptions {
  /** Accepted issuers of bound tokens (--service-account-issuer, repeatable); the first is used for new tokens. */
  issuers: string[];
  /** Keys tokens may be signed with. */
  publicKeys: KeyObject[];
  /** The API server's own audiences: a legacy token (no aud) is good for these. */
  apiAudiences: string[];
  get: ObjectGetter;
  /** Whether legacy Secret-based tokens are accepted (upstream: yes). */
  legacy?: boolean;
  now?: () => number;
}

const DELETION_GRACE_SECONDS = 60;

export const EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
export const EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";
export const EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name";
export const EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid";
export const EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

export class ServiceAccountAuthenticator implements TokenAuthenticator {
  readonly name = "serviceaccount";
  private readonly byKid = new Map<string, KeyObject>();

  constructor(private readonly opts: ServiceAccountAuthenticatorOptions) {
    for (const k of opts.publicKeys) this.byKid.set(keyId(k), k);
  }

  private nowSeconds(): number {
    return Math.floor((this.opts.now ?? Date.now)() / 1000);
  }

  async authenticate(token: string, audiences: readonly string[]): Promise<TokenResult | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    let jwt;
    try {
      jwt = decodeJwt(token);
    } catch (err) {
      if (err instanceof JwtError) return undefined;
      throw err;
    }
    const iss = jwt.claims.iss;
    const legacy = iss === LEGACY_ISSUER;
    if (!legacy && !this.opts.issuers.includes(String(iss))) return undefined;
    if (legacy && this.opts.legacy === false) return undefined;
    if (!verifySignature(jwt, this.opts.publicKeys, this.byKid)) return undefined;
    if (timeError(jwt.claims, this.nowSeconds())) return undefined;
    const tokenAuds = audiencesOf(jwt.claims);
    const granted = (tokenAuds.length > 0 ? tokenAuds : this.opts.apiAudiences).filter((a) => audiences.includes(a));
    if (granted.length === 0) return undefined;
    const user = legacy ? await this.legacyUser(jwt.claims as LegacyClaims, token) : await this.boundUser(jwt.claims as BoundClaims);
    return user ? { user, audiences: granted } : undefined;
  }

  /** The object if it exists with the claimed UID and is not long gone into deletion. */
  private async live(resource: Parameters<ObjectGetter>[0], namespace: string, ref: ObjectRef | undefined): Promise<KubeObject | undefined> {
    if (!ref?.name) return undefined;
    const obj = await this.opts.get(resource, namespace, ref.name);
    if (!obj || (ref.uid && obj.metadata?.uid !== ref.uid)) return undefined;
    const deleting = obj.metadata?.deletionTimestamp;
    if (deleting && Date.parse(deleting) / 1000 < this.nowSeconds() - DELETION_GRACE_SECONDS) return undefined;
    return obj;
  }

  private async boundUser(claims: BoundClaims): Promise<UserInfo | undefined> {
    const k8s = claims["kubernetes.io"];
    if (!k8s || typeof k8s !== "object" || !k8s.namespace || !k8s.serviceaccount?.name) return undefined;
    const ns = k8s.namespace;
    if (claims.sub !== saUsername(ns, k8s.serviceaccount.name)) return undefined;
    const sa = await this.live("serviceaccounts", ns, k8s.serviceaccount);
    if (!sa) return undefined;
    const extra: Record<string, string[]> = {};
    if (k8s.pod) {
      if (!(await this.live("pods", ns, k8s.pod))) return undefined;
      extra[EXTRA_POD_NAME] = [k8s.pod.name];
      extra[EXTRA_POD_UID] = [k8s.pod.uid];
    }
    if (k8s.secret && !(await this.live("secrets", ns, k8s.secret))) return undefined;
    if (k8s.node) {
      // A pod-bound token names its pod's node for information; only a node-bound token needs the node.
      if (!k8s.pod && !k8s.secret && !(await this.live("nodes", "", k8s.node))) return undefined;
      extra[EXTRA_NODE_NAME] = [k8s.node.name];
      if (k8s.node.uid) extra[EXTRA_NODE_UID] = [k8s.node.uid];
    }
    if (typeof claims.jti === "string" && claims.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${claims.jti}`];
    const user: UserInfo = { username: saUsername(ns, k8s.serviceaccount.name), uid: sa.metadata?.uid, groups: saGroups(ns) };
    if (Object.keys(extra).length > 0) user.extra = extra;
    return user;
  }

  private async legacyUser(claims: LegacyClaims, token: string): Promise<UserInfo | undefined> {
    const ns = claims["kubernetes.io/serviceaccount/namespace"];
    const saName = claims["kubernetes.io/serviceaccount/service-account.name"];
    const saUid = claims["kubernetes.io/serviceaccount/service-account.uid"];
    const secretName = claims["kubernetes.io/serviceaccount/secret.name"];
    if (!ns || !saName || !secretName || claims.sub !== saUsername(ns, saName)) return undefined;
    const secret = (await this.opts.get("secrets", ns, secretName)) as Secret | undefined;
    if (!secret || secret.metadata?.deletionTimestamp) return undefined;
    const stored = secret.data?.token ? Buffer.from(secret.data.token, "base64").toString("utf8") : "";
    if (stored !== token) return undefined;
    const sa = await this.live("serviceaccounts", ns, { name: saName, uid: saUid });
    if (!sa) return undefined;
    return { username: saUsername(ns, saName), uid: sa.metadata?.uid, groups: saGroups(ns) };
  }
}

