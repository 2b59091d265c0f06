/**
 * CoreDNS's side ports, which the packaged Deployment probes: `health` (:8080/health, alive),
 * `ready` (:8181/ready, 200 once the cluster caches are filled, 503 before) and `prometheus`
 * (:9153/metrics, request and response counters in CoreDNS's metric names).
 */
import type { Server } from "bun";
import type { DnsHandler } from "./handler.ts";

export interface SidePorts {
  health?: number;
  ready?: number;
  metrics?: number;
}

const RCODE_NAMES: Record<number, string> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

function metrics(handler: DnsHandler): string {
  const c = handler.counters;
  const cache = handler.cacheStats;
  const lines = [
    "# HELP coredns_dns_requests_total Counter of DNS requests made per zone, protocol and family.",
    "# TYPE coredns_dns_requests_total counter",
    `coredns_dns_requests_total{server="dns://:53",proto="udp"} ${c.requests.udp}`,
    `coredns_dns_requests_total{server="dns://:53",proto="tcp"} ${c.requests.tcp}`,
    "# HELP coredns_dns_responses_total Counter of response status codes.",
    "# TYPE coredns_dns_responses_total counter",
    ...[...c.rcodes].map(([rc, n]) => `coredns_dns_responses_total{server="dns://:53",rcode="${RCODE_NAMES[rc] ?? rc}"} ${n}`),
    "# HELP coredns_forward_requests_total Counter of requests made per upstream.",
    "# TYPE coredns_forward_requests_total counter",
    `coredns_forward_requests_total ${c.forwarded}`,
    `coredns_forward_failures_total ${c.forwardFailures}`,
    "# HELP coredns_cache_entries The number of elements in the cache.",
    "# TYPE coredns_cache_entries gauge",
    `coredns_cache_entries{type="cluster"} ${cache.clusterEntries}`,
    `coredns_cache_entries{type="upstream"} ${cache.upstreamEntries}`,
    `coredns_cache_hits_total ${cache.hits}`,
  ];
  return `${lines.join("\n")}\n`;
}

export function serveSidePorts(host: string, ports: SidePorts, handler: DnsHandler, isReady: () => boolean): { ports: SidePorts; stop(): void } {
  const servers: Server<undefined>[] = [];
  const out: SidePorts = {};
  const serve = (port: number, fetch: (req: Request) => Response) => {
    const s = Bun.serve({ hostname: host, port, fetch });
    servers.push(s);
    return s.port;
  };
  if (ports.health !== undefined) {
    out.health = serve(ports.health, (req) => (new URL(req.url).pathname === "/health" ? new Response("OK") : new Response("404 page not found\n", { status: 404 })));
  }
  if (ports.ready !== undefined) {
    out.ready = serve(ports.ready, (req) => {
      if (new URL(req.url).pathname !== "/ready") return new Response("404 page not found\n", { status: 404 });
      return isReady() ? new Response("OK") : new Response("kubernetes\n", { status: 503 });
    });
  }
  if (ports.metrics !== undefined) {
    out.metrics = serve(ports.metrics, (req) =>
      new URL(req.url).pathname === "/metrics" ? new Response(metrics(handler), { headers: { "Content-Type": "text/plain; version=0.0.4" } }) : new Response("404 page not found\n", { status: 404 }),
    );
  }
  return {
    ports: out,
    stop() {
      for (const s of servers) s.stop(true);
    },
  };
}
