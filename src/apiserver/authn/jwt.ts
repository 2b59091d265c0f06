/**
 * Compact JWS (JWT) signing and verification over node:crypto: RS256 and ES256, the algorithms
 * Kubernetes service account keys and OIDC issuers use. Only these are accepted, so a token cannot
 * choose "none" or an HMAC over a public key. Claims are checked by the callers.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

export type JwsAlgorithm = "RS256" | "ES256";

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

/** Registered claims, plus whatever else a token carries. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

export class JwtError extends Error {}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** The algorithm a key signs with: RS256 for RSA, ES256 for P-256. */
export function algorithmFor(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === "rsa") return "RS256";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  throw new JwtError(`unsupported signing key type ${key.asymmetricKeyType}`);
}

/** upstream's key ID: base64url(SHA-256(DER of the public key, PKIX)), stable for a key. */
export function keyId(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return b64url(createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest());
}

export function signJwt(claims: JwtClaims, key: KeyObject, kid = keyId(key)): string {
  const alg = algorithmFor(key);
  const input = `${b64url(JSON.stringify({ alg, kid }))}.${b64url(JSON.stringify(claims))}`;
  const sig = sign("sha256", Buffer.from(input), alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key);
  return `${input}.${b64url(sig)}`;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Splits and parses a token without checking it (to find its issuer first); throws JwtError when it is no JWT. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw new JwtError("not a compact JWS");
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as JwtHeader;
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as JwtClaims;
    if (typeof header !== "object" || header === null || typeof claims !== "object" || claims === null) throw new JwtError("malformed JWT");
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, "base64url") };
  } catch (err) {
    if (err instanceof JwtError) throw err;
    throw new JwtError("malformed JWT");
  }
}

/** Whether the token looks like a JWT at all (three base64url segments), cheaply. */
export function looksLikeJwt(token: string): boolean {
  const first = token.indexOf(".");
  return first > 0 && token.indexOf(".", first + 1) > first + 1 && token.startsWith("eyJ");
}

/** Checks the signature against the keys (by kid when the token names one); true when one verifies. */
export function verifySignature(jwt: DecodedJwt, keys: readonly KeyObject[], byKid?: ReadonlyMap<string, KeyObject>): boolean {
  const alg = jwt.header.alg;
  if (alg !== "RS256" && alg !== "ES256") return false;
  const candidates = jwt.header.kid && byKid?.has(jwt.header.kid) ? [byKid.get(jwt.header.kid)!] : keys;
  const data = Buffer.from(jwt.signingInput);
  for (const key of candidates) {
    let keyAlg: JwsAlgorithm;
    try {
      keyAlg = algorithmFor(key);
    } catch {
      continue;
    }
    if (keyAlg !== alg) continue;
    const ok = alg === "ES256" ? verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, jwt.signature) : verify("sha256", data, key, jwt.signature);
    if (ok) return true;
  }
  return false;
}

/** exp and nbf with a leeway (upstream allows 60 s of clock skew); an error text, or undefined when in time. */
export function timeError(claims: JwtClaims, nowSeconds: number, leewaySeconds = 60): string | undefined {
  if (typeof claims.exp === "number" && nowSeconds > claims.exp + leewaySeconds) return "token has expired";
  if (typeof claims.nbf === "number" && nowSeconds < claims.nbf - leewaySeconds) return "token is not valid yet";
  return undefined;
}

export function audiencesOf(claims: JwtClaims): string[] {
  if (typeof claims.aud === "string") return [claims.aud];
  return Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === "string") : [];
}

/** A public key as a JWK for /openid/v1/jwks: kty, n/e or crv/x/y, plus use, kid and alg. */
export function publicJwk(key: KeyObject): Record<string, unknown> & { use: string; kid: string; alg: string } {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const jwk = pub.export({ format: "jwk" });
  return { use: "sig", kty: jwk.kty, kid: keyId(pub), alg: algorithmFor(pub), ...jwk };
}
