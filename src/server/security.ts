/**
 * The server's security settings, from its flags (k3s passes them as --kube-apiserver-arg):
 * authorization modes (Node,RBAC by default), anonymous access (off, as k3s hardens it), the
 * token file, OIDC, service account issuers and keys (the signing key generated at first start as
 * <data-dir>/server/tls/service.key, 0600), and the API port's TLS (1.2 minimum, strong suites).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import type { Logger } from "../log/index.ts";
import type { SecuritySettings } from "../apiserver/index.ts";
import type { TlsSettings } from "../apiserver/secure/index.ts";
import { tlsSettingsFromFlags } from "../apiserver/secure/index.ts";
import { parseAuthorizationModes } from "../apiserver/authz/index.ts";
import { signJwt } from "../apiserver/authn/index.ts";
import { DEFAULT_ISSUER, legacyClaims } from "../apiserver/serviceaccount/index.ts";
import { ensureServiceAccountKey, readPublicKeys, serviceAccountKeyFile } from "../pki/index.ts";

/** What `kts server` takes about authentication and authorization (kube-apiserver's flag names). */
export interface ServerSecurityConfig {
  /** --anonymous-auth (default false: anonymous only for health and version, as k3s's hardened profile). */
  anonymousAuth?: boolean;
  /** --authorization-mode (default "Node,RBAC"). */
  authorizationMode?: string;
  /** --token-auth-file. */
  tokenAuthFile?: string;
  /** --oidc-issuer-url and friends. */
  oidc?: { issuerUrl: string; clientId: string; usernameClaim?: string; usernamePrefix?: string; groupsClaim?: string; groupsPrefix?: string; caFile?: string; requiredClaims?: Record<string, string> };
  /** --service-account-issuer (repeatable; default https://kubernetes.default.svc.cluster.local). */
  serviceAccountIssuers?: string[];
  /** --api-audiences (default: the issuer and "k3s", as k3s sets it). */
  apiAudiences?: string[];
  /** --service-account-signing-key-file (default <data-dir>/server/tls/service.key, generated). */
  serviceAccountSigningKeyFile?: string;
  /** --service-account-key-file (repeatable): more keys tokens may be verified with. */
  serviceAccountKeyFiles?: string[];
  /** --service-account-max-token-expiration, seconds. */
  serviceAccountMaxTokenExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  serviceAccountExtendTokenExpiration?: boolean;
  /** --service-account-jwks-uri. */
  serviceAccountJwksUri?: string;
  /** --tls-min-version (VersionTLS12, VersionTLS13). */
  tlsMinVersion?: string;
  /** --tls-cipher-suites (Go names). */
  tlsCipherSuites?: string[];
}

/** --authorization-mode when none is given (k3s's and kubeadm's). */
export const DEFAULT_AUTHORIZATION_MODE = "Node,RBAC";

export interface PreparedSecurity {
  settings: SecuritySettings;
  tls: TlsSettings;
  /** Signs a legacy (Secret-held) token for the token controller. */
  legacyToken(namespace: string, account: { name: string; uid: string }, secretName: string): string;
  signingKey: KeyObject;
}

export function prepareSecurity(cfg: ServerSecurityConfig, dataDir: string, log: Logger): PreparedSecurity {
  const keyFile = cfg.serviceAccountSigningKeyFile ?? serviceAccountKeyFile(join(dataDir, "server", "tls"));
  const key = ensureServiceAccountKey(keyFile);
  if (key.generated) log.info("generated the service account signing key", { file: keyFile });
  const issuers = cfg.serviceAccountIssuers?.length ? cfg.serviceAccountIssuers : [DEFAULT_ISSUER];
  const apiAudiences = cfg.apiAudiences?.length ? cfg.apiAudiences : issuers[0] === DEFAULT_ISSUER ? [DEFAULT_ISSUER, "k3s"] : [issuers[0]!];
  const oidc = cfg.oidc ? { ...cfg.oidc, caPem: cfg.oidc.caFile ? readFileSync(cfg.oidc.caFile, "utf8") : undefined } : undefined;
  const settings: SecuritySettings = {
    anonymous: cfg.anonymousAuth ?? false,
    authorizationModes: parseAuthorizationModes(cfg.authorizationMode ?? DEFAULT_AUTHORIZATION_MODE),
    tokenAuthFile: cfg.tokenAuthFile,
    oidc,
    serviceAccounts: {
      issuers,
      apiAudiences,
      signingKey: key.privateKey,
      publicKeys: (cfg.serviceAccountKeyFiles ?? []).flatMap(readPublicKeys),
      jwksUri: cfg.serviceAccountJwksUri,
      extendExpiration: cfg.serviceAccountExtendTokenExpiration,
      maxExpirationSeconds: cfg.serviceAccountMaxTokenExpirationSeconds,
    },
  };
  return {
    settings,
    tls: tlsSettingsFromFlags(cfg.tlsMinVersion, cfg.tlsCipherSuites),
    legacyToken: (namespace, account, secretName) => signJwt(legacyClaims(namespace, account, secretName), key.privateKey),
    signingKey: key.privateKey,
  };
}
