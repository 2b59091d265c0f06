/**
 * host-gw routing (flannel's host-gw backend): for every other node, a route to its pod CIDR
 * through its InternalIP, so pods on different nodes talk without encapsulation or NAT. Nodes
 * whose address is local (several nodes on one machine) need none: their bridges are on this
 * host. Routes carry kts's route protocol and lie inside the cluster CIDR, so exactly the stale
 * ones are removed when a node goes.
 */
import { networkInterfaces } from "node:os";
import type { Logger } from "../../log/index.ts";
import { cidrsOverlap, mustParseCidr, parseCidr, type Cidr } from "../../netaddr/index.ts";
import { ip, KTS_ROUTE_PROTO, routes } from "./ip.ts";

export interface NodeRoute {
  podCidr: string;
  via: string;
}

/** The host's own IPv4 addresses. */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === "IPv4") out.add(a.address);
  return out;
}

function inside(cluster: Cidr, cidr: string): boolean {
  const c = parseCidr(cidr);
  return !!c && c.bits > cluster.bits && cidrsOverlap(cluster, c);
}

export class HostGwRoutes {
  private readonly cluster: Cidr;

  constructor(
    clusterCidr: string,
    private readonly log: Logger,
    private readonly netns?: string,
  ) {
    this.cluster = mustParseCidr(clusterCidr);
  }

  /** Makes kts's routes inside the cluster CIDR exactly `want`. */
  async sync(want: NodeRoute[]): Promise<void> {
    const have = (await routes({ proto: KTS_ROUTE_PROTO, netns: this.netns })).filter((r) => (r.type ?? "unicast") === "unicast" && inside(this.cluster, r.dst));
    const wanted = new Map(want.filter((w) => inside(this.cluster, w.podCidr)).map((w) => [w.podCidr, w.via]));
    for (const [cidr, via] of wanted) {
      if (have.some((r) => r.dst === cidr && r.gateway === via)) continue;
      const r = await ip(["route", "replace", cidr, "via", via, "proto", String(KTS_ROUTE_PROTO)], this.netns);
      if (r.code !== 0) this.log.error("cannot route to a node's pod CIDR", { podCIDR: cidr, via, err: r.stderr.trim() });
      else this.log.info("route to node pod CIDR", { podCIDR: cidr, via });
    }
    for (const r of have) {
      if (wanted.get(r.dst) === r.gateway) continue;
      await ip(["route", "del", r.dst, "proto", String(KTS_ROUTE_PROTO)], this.netns);
      this.log.info("removed route to a node's pod CIDR", { podCIDR: r.dst, via: r.gateway });
    }
  }
}
