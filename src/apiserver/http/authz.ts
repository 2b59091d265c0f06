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

export interface Authorizer {
  authorize(attrs: Attributes): Promise<Decision>;
}

export const allowAuthenticated: Authorizer = {
  async authorize(attrs) {
    return attrs.user.groups.includes("system:authenticated") ? { allowed: true } : { allowed: false, reason: "" };
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
