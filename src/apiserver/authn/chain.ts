/**
 * The bearer token authenticators in turn (upstream's union token authenticator), behind a cache
 * of successes as kube-apiserver keeps one (10 s by default, keyed by a hash of the token and the
 * audiences): a client sending the same token again is not verified again within that time.
 * Audience-agnostic results are narrowed to the API audiences asked; a token good for none of
 * the asked audiences authenticates nobody.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../log/index.ts";
import type { TokenAuthenticator, TokenResult } from "./types.ts";

export interface TokenChainOptions {
  /** The API server's audiences (--api-audiences; the service account issuer by default). */
  apiAudiences: string[];
  /** How long a success is remembered (0: not at all). */
  successTtlMs?: number;
  log?: Logger;
  now?: () => number;
}

const MAX_CACHED = 50_000;

export class TokenAuthenticatorChain {
  private cache = new Map<string, { result: TokenResult; until: number }>();
  readonly apiAudiences: string[];

  constructor(
    private readonly authenticators: TokenAuthenticator[],
    private readonly opts: TokenChainOptions,
  ) {
    this.apiAudiences = opts.apiAudiences;
  }

  /** The user a token authenticates for the asked audiences (the API's by default). */
  async authenticate(token: string, audiences: readonly string[] = this.apiAudiences): Promise<TokenResult | undefined> {
    const ttl = this.opts.successTtlMs ?? 10_000;
    const now = (this.opts.now ?? Date.now)();
    const key = ttl > 0 ? `${createHash("sha256").update(token).digest("base64")}\n${audiences.join("\n")}` : "";
    if (ttl > 0) {
      const hit = this.cache.get(key);
      if (hit && hit.until > now) return hit.result;
    }
    for (const a of this.authenticators) {
      let r: TokenResult | undefined;
      try {
        r = await a.authenticate(token, audiences);
      } catch (err) {
        this.opts.log?.v(4).info("token authenticator failed", { authenticator: a.name, err: String(err) });
        continue;
      }
      if (!r) continue;
      const result: TokenResult = { user: r.user, audiences: r.audiences ?? audiences.filter((x) => this.apiAudiences.includes(x)) };
      if (result.audiences!.length === 0) continue;
      if (ttl > 0) {
        if (this.cache.size >= MAX_CACHED) this.cache = new Map();
        this.cache.set(key, { result, until: now + ttl });
      }
      return result;
    }
    return undefined;
  }
}
