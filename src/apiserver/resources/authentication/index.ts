/** authentication.k8s.io: TokenReview and SelfSubjectReview (filled in by the issue-4 work). */
import type { ResourceDefinition, UserInfo } from "../../registry/definition.ts";

export interface AuthenticationDeps {
  /** The user a bearer token authenticates, as the server's authenticator sees it. */
  authenticateToken(token: string): UserInfo | undefined;
}

export function authenticationDefinitions(_deps: AuthenticationDeps): ResourceDefinition[] {
  return [];
}
