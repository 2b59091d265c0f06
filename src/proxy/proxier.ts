/**
 * The service proxy's loop (kube-proxy's iptables Proxier): Services and EndpointSlices from
 * informers; every change bumps a generation and asks for a sync; syncs are coalesced and
 * rate-limited (at most one per minSyncPeriod, and one at least every syncPeriod, 30 s). kts's
 * minSyncPeriod is 500 ms, not kube-proxy's 1 s: a partial sync costs tens of milliseconds here, and
 * under a steady stream of changes the wait for the next sync is most of a change's delay.
 * A sync computes every port's rules, writes them in one iptables-restore, and rewrites only the
 * ports whose rules changed since the last successful sync (a partial sync, which reads nothing
 * back); the first sync, one after a failure and one an hour are full (every chain rewritten,
 * then chains an earlier run left found from iptables-save and deleted). The jumps from the
 * built-in chains are checked on full and periodic syncs.
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
/** iptables-nft-restore calls of a chunked full sync at once (3 measured best on 2 cores: about 25% faster than 1). */
const NFT_PARALLEL_RESTORES = 3;
/** The shortest gap between two syncs (see above). */
const DEFAULT_MIN_SYNC_MS = 500;

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
  /** Per-service chains beyond which an iptables-nft full sync is written in chunks of this many (default 1,000; tests use a few). */
  nftChunkChains?: number;
  log: Logger;
  /** Called after every sync attempt (tests and the benchmark watch syncs land). */
  onSync?(info: SyncInfo): void;
}

export interface SyncInfo {
  /** Every change seen before this sync began is in it. */
  generation: number;
  full: boolean;
  /** From the sync's start until its rules were live (the last iptables-restore returned). */
  ms: number;
  /** Of `ms`: computing the rules and reading the built-in chains' jumps (which overlap). */
  computeMs: number;
  /** Of `ms`: the iptables-restore calls. */
  restoreMs: number;
  /** After `ms`, full syncs only: finding (iptables-save) and deleting chains an earlier run left. */
  cleanupMs: number;
  servicePorts: number;
  /** Per-port chains written. */
  chainsWritten: number;
  chainsDeleted: number;
  restoreBytes: number;
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
    this.minSyncMs = opts.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_MS;
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
    const info: SyncInfo = { generation, full, ms: 0, computeMs: 0, restoreMs: 0, cleanupMs: 0, servicePorts: 0, chainsWritten: 0, chainsDeleted: 0, restoreBytes: 0 };
    const ipt = this.opts.iptables;
    try {
      // The built-in chains are read by child processes while the rules are computed.
      const reading = full || periodic ? this.readBuiltins() : undefined;
      reading?.catch(() => {});
      const now = this.compute();
      const active = new Set<string>();
      for (const a of now.values()) for (const c of a.rules.chains.keys()) active.add(c);
      const ports = [...now.values()].map((a) => a.rules);
      // Chains this proxy wrote and no longer needs; a full sync finds the rest from iptables-save below.
      const stale = [...this.appliedChains].filter((c) => !active.has(c));
      const chunkChains = this.opts.nftChunkChains ?? NFT_CHUNK_CHAINS;
      const chunked = full && ipt.backend === "nft" && active.size > chunkChains;
      const rewrite = (r: PortRules) => !chunked && (full || this.applied.get(r.name)?.rules.text !== r.text);
      const builtins = await reading;
      const plan = buildRestore(this.ctx, ports, rewrite, stale, builtins?.missing ?? []);
      info.computeMs = performance.now() - started;
      const restoreStart = performance.now();
      if (chunked) {
        const chunks = buildChainChunks(this.ctx, ports, chunkChains);
        // The first chunk makes KUBE-MARK-MASQ, which the others jump to; the rest go two at a
        // time: one call's parsing overlaps the other's kernel commit (nf_tables serializes the
        // commits and iptables-nft-restore retries one whose cache went stale meanwhile).
        await ipt.restore(chunks[0]!);
        let next = 1;
        const worker = async () => {
          while (next < chunks.length) await ipt.restore(chunks[next++]!);
        };
        await Promise.all(Array.from({ length: NFT_PARALLEL_RESTORES }, worker));
        for (const text of chunks) info.restoreBytes += text.length;
        plan.written = active.size;
      }
      await ipt.restore(plan.text);
      info.restoreMs = performance.now() - restoreStart;
      info.ms = performance.now() - started;
      const previous = this.applied;
      this.applied = now;
      this.appliedChains = active;
      this.needFull = false;
      if (full) this.lastFull = Date.now();
      Object.assign(info, { servicePorts: now.size, chainsWritten: plan.written, chainsDeleted: plan.deleted, restoreBytes: info.restoreBytes + plan.text.length });
      // Chains left by an earlier run (Services deleted while it was down) are unreferenced once the
      // entry rules above are in place, so removing them waits until the rules are live. Nothing of
      // this proxy existed before this sync when its KUBE-MARK-MASQ did not: no save needed then.
      if (full && builtins?.hadOwnChains) {
        const cleanupStart = performance.now();
        info.chainsDeleted += await this.removeStaleChains(active);
        info.cleanupMs = performance.now() - cleanupStart;
      }
      if (this.opts.conntrack) await this.clearStaleUdp(previous, now);
    } catch (err) {
      this.needFull = true;
      info.error = err instanceof Error ? err.message : String(err);
      this.opts.log.error("sync of service rules failed", { err: info.error });
    }
    if (!info.ms) info.ms = performance.now() - started;
    this.opts.log.v(2).info("synced service rules", { ...info, ms: Math.round(info.ms) });
    return info;
  }

  /**
   * The jumps from the built-in chains that are missing (each built-in chain read once, all at
   * once; the sync inserts them), and whether this proxy's KUBE-MARK-MASQ exists, which every
   * one of its syncs writes first.
   */
  private async readBuiltins(): Promise<{ missing: JumpRule[]; hadOwnChains: boolean }> {
    const ipt = this.opts.iptables;
    const jumps = jumpRules(this.names);
    const places = [...new Set(jumps.map((j) => `${j.table}/${j.chain}`))];
    const [mark, ...listed] = await Promise.all([
      ipt.run(["-t", "nat", "-S", this.names.markMasq]),
      ...places.map((at) => ipt.run(["-t", at.split("/")[0]!, "-S", at.split("/")[1]!]).then((r) => r.stdout.split("\n"))),
    ]);
    const rules = new Map(places.map((at, i) => [at, listed[i]!]));
    const missing = jumps.filter((j) => !rules.get(`${j.table}/${j.chain}`)!.some((l) => l.endsWith(` -j ${j.rule.at(-1)}`)));
    return { missing, hadOwnChains: mark!.code === 0 };
  }

  /** Deletes this proxy's per-service chains that iptables-save shows and no Service needs; how many went. */
  private async removeStaleChains(active: Set<string>): Promise<number> {
    const stale = (await this.opts.iptables.chains("nat")).filter((c) => this.names.isServiceChain(c) && !active.has(c));
    if (stale.length === 0) return 0;
    try {
      // Flushed first, all in one transaction: stale chains may jump to each other.
      await this.opts.iptables.restore(`*nat\n${stale.map((c) => `:${c} - [0:0]`).join("\n")}\n${stale.map((c) => `-X ${c}`).join("\n")}\nCOMMIT\n`);
    } catch (err) {
      // Harmless while unreferenced; the next full sync tries again.
      this.opts.log.error("removing stale service chains failed", { err: err instanceof Error ? err.message : String(err), chains: stale.length });
      return 0;
    }
    return stale.length;
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
