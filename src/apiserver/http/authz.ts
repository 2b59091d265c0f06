/**
 * The authorization step of the request pipeline: what an authorizer answers. The RBAC and Node
 * authorizers (src/apiserver/authz) implement it; without them, the fallback lets every
 * authenticated user do everything (as a cluster with only system:masters users would) and
 * anyone read health and version, as system:public-info-viewer does.
 */
import type { RequestScope, UserInfo } from "../registry/definition.ts";
import { errors } from "../api/errors.ts";

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

/** What system:public-info-viewer lets anyone read. */
const PUBLIC_INFO = new Set(["/healthz", "/livez", "/readyz", "/version", "/version/"]);

export const allowAuthenticated: Authorizer = {
  async authorize(attrs) {
    if (attrs.user.groups.includes(AUTHENTICATED)) return { allowed: true };
    const publicInfo = attrs.resource === undefined && attrs.verb === "get" && PUBLIC_INFO.has(attrs.path ?? "");
    return publicInfo ? { allowed: true } : { allowed: false, reason: "" };
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

/**
 * The pipeline's authorization step: asks the authorizer, notes the decision for the audit event
 * (authorization.k8s.io/decision and reason), and refuses with upstream's Forbidden, whose details
 * name the requested object (`request`; none for a path).
 */
export async function authorizeRequest(authorizer: Authorizer, attrs: Attributes, scope: RequestScope, request?: Pick<ResourceRequestInfo, "group" | "resource" | "subresource" | "name">): Promise<void> {
  const decision = await authorizer.authorize(attrs);
  scope.auditAnnotations["authorization.k8s.io/decision"] = decision.allowed ? "allow" : "forbid";
  scope.auditAnnotations["authorization.k8s.io/reason"] = decision.reason ?? "";
  if (decision.allowed) return;
  const reason = forbiddenReason(attrs);
  if (!request) throw errors.forbidden({}, reason);
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  throw errors.forbidden({ group: request.group, resource, name: request.name || undefined }, decision.reason ? `${reason}: ${decision.reason}` : reason);
}

/** The request info an authorizer needs from a resource request (fields of request-info.ts's ResourceRequest). */
interface ResourceRequestInfo {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/**
 * A resource request's attributes as upstream's RequestInfoFactory gives them: a namespace object
 * (/api/v1/namespaces/<name>) is in its own namespace, and a list or watch selecting one name
 * with fieldSelector metadata.name=<name> names it, so rules with resourceNames can allow it.
 */
export function resourceAttributes(user: UserInfo, info: ResourceRequestInfo, query?: URLSearchParams): Attributes {
  let name = info.name;
  if (!name && (info.verb === "list" || info.verb === "watch") && query) name = exactName(query.get("fieldSelector") ?? "") ?? "";
  let namespace = info.namespace;
  if (!namespace && info.group === "" && info.resource === "namespaces" && info.name) namespace = info.name;
  return { user, verb: info.verb, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource || undefined, namespace: namespace || undefined, name: name || undefined };
}

/** The name an exact `metadata.name=<x>` (or `==`) term of a field selector requires. */
function exactName(selector: string): string | undefined {
  for (const term of selector.split(",")) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m && m[1] && !/[/%]/.test(m[1]) && m[1] !== "." && m[1] !== "..") return m[1];
  }
  return undefined;
}
