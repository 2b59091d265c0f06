/**
 * Service account credentials: bound tokens from the TokenRequest API, legacy Secret tokens,
 * their verification as an authenticator, and issuer discovery.
 */
export { ServiceAccountAuthenticator, type ObjectGetter, EXTRA_CREDENTIAL_ID, EXTRA_NODE_NAME, EXTRA_NODE_UID, EXTRA_POD_NAME, EXTRA_POD_UID } from "./authenticator.ts";
export { boundClaims, legacyClaims, LEGACY_ISSUER, saGroups, saUsername, SA_GROUP, SA_USER_PREFIX, type BoundClaims, type LegacyClaims, type ObjectRef } from "./claims.ts";
export { discoveryRoutes, JWKS_PATH, OPENID_CONFIGURATION_PATH } from "./discovery.ts";
export { MIN_TOKEN_SECONDS, tokenRequestSubresource, WARN_ONLY_EXPIRATION_SECONDS, type TokenIssuerOptions } from "./token-request.ts";

/** kube-apiserver's usual --service-account-issuer (k3s's default too). */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
