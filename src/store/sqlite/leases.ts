import type { LeaseInfo } from "../types.ts";
import type { Statements } from "./statements.ts";
import type { Writer } from "./writer.ts";
import { InvalidArgumentError, LeaseNotFoundError, StoreError } from "../errors.ts";
import { deleteKey } from "./mutations.ts";

/** etcd's MaxLeaseTTL. */
const MAX_TTL_SECONDS = 9_000_000_000;
const EXPIRY_SWEEP_MS = 250;

interface LeaseState {
  ttl: number;
  expiresAt: number;
}

/**
 * etcd leases. A lease's keys are deleted (in one revision) when it is revoked or expires. Expiry
 * times are persisted, so a restart neither forgets a lease nor extends it.
 */
export class LeaseManager {
  private readonly leases = new Map<number, LeaseState>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private readonly revoking = new Set<number>();

  constructor(
    private readonly st: Statements,
    private readonly writer: Writer,
    private readonly onExpiryError: (id: number, err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    for (const row of st.allLeases.all()) this.leases.set(row.id, { ttl: row.ttl, expiresAt: row.expires_at });
  }

  start(): void {
    this.sweeper ??= setInterval(() => this.revokeExpired(), EXPIRY_SWEEP_MS);
    this.sweeper.unref?.();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  async grant(ttlSeconds: number, requestedId = 0): Promise<LeaseInfo> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds > MAX_TTL_SECONDS) throw new InvalidArgumentError("etcdserver: too large lease TTL");
    const ttl = Math.max(1, ttlSeconds);
    const id = requestedId || this.newId();
    const expiresAt = this.now() + ttl * 1000;
    await this.writer.submit((ctx) => {
      if (ctx.st.leaseById.get(id) !== null) throw new StoreError("lease-exists", "etcdserver: lease already exists");
      ctx.st.upsertLease.run(id, ttl, expiresAt);
    });
    this.leases.set(id, { ttl, expiresAt });
    return { id, grantedTtl: ttl, ttl };
  }

  async revoke(id: number): Promise<{ revision: number }> {
    if (!this.leases.has(id)) throw new LeaseNotFoundError(id);
    const revision = await this.writer.submit((ctx) => {
      for (const { key } of ctx.st.keysWithLease.all(id)) {
        const kv = ctx.current(key);
        if (kv) deleteKey(ctx, kv);
      }
      ctx.st.deleteLease.run(id);
      return ctx.revision();
    });
    this.leases.delete(id);
    return { revision };
  }

  async keepAlive(id: number): Promise<LeaseInfo> {
    const lease = this.leases.get(id);
    if (!lease || lease.expiresAt <= this.now()) throw new LeaseNotFoundError(id);
    const expiresAt = this.now() + lease.ttl * 1000;
    await this.writer.submit((ctx) => ctx.st.upsertLease.run(id, lease.ttl, expiresAt));
    lease.expiresAt = expiresAt;
    return { id, grantedTtl: lease.ttl, ttl: lease.ttl };
  }

  timeToLive(id: number, withKeys = false): LeaseInfo {
    const lease = this.leases.get(id);
    if (!lease) return { id, grantedTtl: 0, ttl: -1, ...(withKeys ? { keys: [] } : {}) };
    const ttl = Math.max(0, Math.ceil((lease.expiresAt - this.now()) / 1000));
    const info: LeaseInfo = { id, grantedTtl: lease.ttl, ttl };
    if (withKeys) info.keys = this.st.keysWithLease.all(id).map((r) => r.key);
    return info;
  }

  list(): number[] {
    return [...this.leases.keys()];
  }

  /** Revokes every lease past its expiry; runs on a timer. */
  revokeExpired(): void {
    const now = this.now();
    for (const [id, lease] of this.leases) {
      if (lease.expiresAt > now || this.revoking.has(id)) continue;
      this.revoking.add(id);
      this.revoke(id)
        .catch((err) => {
          if (!(err instanceof LeaseNotFoundError)) this.onExpiryError(id, err);
        })
        .finally(() => this.revoking.delete(id));
    }
  }

  private newId(): number {
    for (;;) {
      // Positive, within JavaScript's exact integer range, never 0 (0 means "no lease").
      const id = Math.floor(Math.random() * 2 ** 52) + 1;
      if (!this.leases.has(id)) return id;
    }
  }
}
