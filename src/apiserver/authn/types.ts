/** What every bearer token authenticator answers (k8s.io/apiserver's authenticator.Token). */
import type { UserInfo } from "../registry/definition.ts";

export interface TokenResult {
  user: UserInfo;
  /**
   * The audiences the token is good for among those asked. Undefined for audience-agnostic tokens
   * (static and bootstrap tokens): they are good for whatever API audience was asked.
   */
  audiences?: string[];
}

export interface TokenAuthenticator {
  /** For logs. */
  readonly name: string;
  /**
   * The user a token authenticates for `audiences` (the API's own when the request names none),
   * or undefined when this authenticator does not take the token (unknown, expired, revoked).
   */
  authenticate(token: string, audiences: readonly string[]): Promise<TokenResult | undefined>;
}
