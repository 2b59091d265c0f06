/**
 * The service proxy's loop (kube-proxy's iptables Proxier): Services and EndpointSlices from
 * informers; every change bumps a generation and asks for a sync; syncs are coalesced and
 * rate-limited (at most one per minSyncPeriod, 1 s, and one at least every syncPeriod, 30 s).
 * A sync computes every port's rules, writes them in one iptables-restore, and rewrites only the
 * ports whose rules changed since the last successful sync (a partial sync); the first sync,
 * one after a failure and one an hour are full (every chain rewritten, stale chains found from
 * iptables-save). The jumps from the built-in chains are checked on full and periodic syncs.
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { KubeObject } from "../apiserver/api/types.ts";
import { Informer } from "../client/index.ts";
import type { Iptables } from "../iptables/index.ts";
import type { Conntrack } from "./conntrack.ts";
import { ChainNames } from "./names.ts";
import { portEndpoints, servicePorts, SERVICE_NAME_LABEL, type EndpointSlice, type Service, type ServicePort } from "./model.ts";
import { buildChainChunks, buildRestore } from "./restore.ts";
import { jumpRules, LARGE_CLUSTER_ENDPOINTS, portRules, type JumpRule, type PortRules, type RuleContext } from "./rules.ts";

const SERVICES = { group: "", version: "v1", resource: "services" };
const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
const BY_SERVICE = "service";
/** Chains per iptables-nft-restore call in a chunked full sync (see buildChainChunks). */
const NFT_CHUNK_CHAINS = 1000;

export interface ProxierOptions {
  client: Client;
  /** This node: endpoints on it are "local" for the Local traffic policies. */
  nodeName: string;
  /** --cluster-cidr: traffic to a ClusterIP from outside it is masqueraded. */
  clusterCidr?: string;
  iptables: Iptables;
  /** Chain prefix, "KUBE" (tests running several proxies in one namespace use their own). */
  chainPrefix?: string;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  /** A full resync this often (upstream: 1 hour). */
  fullSyncPeriodMs?: number;
  conntrack?: Conntrack;
  log: Logger;
  /** Called after every sync attempt (tests and the benchmark watch syncs land). */
  onSync?(info: SyncInfo): void;
}

export interface SyncInfo {
  /** Every change seen before this sync began is in it. */
  generation: number;
  full: boolean;
  ms: number;
  servicePorts: number;
  /** Per-port chains written. */
  chainsWritten: number;
  chainsDeleted: number;
  restoreBytes: number;
  /** Of `ms`, the time iptables-restore took (the rest: computing the rules, reading chains, jumps). */
  restoreMs: number;
  error?: string;
}

interface Applied {
  sp: ServicePort;
  rules: PortRules;
}

/** A Service's ports' rules, reused while the Service and its slices are unchanged. */
interface CachedService {
  key: string;
  ports: Applied[];
}

export class Proxier {
  readonly names: ChainNames;
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly ctx: RuleContext;
  private readonly minSyncMs: number;
  private readonly syncPeriodMs: number;
  private readonly fullSyncPeriodMs: number;
  private generation = 0;
  private applied = new Map<string, Applied>();
  private cache = new Map<string, CachedService>();
  private appliedChains = new Set<string>();
  private needFull = true;
  private lastFull = 0;
  private lastStart = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private periodic: ReturnType<typeof setInterval> | undefined;
  private syncing: Promise<void> | undefined;
  private pending = false;
  private pendingPeriodic = false;
  private stopped = false;
  private synced = Promise.withResolvers<SyncInfo>();

  constructor(private readonly opts: ProxierOptions) {
    this.names = new ChainNames(opts.chainPrefix ?? "KUBE");
    this.ctx = { names: this.names, clusterCidr: opts.clusterCidr };
    this.minSyncMs = opts.minSyncPeriodMs ?? 1000;
    this.syncPeriodMs = opts.syncPeriodMs ?? 30_000;
    this.fullSyncPeriodMs = opts.fullSyncPeriodMs ?? 3_600_000;
    const onError = (err: unknown) => opts.log.v(2).info("list/watch failed; retrying", { err });
    // Upstream's kube-proxy skips Services another proxy owns and headless Services' slices.
    this.services = new Informer(opts.client, SERVICES, { labelSelector: "!service.kubernetes.io/service-proxy-name", onError });
    this.slices = new Informer(opts.client, ENDPOINT_SLICES, { labelSelector: "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name", onError });
    this.slices.addIndex(BY_SERVICE, (s) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata?.namespace}/${svc}`] : [];
    });
    const changed = () => {
      this.generation++;
      this.request();
    };
    for (const inf of [this.services, this.slices]) inf.on({ add: changed, update: changed, delete: changed });
  }

  /** Starts watching; resolves once the caches are filled and the first sync was tried. */
  async start(): Promise<SyncInfo> {
    await Promise.all([this.services.start(), this.slices.start()]);
    this.periodic = setInterval(() => this.request(true), this.syncPeriodMs);
    this.request(true);
    return this.synced.promise;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    this.services.stop();
    this.slices.stop();
    await this.syncing;
  }

  /** The change counter: a sync whose generation is at least this includes every change seen so far. */
  get currentGeneration(): number {
    return this.generation;
  }

  /** Asks for a full sync (every chain rewritten, stale ones looked up in iptables-save). */
  requestFullSync(): void {
    this.needFull = true;
    this.request(true);
  }

  /** Asks for a sync: now if none ran within minSyncPeriod, else once it has passed. */
  request(periodic = false): void {
    if (this.stopped) return;
    if (periodic) this.pendingPeriodic = true;
    if (this.syncing) {
      this.pending = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastStart + this.minSyncMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
  }

  private run(): void {
    if (this.stopped) return;
    this.lastStart = performance.now();
    const periodic = this.pendingPeriodic;
    this.pendingPeriodic = false;
    this.pending = false;
    this.syncing = this.sync(periodic).then((info) => {
      this.syncing = undefined;
      this.opts.onSync?.(info);
      this.synced.resolve(info);
      if (info.error) {
        // Upstream retries a failed sync (as a full one) after a while.
        setTimeout(() => this.request(true), Math.min(this.syncPeriodMs, 5000));
      } else if (this.pending) this.request();
    });
  }

  private slicesOf(service: string): EndpointSlice[] {
    return this.slices.byIndex(BY_SERVICE, service) as EndpointSlice[];
  }

  /**
   * Every port's rules from the informer caches. A Service whose object and slices kept their
   * resourceVersions (and the cluster its size class) keeps last sync's rules.
   */
  private compute(): Map<string, Applied> {
    const services = this.services.list();
    let endpoints = 0;
    for (const s of this.slices.list()) endpoints += ((s as EndpointSlice).endpoints ?? []).length;
    const large = endpoints > LARGE_CLUSTER_ENDPOINTS;
    if (large !== !!this.ctx.largeCluster) this.opts.log.info("large cluster mode (no per-endpoint rule comments)", { on: large, endpoints });
    this.ctx.largeCluster = large;
    const out = new Map<string, Applied>();
    const cache = new Map<string, CachedService>();
    for (const obj of services) {
      const id = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
      const slices = this.slicesOf(id);
      const key = `${obj.metadata?.resourceVersion}|${slices.map((s) => s.metadata?.resourceVersion).join(",")}|${large}`;
      let entry = this.cache.get(id);
      if (!entry || entry.key !== key) {
        entry = { key, ports: servicePorts(obj as Service).map((sp) => ({ sp, rules: portRules(this.ctx, sp, portEndpoints(sp, slices, this.opts.nodeName)) })) };
      }
      cache.set(id, entry);
      for (const a of entry.ports) out.set(a.sp.name, a);
    }
    this.cache = cache;
    return out;
  }

  private async sync(periodic: boolean): Promise<SyncInfo> {
    const started = performance.now();
    const generation = this.generation;
    const full = this.needFull || Date.now() - this.lastFull > this.fullSyncPeriodMs;
    const info: SyncInfo = { generation, full, ms: 0, servicePorts: 0, chainsWritten: 0, chainsDeleted: 0, restoreBytes: 0, restoreMs: 0 };
    try {
      const now = this.compute();
      const active = new Set<string>();
      for (const a of now.values()) for (const c of a.rules.chains.keys()) active.add(c);
      const known = full ? (await this.opts.iptables.chains("nat")).filter((c) => this.names.isServiceChain(c)) : this.appliedChains;
      const stale = [...known].filter((c) => !active.has(c));
      const ports = [...now.values()].map((a) => a.rules);
      const chunked = full && this.opts.iptables.backend === "nft" && active.size > NFT_CHUNK_CHAINS;
      const rewrite = (r: PortRules) => !chunked && (full || this.applied.get(r.name)?.rules.text !== r.text);
      const jumps = full || periodic ? await this.missingJumps() : [];
      const plan = buildRestore(this.ctx, ports, rewrite, stale, jumps);
      const restoreStart = performance.now();
      if (chunked) {
        // The chains first (they jump to KUBE-MARK-MASQ, which must exist), then the entry points.
        await this.opts.iptables.ensureChain("nat", this.names.markMasq);
        for (const text of buildChainChunks(ports, NFT_CHUNK_CHAINS)) {
          await this.opts.iptables.restore(text);
          info.restoreBytes += text.length;
        }
        plan.written = active.size;
      }
      await this.opts.iptables.restore(plan.text);
      info.restoreMs = performance.now() - restoreStart;
      const previous = this.applied;
      this.applied = now;
      this.appliedChains = active;
      this.needFull = false;
      if (full) this.lastFull = Date.now();
      Object.assign(info, { servicePorts: now.size, chainsWritten: plan.written, chainsDeleted: plan.deleted, restoreBytes: info.restoreBytes + plan.text.length });
      if (this.opts.conntrack) await this.clearStaleUdp(previous, now);
    } catch (err) {
      this.needFull = true;
      info.error = err instanceof Error ? err.message : String(err);
      this.opts.log.error("sync of service rules failed", { err: info.error });
    }
    info.ms = performance.now() - started;
    this.opts.log.v(2).info("synced service rules", { ...info, ms: Math.round(info.ms) });
    return info;
  }

  /** The jumps from the built-in chains that are missing (each built-in chain read once); the sync inserts them. */
  private async missingJumps(): Promise<JumpRule[]> {
    const listed = new Map<string, string[]>();
    const missing: JumpRule[] = [];
    for (const j of jumpRules(this.names)) {
      const at = `${j.table}/${j.chain}`;
      if (!listed.has(at)) listed.set(at, (await this.opts.iptables.run(["-t", j.table, "-S", j.chain])).stdout.split("\n"));
      if (!listed.get(at)!.some((l) => l.endsWith(` -j ${j.rule.at(-1)}`))) missing.push(j);
    }
    return missing;
  }

  /** UDP flows to endpoints that went away, and flows a Service refused before it had endpoints. */
  private async clearStaleUdp(before: Map<string, Applied>, after: Map<string, Applied>): Promise<void> {
    const ct = this.opts.conntrack!;
    for (const [name, old] of before) {
      if (old.sp.protocol !== "UDP") continue;
      const cur = after.get(name);
      const keep = new Set((cur?.rules.endpoints ?? []).map((e) => e.ip));
      for (const ep of old.rules.endpoints) {
        if (keep.has(ep.ip)) continue;
        for (const ip of serviceIPs(old.sp)) await ct.clearEndpoint(ip, ep.ip);
        if (old.sp.nodePort) await ct.clearNodePortEndpoint(old.sp.nodePort, ep.ip);
      }
    }
    for (const [name, cur] of after) {
      if (cur.sp.protocol !== "UDP" || cur.rules.endpoints.length === 0) continue;
      if ((before.get(name)?.rules.endpoints.length ?? 0) > 0) continue;
      for (const ip of serviceIPs(cur.sp)) await ct.clearServiceIP(ip);
      if (cur.sp.nodePort) await ct.clearNodePort(cur.sp.nodePort);
    }
  }

  /** The informers' objects (tests). */
  objects(): { services: KubeObject[]; slices: KubeObject[] } {
    return { services: this.services.list(), slices: this.slices.list() };
  }
}

function serviceIPs(sp: ServicePort): string[] {
  return [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs];
}
