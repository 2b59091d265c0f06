/**
 * Static credentials: k3s's join tokens. In k3s the server token authenticates the user "server"
 * (group k3s:server) and the agent token the user "node" (group k3s:agent), with HTTP basic auth
 * against the supervisor; the kube-apiserver itself does not take them. kts serves both on one
 * port, so a token is accepted as `Bearer <secret>` and as basic auth `<user>:<secret>`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { UserInfo } from "../registry/definition.ts";

export interface StaticToken {
  /** The secret (the password part of a K10...::server:<secret> token). */
  secret: string;
  user: UserInfo;
  /** The user name a full token or basic auth must give for this entry; defaults to user.username. */
  login?: string;
}

/** The secret inside a k3s token: `K10<ca-hash>::<user>:<secret>`, `<user>:<secret>`, or the bare secret. */
export function tokenSecret(token: string): { username?: string; secret: string } {
  const full = /^K10[0-9a-f]*::([^:]+):(.+)$/.exec(token);
  if (full) return { username: full[1], secret: full[2]! };
  return { secret: token };
}

/** k3s's users for the server and agent tokens (the agent token defaults to the server token). */
export function k3sTokenUsers(serverToken: string, agentToken?: string): StaticToken[] {
  const out: StaticToken[] = [{ secret: tokenSecret(serverToken).secret, user: { username: "server", groups: ["k3s:server"] } }];
  const agent = tokenSecret(agentToken ?? serverToken).secret;
  out.push({ secret: agent, user: { username: "node", groups: ["k3s:agent"] } });
  return out;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Looks tokens up in constant time per entry, so response timing does not leak secrets. */
export class StaticTokens {
  private readonly entries: { hash: Buffer; user: UserInfo; login: string }[];

  constructor(entries: readonly StaticToken[]) {
    this.entries = entries.filter((e) => e.secret !== "").map((e) => ({ hash: digest(e.secret), user: e.user, login: e.login ?? e.user.username }));
  }

  /** A bearer token: the bare secret, or a full k3s token whose user matches. */
  byBearer(token: string): UserInfo | undefined {
    const { username, secret } = tokenSecret(token);
    return this.find(secret, username);
  }

  /** Basic auth: the user name must be the entry's user. */
  byBasic(username: string, password: string): UserInfo | undefined {
    return this.find(password, username);
  }

  private find(secret: string, username: string | undefined): UserInfo | undefined {
    const hash = digest(secret);
    // Several entries may share a secret (k3s's agent token defaults to the server token): the first match by user wins.
    for (const e of this.entries) if (timingSafeEqual(hash, e.hash) && (username === undefined || username === e.login)) return e.user;
    return undefined;
  }
}
