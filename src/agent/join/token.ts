/**
 * Join tokens in k3s's secure format, `K10<sha256 of the server CA bundle>::<user>:<secret>`: the
 * hash lets a joining node check that it talks to the right server before it sends the secret.
 * A bare secret is accepted too (k3s's "short" token), but then the server's CA is trusted as is.
 */
import { createHash } from "node:crypto";

const PREFIX = "K10";
/** The user a server token names (k3s writes `::server:`). */
export const SERVER_TOKEN_USER = "server";

export interface JoinToken {
  /** Hex SHA-256 of the CA bundle the server serves at /cacerts; undefined for a bare secret. */
  caHash?: string;
  /** The user part (`server`), when the token carried one. */
  username?: string;
  secret: string;
}

export class TokenFormatError extends Error {}

/** SHA-256 (hex) of a CA bundle, byte for byte as served (k3s hashes the PEM file as it is on disk). */
export function caBundleHash(bundle: string | Uint8Array): string {
  return createHash("sha256").update(bundle).digest("hex");
}

/** Parses a full (`K10…::user:secret`) or bare token; a malformed full token is an error, not a bare secret. */
export function parseJoinToken(text: string): JoinToken {
  const token = text.trim();
  if (token === "") throw new TokenFormatError("the token is empty");
  if (!token.startsWith(PREFIX) || !token.includes("::")) return { secret: token };
  const sep = token.indexOf("::");
  const caHash = token.slice(PREFIX.length, sep);
  const creds = token.slice(sep + 2);
  if (!/^[0-9a-f]{64}$/.test(caHash)) throw new TokenFormatError(`invalid token: the CA hash after "${PREFIX}" must be 64 lowercase hex digits`);
  const colon = creds.indexOf(":");
  if (colon <= 0 || colon === creds.length - 1) throw new TokenFormatError(`invalid token: expected ${PREFIX}<ca-hash>::<user>:<secret>`);
  return { caHash, username: creds.slice(0, colon), secret: creds.slice(colon + 1) };
}

/** The full server token for a secret and the CA bundle the server serves. */
export function formatJoinToken(caBundle: string | Uint8Array, secret: string, username = SERVER_TOKEN_USER): string {
  return `${PREFIX}${caBundleHash(caBundle)}::${username}:${secret}`;
}

/**
 * The user name an agent gives with the token's secret (HTTP basic auth, as k3s agents do) to be
 * the node bootstrap identity: allowed only to create and read CertificateSigningRequests.
 */
export const NODE_BOOTSTRAP_LOGIN = "node";
