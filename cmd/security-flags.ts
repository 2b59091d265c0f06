/**
 * The authentication and authorization flags of `kts server`, given as k3s gives them to its
 * API server: --kube-apiserver-arg authorization-mode=Node,RBAC, anonymous-auth=false,
 * token-auth-file=..., oidc-issuer-url=..., service-account-issuer=..., tls-min-version=...
 * Parsing only (kept light for the CLI); the server checks the values when it starts.
 */
import type { ServerSecurityConfig } from "../src/server/security.ts";

/** kube-apiserver flag names (as --kube-apiserver-arg key=value) → the config; unknown keys are left alone. */
export const SECURITY_APISERVER_ARGS = [
  "anonymous-auth",
  "authorization-mode",
  "token-auth-file",
  "oidc-issuer-url",
  "oidc-client-id",
  "oidc-username-claim",
  "oidc-username-prefix",
  "oidc-groups-claim",
  "oidc-groups-prefix",
  "oidc-ca-file",
  "oidc-required-claim",
  "service-account-issuer",
  "api-audiences",
  "service-account-signing-key-file",
  "service-account-key-file",
  "service-account-max-token-expiration",
  "service-account-extend-token-expiration",
  "service-account-jwks-uri",
  "tls-min-version",
  "tls-cipher-suites",
  "profiling",
];

const list = (v: string | undefined) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
const bool = (k: string, v: string) => {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new Error(`--${k}: "${v}" is not a boolean`);
};

/** Seconds of a Go duration ("24h", "90m", "3600s"). */
function seconds(k: string, v: string): number {
  const m = /^(\d+)(h|m|s)$/.exec(v);
  if (!m) throw new Error(`--${k}: "${v}" is not a duration (e.g. 24h)`);
  return Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as "h" | "m" | "s"];
}

export function securityFromApiserverArgs(api: Record<string, string>): ServerSecurityConfig {
  const cfg: ServerSecurityConfig = {};
  if (api["anonymous-auth"] !== undefined) cfg.anonymousAuth = bool("anonymous-auth", api["anonymous-auth"]);
  if (api["authorization-mode"]) cfg.authorizationMode = api["authorization-mode"];
  if (api["token-auth-file"]) cfg.tokenAuthFile = api["token-auth-file"];
  if (api["oidc-issuer-url"]) {
    const required = list(api["oidc-required-claim"])?.map((kv) => kv.split("=") as [string, string]);
    cfg.oidc = {
      issuerUrl: api["oidc-issuer-url"],
      clientId: api["oidc-client-id"] ?? "",
      usernameClaim: api["oidc-username-claim"],
      usernamePrefix: api["oidc-username-prefix"],
      groupsClaim: api["oidc-groups-claim"],
      groupsPrefix: api["oidc-groups-prefix"],
      caFile: api["oidc-ca-file"],
      requiredClaims: required ? Object.fromEntries(required) : undefined,
    };
  }
  cfg.serviceAccountIssuers = list(api["service-account-issuer"]);
  cfg.apiAudiences = list(api["api-audiences"]);
  cfg.serviceAccountSigningKeyFile = api["service-account-signing-key-file"];
  cfg.serviceAccountKeyFiles = list(api["service-account-key-file"]);
  if (api["service-account-max-token-expiration"]) cfg.serviceAccountMaxTokenExpirationSeconds = seconds("service-account-max-token-expiration", api["service-account-max-token-expiration"]);
  if (api["service-account-extend-token-expiration"] !== undefined) cfg.serviceAccountExtendTokenExpiration = bool("service-account-extend-token-expiration", api["service-account-extend-token-expiration"]);
  cfg.serviceAccountJwksUri = api["service-account-jwks-uri"];
  cfg.tlsMinVersion = api["tls-min-version"];
  cfg.tlsCipherSuites = list(api["tls-cipher-suites"]);
  // kts serves no profiling endpoints: --profiling=true is refused rather than silently ignored.
  if (api.profiling !== undefined && bool("profiling", api.profiling)) throw new Error("--profiling=true is not supported: kts serves no /debug/pprof");
  return cfg;
}
