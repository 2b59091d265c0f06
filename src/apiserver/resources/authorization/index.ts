/**
 * authorization.k8s.io/v1: the access reviews, answered by the server's authorizer and never
 * stored (upstream pkg/registry/authorization). SubjectAccessReview asks for any user,
 * LocalSubjectAccessReview for any user within one namespace, SelfSubjectAccessReview for the
 * requester (`kubectl auth can-i`), and SelfSubjectRulesReview lists what the requester may do
 * there (`kubectl auth can-i --list`), as far as the authorizer can enumerate it.
 */
import type { V1SelfSubjectRulesReview, V1SubjectAccessReviewStatus } from "@kubernetes/client-node";
import type { Attributes, Authorizer } from "../../http/authz.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { RequestContext, ResourceDefinition, UserInfo } from "../../registry/definition.ts";
import { errors } from "../../api/errors.ts";
import { validateLocalReview, validateMetadataEmpty, validateReviewSpec, type ReviewSpec } from "./reviews-validation.ts";

export interface AuthorizationDeps {
  authorizer: Authorizer;
}

interface Review extends KubeObject {
  spec?: ReviewSpec;
  status?: Wire<V1SubjectAccessReviewStatus>;
}

type RulesReview = Wire<V1SelfSubjectRulesReview>;

const review = (obj: KubeObject) => obj as Review;

/** The authorizer's view of a review's attributes (upstream's authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom). */
export function attributesOf(user: UserInfo, spec: ReviewSpec): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user,
      verb: r.verb ?? "",
      group: r.group ?? "",
      version: r.version || undefined,
      resource: r.resource ?? "",
      subresource: r.subresource || undefined,
      namespace: r.namespace || undefined,
      name: r.name || undefined,
    };
  }
  return { user, verb: spec.nonResourceAttributes?.verb ?? "", path: spec.nonResourceAttributes?.path ?? "" };
}

/** The user a SubjectAccessReview names. */
function subjectOf(spec: ReviewSpec): UserInfo {
  const user: UserInfo = { username: spec.user ?? "", groups: spec.groups ?? [] };
  if (spec.uid) user.uid = spec.uid;
  if (spec.extra) user.extra = spec.extra;
  return user;
}

/** Answers the review in place: allowed (and the reason) as the authorizer decides. */
async function decide(authorizer: Authorizer, obj: KubeObject, user: UserInfo): Promise<KubeObject> {
  const r = review(echoMetadata(obj));
  const decision = await authorizer.authorize(attributesOf(user, r.spec ?? {}));
  r.status = { allowed: decision.allowed };
  if (decision.reason) r.status.reason = decision.reason;
  return r;
}

/** upstream's SelfSubjectRulesReview REST: a fresh object holding only the rules. */
async function listRules(authorizer: Authorizer, obj: KubeObject, ctx: RequestContext): Promise<KubeObject> {
  const namespace = (obj as unknown as RulesReview).spec?.namespace ?? "";
  if (!namespace) throw errors.badRequest("no namespace on request");
  const rules = authorizer.rulesFor ? await authorizer.rulesFor(ctx.user, namespace) : { resourceRules: [], nonResourceRules: [], incomplete: true };
  const status: RulesReview["status"] = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
  if (rules.evaluationError) status!.evaluationError = rules.evaluationError;
  const answer: RulesReview = { kind: "SelfSubjectRulesReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null as unknown as string }, spec: {}, status };
  return answer as unknown as KubeObject;
}

/** The review as upstream echoes it: Go's ObjectMeta always carries creationTimestamp, null when unset. */
export function echoMetadata(obj: KubeObject): KubeObject {
  obj.metadata = { ...obj.metadata, creationTimestamp: obj.metadata?.creationTimestamp ?? (null as unknown as string) };
  return obj;
}

const common = { group: "authorization.k8s.io", version: "v1", verbs: ["create" as const] };

export function authorizationDefinitions(deps: AuthorizationDeps): ResourceDefinition[] {
  const { authorizer } = deps;
  return [
    {
      ...common,
      kind: "SubjectAccessReview",
      plural: "subjectaccessreviews",
      singular: "subjectaccessreview",
      namespaced: false,
      strategy: { validate: (obj) => [...validateReviewSpec(review(obj).spec ?? {}, true), ...validateMetadataEmpty(obj.metadata)] },
      virtual: { create: async (obj) => decide(authorizer, obj, subjectOf(review(obj).spec ?? {})) },
    },
    {
      ...common,
      kind: "LocalSubjectAccessReview",
      plural: "localsubjectaccessreviews",
      singular: "localsubjectaccessreview",
      namespaced: true,
      // The object's namespace is the request's (the store already refused a different one).
      strategy: { validate: (obj, ctx) => validateLocalReview(obj.metadata, review(obj).spec ?? {}, ctx.namespace) },
      virtual: {
        create: async (obj, ctx) => {
          obj.metadata = { ...obj.metadata, namespace: ctx.namespace };
          return decide(authorizer, obj, subjectOf(review(obj).spec ?? {}));
        },
      },
    },
    {
      ...common,
      kind: "SelfSubjectAccessReview",
      plural: "selfsubjectaccessreviews",
      singular: "selfsubjectaccessreview",
      namespaced: false,
      strategy: { validate: (obj) => [...validateReviewSpec(review(obj).spec ?? {}, false), ...validateMetadataEmpty(obj.metadata)] },
      virtual: { create: async (obj, ctx) => decide(authorizer, obj, ctx.user) },
    },
    {
      ...common,
      kind: "SelfSubjectRulesReview",
      plural: "selfsubjectrulesreviews",
      singular: "selfsubjectrulesreview",
      namespaced: false,
      virtual: { create: (obj, ctx) => listRules(authorizer, obj, ctx) },
    },
  ];
}
