/**
 * The authorization step of the request pipeline. Until RBAC lands, the default authorizer lets
 * every authenticated user do everything (as a cluster with only system:masters users would);
 * the seam is here so the RBAC authorizer replaces it without touching the handlers.
 */
import type { UserInfo } from "../registry/definition.ts";

export interface Attributes {
  user: UserInfo;
  verb: string;
  /** Resource requests. */
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests. */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

/** A rule of a SelfSubjectRulesReview (authorization.k8s.io ResourceRule). */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** What a user may do in a namespace, as far as the authorizer can tell (upstream's RuleResolver.RulesFor). */
export interface Rules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** The list is known to be partial (an authorizer that cannot enumerate its rules). */
  incomplete: boolean;
  evaluationError?: string;
}

export interface Authorizer {
  authorize(attrs: Attributes): Promise<Decision>;
  /** The rules the authorizer grants; without it, SelfSubjectRulesReview answers an incomplete, empty list. */
  rulesFor?(user: UserInfo, namespace: string): Promise<Rules>;
}

const AUTHENTICATED = "system:authenticated";

export const allowAuthenticated: Authorizer = {
  async authorize(attrs) {
    return attrs.user.groups.includes(AUTHENTICATED) ? { allowed: true } : { allowed: false, reason: "" };
  },
  // Everything for authenticated users, as upstream's AlwaysAllow authorizer lists it.
  async rulesFor(user) {
    if (!user.groups.includes(AUTHENTICATED)) return { resourceRules: [], nonResourceRules: [], incomplete: false };
    return {
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
      incomplete: false,
    };
  },
};

/** Upstream's Forbidden message: `User "bob" cannot get resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenReason(attrs: Attributes): string {
  const who = `User "${attrs.user.username}"`;
  if (!attrs.resource) return `${who} cannot ${attrs.verb} path "${attrs.path}"`;
  const res = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? ` in the namespace "${attrs.namespace}"` : " at the cluster scope";
  return `${who} cannot ${attrs.verb} resource "${res}" in API group "${attrs.group ?? ""}"${where}`;
}
