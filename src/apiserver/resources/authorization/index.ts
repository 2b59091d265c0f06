/** authorization.k8s.io: the access reviews (filled in by the issue-4 work). */
import type { Authorizer } from "../../http/authz.ts";
import type { ResourceDefinition } from "../../registry/definition.ts";

export interface AuthorizationDeps {
  authorizer: Authorizer;
}

export function authorizationDefinitions(_deps: AuthorizationDeps): ResourceDefinition[] {
  return [];
}
