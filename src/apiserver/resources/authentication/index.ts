/**
 * authentication.k8s.io/v1: TokenReview (does this bearer token authenticate, and as whom?) and
 * SelfSubjectReview (who am I?, for `kubectl auth whoami`). Both are answered, never stored
 * (upstream pkg/registry/authentication/tokenreview and selfsubjectreview).
 */
import type { V1SelfSubjectReview, V1TokenReview, V1UserInfo } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { ResourceDefinition, UserInfo } from "../../registry/definition.ts";
import { errors } from "../../api/errors.ts";
import { rfc3339 } from "../../registry/object-meta.ts";

export interface AuthenticationDeps {
  /**
   * The user a bearer token authenticates for the asked audiences, as the server's authenticator
   * sees it, and the audiences it is good for (undefined: any of the API's).
   */
  authenticateToken(token: string, audiences: string[]): Promise<{ user: UserInfo; audiences?: string[] } | undefined>;
  /** The API server's audiences (--api-audiences). */
  apiAudiences?: string[];
}

type TokenReview = Wire<V1TokenReview>;
type SelfSubjectReview = Wire<V1SelfSubjectReview>;

/**
 * The audiences tokens are for when a review names none (kube-apiserver's --api-audiences, which
 * k3s sets to the service account issuer and "k3s").
 */
export const API_AUDIENCES = ["https://kubernetes.default.svc.cluster.local", "k3s"];
const AUTHENTICATED = "system:authenticated";

/** A user as authentication.k8s.io UserInfo; empty fields are left out, as Go's omitempty does. */
export function userInfoOf(user: UserInfo): Wire<V1UserInfo> {
  const info: Wire<V1UserInfo> = { username: user.username };
  if (user.uid) info.uid = user.uid;
  if (user.groups.length > 0) info.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) info.extra = structuredClone(user.extra);
  return info;
}

/**
 * upstream's TokenReview REST: authenticate the token for the asked audiences (or the API's).
 * Audience-agnostic tokens (static, bootstrap) are good for any of the API's audiences, so the
 * answer names the asked ones the API has, and a review for none of them authenticates nobody;
 * service account tokens answer with the asked audiences they carry.
 */
async function reviewToken(deps: AuthenticationDeps, obj: KubeObject): Promise<KubeObject> {
  const review = obj as unknown as TokenReview;
  const token = review.spec?.token ?? "";
  if (!token) throw errors.badRequest("token is required for TokenReview in authentication");
  const apiAudiences = deps.apiAudiences ?? API_AUDIENCES;
  const wanted = review.spec.audiences?.length ? review.spec.audiences : apiAudiences;
  const found = await deps.authenticateToken(token, wanted);
  const audiences = found?.audiences ?? apiAudiences.filter((a) => wanted.includes(a));
  // The authenticator chain adds system:authenticated to every user it authenticates.
  const user = found && audiences.length > 0 ? (found.user.groups.includes(AUTHENTICATED) ? found.user : { ...found.user, groups: [...found.user.groups, AUTHENTICATED] }) : undefined;
  review.status = user ? { authenticated: true, user: userInfoOf(user), audiences } : { user: {} };
  // Go's ObjectMeta always carries creationTimestamp, null when unset.
  review.metadata = { ...review.metadata, creationTimestamp: review.metadata?.creationTimestamp ?? (null as unknown as string) };
  return review as unknown as KubeObject;
}

const reviewCommon = { group: "authentication.k8s.io", version: "v1", namespaced: false, verbs: ["create" as const] };

export function authenticationDefinitions(deps: AuthenticationDeps): ResourceDefinition[] {
  return [
    {
      ...reviewCommon,
      kind: "TokenReview",
      plural: "tokenreviews",
      singular: "tokenreview",
      virtual: { create: async (obj) => reviewToken(deps, obj) },
    },
    {
      ...reviewCommon,
      kind: "SelfSubjectReview",
      plural: "selfsubjectreviews",
      singular: "selfsubjectreview",
      // A fresh object, as upstream answers: only its creation time and the requester.
      virtual: {
        create: async (_obj, ctx) => {
          const review: SelfSubjectReview = {
            kind: "SelfSubjectReview",
            apiVersion: "authentication.k8s.io/v1",
            metadata: { creationTimestamp: rfc3339(ctx.now) },
            status: { userInfo: userInfoOf(ctx.user) },
          };
          return review as unknown as KubeObject;
        },
      },
    },
  ];
}
