/**
 * Service account issuer discovery (upstream's ServiceAccountIssuerDiscovery): an OpenID Provider
 * configuration at /.well-known/openid-configuration and the public keys at /openid/v1/jwks, so
 * that outside parties can verify service account tokens. Access is authorized like any
 * non-resource path (system:service-account-issuer-discovery grants it to service accounts).
 */
import type { KeyObject } from "node:crypto";
import { algorithmFor, publicJwk } from "../authn/jwt.ts";

export const OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/openid/v1/jwks";

const cacheHeaders = { "Content-Type": "application/json", "Cache-Control": "public, max-age=3600" };

export interface IssuerDiscovery {
  issuer: string;
  /** --service-account-jwks-uri, or https://<advertised address>/openid/v1/jwks. */
  jwksUri(): string;
  publicKeys: KeyObject[];
}

export function discoveryRoutes(d: IssuerDiscovery): Map<string, () => Response> {
  const algs = [...new Set(d.publicKeys.map(algorithmFor))].sort();
  const jwks = JSON.stringify({ keys: d.publicKeys.map(publicJwk) });
  return new Map([
    [
      OPENID_CONFIGURATION_PATH,
      () =>
        new Response(
          JSON.stringify({ issuer: d.issuer, jwks_uri: d.jwksUri(), response_types_supported: ["id_token"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: algs }),
          { headers: cacheHeaders },
        ),
    ],
    [JWKS_PATH, () => new Response(jwks, { headers: { ...cacheHeaders, "Content-Type": "application/jwk-set+json" } })],
  ]);
}
