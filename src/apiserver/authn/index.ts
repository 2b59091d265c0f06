/**
 * Bearer token authentication beyond the static tokens: the chain (with its success cache),
 * the token file, bootstrap tokens, OIDC, and the JWT primitives service account tokens share.
 */
export { TokenAuthenticatorChain, type TokenChainOptions } from "./chain.ts";
export { TokenFile, parseCsv } from "./token-file.ts";
export {
  BootstrapTokenAuthenticator,
  BOOTSTRAP_TOKEN_PREFIX,
  BOOTSTRAP_TOKEN_TYPE,
  BOOTSTRAP_USER_PREFIX,
  BOOTSTRAPPERS_GROUP,
  TOKEN_PATTERN,
  bootstrapGroups,
  bootstrapTokenExpired,
  secretValue,
  type SecretGetter,
} from "./bootstrap-tokens.ts";
export { OidcAuthenticator, type OidcOptions } from "./oidc.ts";
export { algorithmFor, audiencesOf, decodeJwt, JwtError, keyId, publicJwk, signJwt, verifySignature, type JwtClaims } from "./jwt.ts";
export type { TokenAuthenticator, TokenResult } from "./types.ts";
