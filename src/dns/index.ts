/**
 * Cluster DNS (`kts dns`, the role CoreDNS plays in k3s): answers the cluster domain from
 * Services, EndpointSlices and Namespaces watched through the API (resolver.ts lists the names),
 * PTR for ClusterIPs and endpoint IPs, and forwards every other name to the upstream resolvers
 * of /etc/resolv.conf with a cache. UDP and TCP; side ports for health, readiness and metrics.
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { ClusterState } from "./cluster.ts";
import { Forwarder, upstreamsFromResolvConf, type Upstream } from "./forward.ts";
import { DnsHandler } from "./handler.ts";
import { serveSidePorts, type SidePorts } from "./health.ts";
import { watchCluster } from "./kubernetes.ts";
import { listen } from "./listeners.ts";
import { Resolver } from "./resolver.ts";

export { ClusterState, ipKey, type EndpointInfo, type ServiceInfo, type ServicePort, type SliceInfo } from "./cluster.ts";
export { Resolver, DNS_SCHEMA_VERSION, addressFromReverse, endpointHostname, type Resolution } from "./resolver.ts";
export { DnsHandler } from "./handler.ts";
export { Forwarder, parseUpstream, upstreamsFromResolvConf, type Upstream } from "./forward.ts";
export { serviceInfo, sliceInfo } from "./kubernetes.ts";
export * as wire from "./wire.ts";

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
/** CoreDNS's kubernetes plugin default TTL. */
export const DEFAULT_TTL = 5;

export interface DnsServerOptions {
  client: Client;
  /** Cluster domains (default cluster.local); the first is the primary. */
  zones?: string[];
  ttl?: number;
  /** Listen address and port for UDP and TCP (default 0.0.0.0:53; 0 picks a free port). */
  host?: string;
  port?: number;
  /** Default: the nameservers of `resolvConf`. */
  upstreams?: Upstream[];
  resolvConf?: string;
  /** Upper bound of the TTL upstream answers are cached for (CoreDNS's `cache 30`). */
  maxCacheTtl?: number;
  /** Side ports (CoreDNS's 8080 health, 8181 ready, 9153 metrics); left out: not served. */
  sidePorts?: SidePorts;
  log: Logger;
}

export interface DnsServer {
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly sidePorts: SidePorts;
  readonly state: ClusterState;
  readonly handler: DnsHandler;
  /** Resolves once the cluster caches are filled. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

/** The ClusterIPs of kube-system/kube-dns: the address ns.dns.<zone> answers with. */
function dnsServiceAddresses(state: ClusterState): string[] {
  return state.service("kube-system", "kube-dns")?.clusterIPs ?? [];
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.log;
  const state = new ClusterState();
  const zones = (opts.zones?.length ? opts.zones : [DEFAULT_CLUSTER_DOMAIN]).map((z) => z.toLowerCase().replace(/\.$/, ""));
  const resolver = new Resolver(state, { zones, ttl: opts.ttl ?? DEFAULT_TTL, nsAddresses: () => dnsServiceAddresses(state) });
  const port = opts.port ?? 53;
  const host = opts.host ?? "0.0.0.0";
  // Forwarding to ourselves would loop (CoreDNS's `loop` plugin stops the server; we drop the upstream).
  const isSelf = (u: Upstream) => u.port === port && (u.host === host || ((host === "0.0.0.0" || host === "::") && /^(127\.|::1$)/.test(u.host)));
  const configured = opts.upstreams ?? upstreamsFromResolvConf(opts.resolvConf);
  const upstreams = configured.filter((u) => !isSelf(u));
  if (upstreams.length < configured.length) log.warn("dropped upstream nameservers that are this server (a forwarding loop)", { dropped: configured.filter(isSelf).map((u) => `${u.host}:${u.port}`).join(",") });
  if (upstreams.length === 0) log.warn("no upstream nameservers: names outside the cluster get SERVFAIL", { resolvConf: opts.resolvConf ?? "/etc/resolv.conf" });
  const forwarder = new Forwarder({ upstreams, log: log.child("forward") });
  const handler = new DnsHandler({ state, resolver, forwarder, maxCacheTtl: opts.maxCacheTtl ?? 30, log });
  const listeners = await listen(handler, host, port, log);
  const watch = watchCluster(opts.client, state, log.child("kubernetes"));
  const side = serveSidePorts(host, opts.sidePorts ?? {}, handler, () => state.synced);
  log.info("DNS server listening", {
    address: `${host}:${listeners.udpPort}`,
    zones: zones.join(","),
    upstreams: upstreams.map((u) => `${u.host}:${u.port}`).join(",") || "none",
    ...side.ports,
  });
  return {
    udpPort: listeners.udpPort,
    tcpPort: listeners.tcpPort,
    sidePorts: side.ports,
    state,
    handler,
    synced: watch.synced,
    async stop() {
      watch.stop();
      listeners.close();
      side.stop();
      forwarder.close();
    },
  };
}
