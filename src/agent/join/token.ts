/**
 * Join tokens in k3s's secure format, `K10<sha256 of the server CA bundle>::<user>:<secret>`: the
 * hash lets a joining node check that it talks to the right server before it sends the secret.
 * A bare secret is accepted too (k3s's "short" token), but then the server's CA is trusted as is.
 * A bootstrap token (`kts token create`) is `K10<hash>::<id>.<secret>`: no user, and sent as a
 * bearer token rather than with basic auth.
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
  if (BOOTSTRAP_TOKEN.test(creds)) return { caHash, secret: creds };
  const colon = creds.indexOf(":");
  if (colon <= 0 || colon === creds.length - 1) throw new TokenFormatError(`invalid token: expected ${PREFIX}<ca-hash>::<user>:<secret> or ${PREFIX}<ca-hash>::<id>.<secret>`);
  return { caHash, username: creds.slice(0, colon), secret: creds.slice(colon + 1) };
}

/** A bootstrap token's `<id>.<secret>` (kubeadm's format). */
export const BOOTSTRAP_TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

/** Whether the token is a bootstrap token (authenticated as a bearer token, not with basic auth). */
export function isBootstrapToken(token: JoinToken): boolean {
  return token.username === undefined && BOOTSTRAP_TOKEN.test(token.secret);
}

/** A bootstrap token in k3s's full form, pinning the CA bundle. */
export function formatBootstrapToken(caBundle: string | Uint8Array, idAndSecret: string): string {
  return `${PREFIX}${caBundleHash(caBundle)}::${idAndSecret}`;
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
