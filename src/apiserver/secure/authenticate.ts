/**
 * Request authentication with upstream's semantics (k8s.io/apiserver's union authenticator with
 * the anonymous fallback): each method is tried in turn and the first success wins; a credential
 * that is presented but wrong (untrusted client certificate, unknown token) fails the request with
 * 401 instead of falling back to anonymous; no credential at all is system:anonymous.
 */
import type { UserInfo } from "../registry/definition.ts";
import type { TokenResult } from "../authn/types.ts";
import type { PeerCertificateIdentity } from "./peer.ts";
import type { StaticTokens } from "./tokens.ts";

export const ANONYMOUS_USER = "system:anonymous";
export const UNAUTHENTICATED_GROUP = "system:unauthenticated";
export const AUTHENTICATED_GROUP = "system:authenticated";

/** Which credential identified the user. */
export type Credential = "x509" | "token" | "basic" | "websocket-token";

export type Authentication =
  | {
      ok: true;
      user: UserInfo;
      via: Credential | "anonymous";
      /** For a token sent as a WebSocket subprotocol: the other subprotocols, for the handler to choose from. */
      protocols?: string[];
    }
  | { ok: false; reason: string };

export interface AuthenticateOptions {
  /** kube-apiserver's --anonymous-auth (default true; k3s turns it off). */
  anonymous?: boolean;
  /**
   * Bearer token authentication beyond the static tokens (service account JWTs, bootstrap tokens,
   * the token file, OIDC), for the API's audiences.
   */
  tokens?: { authenticate(token: string): Promise<TokenResult | undefined> };
}

/** One method's verdict: a user, a presented-but-bad credential, or nothing to judge (undefined). */
type Attempt = { user: UserInfo; via: Credential; protocols?: string[] } | { error: string } | undefined;

/** A bearer token's user: the static tokens first (no hashing beyond theirs), then the other authenticators. */
async function tokenUser(token: string, tokens: StaticTokens, opts: AuthenticateOptions): Promise<UserInfo | undefined> {
  return tokens.byBearer(token) ?? (await opts.tokens?.authenticate(token))?.user;
}

export async function authenticate(req: Request, peer: PeerCertificateIdentity | undefined, tokens: StaticTokens, opts: AuthenticateOptions = {}): Promise<Authentication> {
  const errors: string[] = [];
  for (const attempt of [() => byCertificate(peer), () => byBearer(req, tokens, opts), () => byWebSocketProtocol(req, tokens, opts), () => byBasic(req, tokens)]) {
    const result = await attempt();
    if (!result) continue;
    if ("error" in result) {
      errors.push(result.error);
      continue;
    }
    return { ok: true, user: withAuthenticatedGroup(result.user), via: result.via, protocols: result.protocols };
  }
  if (errors.length > 0) return { ok: false, reason: errors.join(", ") };
  if (opts.anonymous === false) return { ok: false, reason: "no credentials" };
  return { ok: true, user: { username: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] }, via: "anonymous" };
}

/** Upstream's AuthenticatedGroupAdder: every authenticated user is in system:authenticated. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED_GROUP) || user.groups.includes(UNAUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** CN is the user, each O a group; a certificate without a CN identifies nobody (and is no error). */
function byCertificate(peer: PeerCertificateIdentity | undefined): Attempt {
  if (!peer) return undefined;
  if (!peer.verified) return { error: `verifying certificate ${peer.serial} failed: ${peer.error ?? "unknown authority"}` };
  if (!peer.commonName) return undefined;
  return { user: { username: peer.commonName, groups: [...peer.organizations] }, via: "x509" };
}

async function byBearer(req: Request, tokens: StaticTokens, opts: AuthenticateOptions): Promise<Attempt> {
  const auth = (req.headers.get("authorization") ?? "").trim();
  const parts = auth.split(" ");
  if (parts.length < 2 || parts[0]!.toLowerCase() !== "bearer" || parts[1] === "") return undefined;
  const user = await tokenUser(parts[1]!, tokens, opts);
  return user ? { user, via: "token" } : { error: "invalid bearer token" };
}

const BEARER_PROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io.";

/** Browsers cannot set headers on WebSockets, so the token may ride in Sec-WebSocket-Protocol. */
async function byWebSocketProtocol(req: Request, tokens: StaticTokens, opts: AuthenticateOptions): Promise<Attempt> {
  if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") return undefined;
  const all = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const carrying = all.filter((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (carrying.length === 0) return undefined;
  if (carrying.length > 1) return { error: "multiple base64.bearer.authorization tokens specified" };
  const others = all.filter((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX));
  const token = decodeBase64Url(carrying[0]!.slice(BEARER_PROTOCOL_PREFIX.length));
  if (token === undefined) return { error: "invalid base64.bearer.authorization token encoding" };
  if (token === "") return undefined;
  if (others.length === 0) return { error: "missing additional subprotocol" };
  const user = await tokenUser(token, tokens, opts);
  return user ? { user, via: "websocket-token", protocols: others } : { error: "invalid bearer token" };
}

/** k3s's supervisor credentials: basic auth with a token user ("server", "node") and its secret. */
function byBasic(req: Request, tokens: StaticTokens): Attempt {
  const auth = (req.headers.get("authorization") ?? "").trim();
  const m = /^basic\s+(\S+)$/i.exec(auth);
  if (!m) return undefined;
  const decoded = decodeBase64(m[1]!);
  const colon = decoded?.indexOf(":") ?? -1;
  if (decoded === undefined || colon < 0) return undefined;
  const user = tokens.byBasic(decoded.slice(0, colon), decoded.slice(colon + 1));
  return user ? { user, via: "basic" } : { error: "invalid username/password combination" };
}

function decodeBase64Url(s: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  return utf8(Buffer.from(s, "base64url"));
}

function decodeBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return utf8(Buffer.from(s, "base64"));
}

/** Undefined when the bytes are not valid UTF-8 (upstream refuses such tokens). */
function utf8(b: Buffer): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}
