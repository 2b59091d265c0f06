/**
 * Leader election on a coordination.k8s.io Lease (client-go's leaderelection with a LeaseLock), so
 * that of several servers only one runs the controllers at a time. A candidate takes the lease when
 * nobody holds it, or when the holder has not renewed it for leaseDuration as measured on this
 * candidate's clock since it last saw the lease change (no clock sync between machines needed).
 * The leader renews every retryPeriod; if it cannot renew within renewDeadline it stops leading
 * (its work must stop), then competes again. On stop, a leader hands the lease back (holder "")
 * so a successor need not wait out the lease.
 */
import type { V1Lease } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../apiserver/api/types.ts";
import type { Logger } from "../log/index.ts";
import type { Client, ResourceRef } from "./types.ts";

export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };

type Lease = Wire<V1Lease> & KubeObject;
type LeaseSpec = NonNullable<Lease["spec"]>;

export interface LeaderElectionConfig {
  client: Client;
  /** Where the lease lives: kube-system/kube-controller-manager for the controllers. */
  namespace: string;
  name: string;
  /** This candidate's identity: upstream uses "<hostname>_<uuid>". */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called when this candidate becomes leader; leading work starts here. */
  onStartedLeading(): void | Promise<void>;
  /** Called when leadership ends (lost or stopped); leading work must stop before it resolves. */
  onStoppedLeading(): void | Promise<void>;
  /** Called when the observed leader changes (including to this candidate). */
  onNewLeader?(identity: string): void;
  log?: Logger;
  now?: () => number;
}

/** client-go's defaults for kube-controller-manager and kube-scheduler. */
export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;
const JITTER = 1.2;

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

function isCode(err: unknown, code: number): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}

export class LeaderElector {
  private observedSpec = "";
  private observedAt = 0;
  private observedHolder = "";
  private leading = false;
  private stopped = false;
  private readonly wake = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly cfg: LeaderElectionConfig) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the lease ("" if none). */
  get leader(): string {
    return this.observedHolder;
  }

  /** Competes for the lease until stop(); leads whenever it holds it. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops competing; a leader stops its work, then gives the lease back. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.loop;
  }

  private get durationMs(): number {
    return this.cfg.leaseDurationMs ?? LEASE_DURATION_MS;
  }

  private now(): number {
    return (this.cfg.now ?? Date.now)();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!(await this.acquire())) break;
      this.leading = true;
      this.cfg.log?.info("became leader", { lease: `${this.cfg.namespace}/${this.cfg.name}`, identity: this.cfg.identity });
      try {
        await this.cfg.onStartedLeading();
        await this.renewWhileLeading();
      } finally {
        this.leading = false;
        await this.cfg.onStoppedLeading();
      }
      if (this.stopped) await this.release();
      else this.cfg.log?.warn("leader election lost", { lease: `${this.cfg.namespace}/${this.cfg.name}`, identity: this.cfg.identity });
    }
  }

  /** Tries every retryPeriod (jittered) until it holds the lease; false if stopped first. */
  private async acquire(): Promise<boolean> {
    const retry = this.cfg.retryPeriodMs ?? RETRY_PERIOD_MS;
    while (!this.stopped) {
      if (await this.tryAcquireOrRenew()) return true;
      await this.sleep(retry + Math.random() * JITTER * retry);
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal has failed for renewDeadline, or on stop. */
  private async renewWhileLeading(): Promise<void> {
    const retry = this.cfg.retryPeriodMs ?? RETRY_PERIOD_MS;
    const deadline = this.cfg.renewDeadlineMs ?? RENEW_DEADLINE_MS;
    let lastRenew = this.now();
    while (!this.stopped) {
      await this.sleep(retry);
      if (this.stopped) return;
      if (await this.tryAcquireOrRenew()) lastRenew = this.now();
      else if (this.now() - lastRenew >= deadline) return;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const { client, namespace, name, identity } = this.cfg;
    let lease: Lease;
    try {
      lease = (await client.get(LEASES, namespace, name)) as Lease;
    } catch (err) {
      if (!isCode(err, 404)) return this.failed("could not read the lease", err);
      try {
        const created = (await client.create(LEASES, namespace, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: this.spec({}, now, "create"),
        })) as Lease;
        this.observe(created.spec ?? {}, now);
        return true;
      } catch (createErr) {
        return this.failed("could not create the lease", createErr);
      }
    }
    const spec = lease.spec ?? {};
    this.observe(spec, now);
    const validUntil = this.observedAt + (spec.leaseDurationSeconds ?? this.durationMs / 1000) * 1000;
    const holder = spec.holderIdentity ?? "";
    if (holder && holder !== identity && validUntil > now) return false;
    const next = structuredClone(lease);
    next.spec = this.spec(spec, now, holder === identity ? "renew" : "takeover");
    try {
      const updated = (await client.update(LEASES, namespace, next)) as Lease;
      this.observe(updated.spec ?? {}, now);
      return true;
    } catch (err) {
      // 409: someone else wrote it first; the next round sees what they wrote.
      return isCode(err, 409) ? false : this.failed("could not update the lease", err);
    }
  }

  /** The spec this candidate writes: a new holder starts a new term (acquireTime, transitions). */
  private spec(old: LeaseSpec, now: number, mode: "create" | "renew" | "takeover"): LeaseSpec {
    const t = microTime(now) as unknown as LeaseSpec["renewTime"];
    const transitions = old.leaseTransitions ?? 0;
    return {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: Math.round(this.durationMs / 1000),
      acquireTime: mode === "renew" ? (old.acquireTime ?? t) : t,
      renewTime: t,
      leaseTransitions: mode === "takeover" ? transitions + 1 : transitions,
    };
  }

  /** Remembers when the lease last changed, on this clock: expiry is measured from then. */
  private observe(spec: LeaseSpec, now: number): void {
    const raw = JSON.stringify(spec);
    if (raw === this.observedSpec) return;
    this.observedSpec = raw;
    this.observedAt = now;
    const holder = spec.holderIdentity ?? "";
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.cfg.onNewLeader?.(holder);
    }
  }

  /** Gives the lease back so a successor can take it at once (client-go's ReleaseOnCancel). */
  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.cfg;
    try {
      const lease = (await client.get(LEASES, namespace, name)) as Lease;
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(this.now()) as unknown as LeaseSpec["renewTime"];
      const next = structuredClone(lease);
      next.spec = { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
      await client.update(LEASES, namespace, next);
    } catch (err) {
      this.cfg.log?.v(2).info("could not release the lease", { lease: `${namespace}/${name}`, err });
    }
  }

  private failed(what: string, err: unknown): false {
    this.cfg.log?.v(2).info(what, { lease: `${this.cfg.namespace}/${this.cfg.name}`, err });
    return false;
  }

  private sleep(ms: number): Promise<void> {
    if (this.wake.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.wake.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done);
    });
  }
}
