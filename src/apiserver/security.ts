/**
 * The API server's authentication and authorization, assembled from its flags: the bearer token
 * authenticators (token file, bootstrap tokens, service account JWTs, OIDC) behind one chain, the
 * authorizer chain (--authorization-mode, Node,RBAC by default), the RBAC write checks and the
 * TokenRequest API added to the served definitions, and issuer discovery. Without modes, every
 * authenticated user may do everything (the API server's tests run that way).
 */
import type { KeyObject } from "node:crypto";
import type { Client } from "../client/index.ts";
import { Informer } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { KubeObject } from "./api/types.ts";
import type { Authorizer } from "./http/authz.ts";
import type { ResourceDefinition } from "./registry/definition.ts";
import type { Registry } from "./registry/registry.ts";
import { ApiError } from "./api/errors.ts";
import { BootstrapTokenAuthenticator, OidcAuthenticator, TokenAuthenticatorChain, TokenFile, type OidcOptions, type TokenAuthenticator, type TokenResult } from "./authn/index.ts";
import { CachingAuthorizer, createAuthorization, withEscalationChecks, type Authorization, type AuthorizationMode } from "./authz/index.ts";
import { DEFAULT_ISSUER, discoveryRoutes, ServiceAccountAuthenticator, tokenRequestSubresource, type ObjectGetter } from "./serviceaccount/index.ts";

export interface ServiceAccountSettings {
  /** --service-account-issuer (repeatable): the first names new tokens, all are accepted. */
  issuers?: string[];
  /** --api-audiences; the first issuer by default. */
  apiAudiences?: string[];
  signingKey: KeyObject;
  /** More verification keys (--service-account-key-file); the signing key's is always one. */
  publicKeys?: KeyObject[];
  /** --service-account-jwks-uri. */
  jwksUri?: string;
  extendExpiration?: boolean;
  maxExpirationSeconds?: number;
}

export interface SecuritySettings {
  /** --anonymous-auth: anonymous requests on every path (authorized as system:anonymous); default only on health and version. */
  anonymous?: boolean;
  /** --authorization-mode; undefined: every authenticated user may do everything. */
  authorizationModes?: AuthorizationMode[];
  /** --token-auth-file. */
  tokenAuthFile?: string;
  oidc?: OidcOptions;
  serviceAccounts?: ServiceAccountSettings;
  /** Bootstrap tokens (kube-system Secrets); on by default (k3s and kubeadm enable them). */
  bootstrapTokens?: boolean;
}

export interface Security {
  readonly authorizer: Authorizer;
  readonly authorization?: Authorization;
  readonly apiAudiences: string[];
  readonly anonymous: boolean;
  /** Bearer tokens other than the static ones, for the API's audiences or a TokenReview's. */
  authenticateToken(token: string, audiences?: string[]): Promise<TokenResult | undefined>;
  /** Adds what security serves to a definition (RBAC write checks, TokenRequest). */
  wrap(def: ResourceDefinition): ResourceDefinition;
  /** Non-resource paths security serves (issuer discovery). */
  readonly routes: Map<string, () => Response>;
  /** The authorizer in-process components go through: the chain with remembered decisions. */
  localAuthorizer(): Authorizer;
  /** Starts the authorizers' informers over a privileged in-process client. */
  start(client: Client, log: Logger): Promise<void>;
  stop(): void;
}

/**
 * A core object by name, or undefined when it does not exist: from an informer's cache when one
 * holds it (service accounts, and pods under the Node authorizer), else from the store, so that a
 * token for an object the cache has not seen yet still works.
 */
function getter(registry: Registry, cache: (resource: string) => Informer | undefined): ObjectGetter {
  return async (resource, namespace, name) => {
    const hit = cache(resource)?.get(namespace ? `${namespace}/${name}` : name);
    if (hit) return hit;
    const store = registry.lookup("", "v1", resource);
    if (!store) return undefined;
    try {
      return (await store.get(namespace, name)) as KubeObject;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  };
}

export function createSecurity(settings: SecuritySettings, registry: Registry, fallback: Authorizer, serverAddress: () => string | undefined, log: Logger): Security {
  const sa = settings.serviceAccounts;
  const issuers = sa?.issuers?.length ? sa.issuers : [DEFAULT_ISSUER];
  const apiAudiences = sa?.apiAudiences?.length ? sa.apiAudiences : [issuers[0]!];
  let accounts: Informer | undefined;
  // Filled in below: the getter only reads the caches once start() made them.
  let authorization: Authorization | undefined = undefined;
  const get = getter(registry, (resource) => (resource === "serviceaccounts" ? accounts : authorization?.cached(resource)));
  const authenticators: TokenAuthenticator[] = [];
  if (settings.tokenAuthFile) authenticators.push(TokenFile.load(settings.tokenAuthFile));
  if (settings.bootstrapTokens ?? true) authenticators.push(new BootstrapTokenAuthenticator((ns, name) => get("secrets", ns, name)));
  const publicKeys = sa ? [sa.signingKey, ...(sa.publicKeys ?? [])] : [];
  if (sa) authenticators.push(new ServiceAccountAuthenticator({ issuers, publicKeys, apiAudiences, get }));
  if (settings.oidc) authenticators.push(new OidcAuthenticator({ ...settings.oidc, log: log.child("oidc") }));
  const tokens = new TokenAuthenticatorChain(authenticators, { apiAudiences, log });

  authorization = settings.authorizationModes ? createAuthorization(settings.authorizationModes) : undefined;
  const authorizer = authorization?.authorizer ?? fallback;
  const local = authorization ? new CachingAuthorizer(authorization.authorizer, authorization.policy) : fallback;
  const rbac = settings.authorizationModes?.includes("RBAC") ?? false;
  const tokenRequest = sa
    ? tokenRequestSubresource({ issuer: issuers[0]!, apiAudiences, signingKey: sa.signingKey, extendExpiration: sa.extendExpiration, maxExpirationSeconds: sa.maxExpirationSeconds })
    : undefined;
  const routes = sa ? discoveryRoutes({ issuer: issuers[0]!, publicKeys, jwksUri: () => sa.jwksUri ?? `https://${serverAddress() ?? "localhost"}/openid/v1/jwks` }) : new Map();

  return {
    authorizer,
    authorization,
    apiAudiences,
    anonymous: settings.anonymous ?? false,
    authenticateToken: (token, audiences) => tokens.authenticate(token, audiences),
    wrap(def) {
      if (rbac && authorization) def = withEscalationChecks(def, { policy: authorization.policy, authorizer });
      if (tokenRequest && def.group === "" && def.plural === "serviceaccounts") {
        def = { ...def, extraSubresources: (def.extraSubresources ?? []).map((s) => (s.name === "token" ? { ...s, ...tokenRequest } : s)) };
      }
      return def;
    },
    routes,
    localAuthorizer: () => local,
    async start(client, slog) {
      if (sa) {
        accounts = new Informer(client, { group: "", version: "v1", resource: "serviceaccounts" }, { onError: (err) => slog.v(2).info("service account informer failed, retrying", { err: String(err) }) });
        await Promise.all([accounts.start(), authorization?.start(client, slog)]);
      } else await authorization?.start(client, slog);
    },
    stop() {
      accounts?.stop();
      authorization?.stop();
    },
  };
}
