/**
 * Bootstrap tokens (upstream's bootstrap token authenticator and kubeadm's format): a token
 * `<id>.<secret>` (6 and 16 characters of [a-z0-9]) names the kube-system Secret
 * `bootstrap-token-<id>` of type bootstrap.kubernetes.io/token. It authenticates as
 * system:bootstrap:<id> in system:bootstrappers (and the Secret's auth-extra-groups) while the
 * Secret allows authentication, holds the same secret, and has not expired.
 */
import { timingSafeEqual } from "node:crypto";
import type { KubeObject } from "../api/types.ts";
import type { Secret } from "../resources/core/types.ts";
import type { TokenAuthenticator, TokenResult } from "./types.ts";

export const BOOTSTRAP_TOKEN_TYPE = "bootstrap.kubernetes.io/token";
export const BOOTSTRAP_TOKEN_PREFIX = "bootstrap-token-";
export const BOOTSTRAPPERS_GROUP = "system:bootstrappers";
export const BOOTSTRAP_USER_PREFIX = "system:bootstrap:";
export const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** Reads one object, or undefined when it does not exist. */
export type SecretGetter = (namespace: string, name: string) => Promise<KubeObject | undefined>;

/** A Secret's data value as text (data is base64 on the wire). */
export function secretValue(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
}

/** The groups a token's Secret grants: system:bootstrappers and valid auth-extra-groups; undefined when one is invalid. */
export function bootstrapGroups(secret: Secret): string[] | undefined {
  const groups = [BOOTSTRAPPERS_GROUP];
  const extra = secretValue(secret, "auth-extra-groups");
  if (extra) {
    for (const g of extra.split(",").map((s) => s.trim())) {
      if (!EXTRA_GROUP_PATTERN.test(g)) return undefined;
      if (!groups.includes(g)) groups.push(g);
    }
  }
  return groups;
}

/** Whether the Secret's expiration (RFC 3339) has passed; an unreadable one counts as expired. */
export function bootstrapTokenExpired(secret: Secret, now: number): boolean {
  const exp = secretValue(secret, "expiration");
  if (!exp) return false;
  const t = Date.parse(exp);
  return Number.isNaN(t) || t < now;
}

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  readonly name = "bootstrap-token";

  constructor(
    private readonly getSecret: SecretGetter,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(token: string): Promise<TokenResult | undefined> {
    const m = TOKEN_PATTERN.exec(token);
    if (!m) return undefined;
    const [, id, secretPart] = m as unknown as [string, string, string];
    const secret = (await this.getSecret("kube-system", `${BOOTSTRAP_TOKEN_PREFIX}${id}`)) as Secret | undefined;
    if (!secret || secret.metadata?.deletionTimestamp || secret.type !== BOOTSTRAP_TOKEN_TYPE || !secret.data) return undefined;
    const stored = Buffer.from(secretValue(secret, "token-secret") ?? "");
    const given = Buffer.from(secretPart);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
    if (secretValue(secret, "token-id") !== id) return undefined;
    if (bootstrapTokenExpired(secret, this.now())) return undefined;
    if (secretValue(secret, "usage-bootstrap-authentication") !== "true") return undefined;
    const groups = bootstrapGroups(secret);
    if (!groups) return undefined;
    return { user: { username: `${BOOTSTRAP_USER_PREFIX}${id}`, groups } };
  }
}
