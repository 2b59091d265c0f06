/**
 * Taking a node's pod network away (tests; k3s's killall script does the same for flannel): the
 * bridge (and an earlier design's Docker network, once no container uses it), the iptables chains
 * and jumps (pod network and hostPorts), kts's routes inside the cluster CIDR, and the safety routes.
 */
import type { Iptables } from "../../iptables/index.ts";
import { mustParseCidr, parseCidr, cidrsOverlap } from "../../netaddr/index.ts";
import { removeBridge } from "./bridge.ts";
import { DockerNetworks } from "./docker-network.ts";
import { podNetworkChains, removePodNetworkRules } from "./host-rules.ts";
import { hostPortChains, removeHostPortRules } from "./hostports.ts";
import { ip, KTS_ROUTE_PROTO, routes } from "./ip.ts";
import { removeSafetyRoutes } from "./safety.ts";
import type { PodNetworkNames } from "./index.ts";

export async function removeNodeNetwork(opts: { names: PodNetworkNames; iptables: Iptables; clusterCidr: string; serviceCidr: string; docker?: DockerNetworks }): Promise<void> {
  await (opts.docker ?? new DockerNetworks()).remove(opts.names.dockerNetwork).catch(() => false);
  await removeBridge(opts.names.bridge);
  await removePodNetworkRules(opts.iptables, podNetworkChains(opts.names.chainPrefix));
  await removeHostPortRules(opts.iptables, hostPortChains(opts.names.chainPrefix));
  const cluster = mustParseCidr(opts.clusterCidr);
  for (const r of await routes({ proto: KTS_ROUTE_PROTO })) {
    const c = parseCidr(r.dst);
    if ((r.type ?? "unicast") === "unicast" && c && c.bits > cluster.bits && cidrsOverlap(c, cluster)) await ip(["route", "del", r.dst, "proto", String(KTS_ROUTE_PROTO)]);
  }
  await removeSafetyRoutes({ clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr });
}
