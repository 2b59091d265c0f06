/**
 * OpenID Connect ID tokens (kube-apiserver's --oidc-* flags): a JWT whose issuer is
 * --oidc-issuer-url, whose audience holds --oidc-client-id, signed by a key of the issuer's JWKS
 * (found through <issuer>/.well-known/openid-configuration, fetched over HTTPS trusting
 * --oidc-ca-file). The user is the --oidc-username-claim (prefixed with "<issuer>#" unless it is
 * "email" or another --oidc-username-prefix is given), the groups the --oidc-groups-claim.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import type { Logger } from "../../log/index.ts";
import type { UserInfo } from "../registry/definition.ts";
import type { TokenAuthenticator, TokenResult } from "./types.ts";
import { audiencesOf, decodeJwt, JwtError, looksLikeJwt, timeError, verifySignature } from "./jwt.ts";

export interface OidcOptions {
  issuerUrl: string;
  clientId: string;
  /** Default "sub". */
  usernameClaim?: string;
  /** "-" for none; default "<issuer>#" unless the claim is "email". */
  usernamePrefix?: string;
  groupsClaim?: string;
  groupsPrefix?: string;
  /** PEM bundle the issuer's certificate must chain to (the system store otherwise). */
  caPem?: string;
  /** claim=value pairs every token must carry (--oidc-required-claim). */
  requiredClaims?: Record<string, string>;
  log?: Logger;
}

/** A JSON Web Key as node:crypto reads and writes it. */
type JsonWebKey = Record<string, unknown> & { kty?: string };

/** How soon an unknown key id may trigger another JWKS fetch. */
const REFRESH_MIN_INTERVAL_MS = 10_000;

export class OidcAuthenticator implements TokenAuthenticator {
  readonly name = "oidc";
  private keys: KeyObject[] = [];
  private byKid = new Map<string, KeyObject>();
  private loading?: Promise<void>;
  private lastFetch = 0;

  constructor(private readonly opts: OidcOptions) {
    if (!opts.issuerUrl.startsWith("https://")) throw new Error(`--oidc-issuer-url must use https, got "${opts.issuerUrl}"`);
    if (!opts.clientId) throw new Error("--oidc-client-id is required with --oidc-issuer-url");
  }

  private async fetchJson(url: string): Promise<Record<string, unknown>> {
    const res = await fetch(url, { tls: this.opts.caPem ? { ca: this.opts.caPem } : undefined, signal: AbortSignal.timeout(10_000) } as RequestInit);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** Fetches discovery and the JWKS (one fetch at a time). */
  private refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        this.lastFetch = Date.now();
        const discovery = await this.fetchJson(`${this.opts.issuerUrl.replace(/\/+$/, "")}/.well-known/openid-configuration`);
        if (discovery.issuer !== this.opts.issuerUrl) throw new Error(`oidc: issuer did not match the issuer returned by provider, expected "${this.opts.issuerUrl}" got "${String(discovery.issuer)}"`);
        const jwks = await this.fetchJson(String(discovery.jwks_uri));
        const keys: KeyObject[] = [];
        const byKid = new Map<string, KeyObject>();
        for (const jwk of (jwks.keys as Array<JsonWebKey & { kid?: string; use?: string }>) ?? []) {
          if (jwk.use && jwk.use !== "sig") continue;
          try {
            const key = createPublicKey({ key: jwk, format: "jwk" } as Parameters<typeof createPublicKey>[0]);
            keys.push(key);
            if (jwk.kid) byKid.set(jwk.kid, key);
          } catch {
            // a key type node:crypto cannot read: skip it
          }
        }
        this.keys = keys;
        this.byKid = byKid;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  async authenticate(token: string): Promise<TokenResult | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    let jwt;
    try {
      jwt = decodeJwt(token);
    } catch (err) {
      if (err instanceof JwtError) return undefined;
      throw err;
    }
    if (jwt.claims.iss !== this.opts.issuerUrl) return undefined;
    if (this.keys.length === 0 || (jwt.header.kid && !this.byKid.has(jwt.header.kid) && Date.now() - this.lastFetch > REFRESH_MIN_INTERVAL_MS)) {
      try {
        await this.refresh();
      } catch (err) {
        this.opts.log?.error("cannot fetch the OIDC issuer's keys", { issuer: this.opts.issuerUrl, err: String(err) });
        return undefined;
      }
    }
    if (!verifySignature(jwt, this.keys, this.byKid)) return undefined;
    const claims = jwt.claims;
    if (timeError(claims, Math.floor(Date.now() / 1000), 0)) return undefined;
    if (!audiencesOf(claims).includes(this.opts.clientId)) return undefined;
    for (const [k, v] of Object.entries(this.opts.requiredClaims ?? {})) if (claims[k] !== v) return undefined;
    const claimName = this.opts.usernameClaim ?? "sub";
    const name = claims[claimName];
    if (typeof name !== "string" || name === "") return undefined;
    // An email is only a user name once the issuer says it is verified.
    if (claimName === "email" && claims.email_verified !== undefined && claims.email_verified !== true) return undefined;
    const prefix = this.opts.usernamePrefix === "-" ? "" : (this.opts.usernamePrefix ?? (claimName === "email" ? "" : `${this.opts.issuerUrl}#`));
    const user: UserInfo = { username: `${prefix}${name}`, groups: [] };
    if (this.opts.groupsClaim) {
      const g = claims[this.opts.groupsClaim];
      const list = typeof g === "string" ? [g] : Array.isArray(g) ? g.filter((x): x is string => typeof x === "string") : [];
      user.groups = list.map((x) => `${this.opts.groupsPrefix ?? ""}${x}`);
    }
    return { user };
  }
}
