/**
 * The safety routes, installed before any pod or Service exists on the node: `unreachable` routes
 * for the cluster CIDR and the service CIDR, so a packet to an address nothing has programmed yet
 * (no pod bridge, no host-gw route, no proxy rule) dies on this host with "no route to host"
 * instead of following the default route off the machine. More specific routes (the pod bridge's
 * own /24, host-gw routes to other nodes) take precedence as they are added.
 *
 * The node's own processes (and hostNetwork pods) must still reach ClusterIPs: their route lookup
 * happens before the proxy's DNAT, and would fail on the unreachable route. So a policy rule sends
 * host-originated traffic for the service CIDR to a table that routes it to the loopback device
 * (with the node IP as source): DNAT then reroutes it to the endpoint, and an unprogrammed address
 * loops back into the host and is dropped there. Traffic from pods still meets the unreachable
 * route.
 */
import { ip, KTS_ROUTE_PROTO, KTS_ROUTE_TABLE, KTS_RULE_PRIORITY, mustIp } from "./ip.ts";

export interface SafetyRoutesOptions {
  clusterCidr: string;
  serviceCidr: string;
  /** A local address of this node: the source of host-originated service traffic. */
  nodeIP?: string;
  netns?: string;
}

interface RuleEntry {
  priority?: number;
  iif?: string;
  dst?: string;
  dstlen?: number;
  table?: string;
}

async function hostServiceRule(serviceCidr: string, netns?: string): Promise<boolean> {
  const rules = JSON.parse((await mustIp(["-j", "rule", "show"], netns)).trim() || "[]") as RuleEntry[];
  const [dst, len] = serviceCidr.split("/");
  return rules.some((r) => r.iif === "lo" && r.dst === dst && String(r.dstlen) === len && String(r.table) === String(KTS_ROUTE_TABLE));
}

/** Installs the unreachable routes (idempotent); then the host-originated service route when nodeIP is given. */
export async function ensureSafetyRoutes(opts: SafetyRoutesOptions): Promise<void> {
  for (const cidr of [opts.clusterCidr, opts.serviceCidr]) {
    await mustIp(["route", "replace", "unreachable", cidr, "proto", String(KTS_ROUTE_PROTO)], opts.netns);
  }
  if (!opts.nodeIP) return;
  await mustIp(["route", "replace", opts.serviceCidr, "dev", "lo", "src", opts.nodeIP, "table", String(KTS_ROUTE_TABLE), "proto", String(KTS_ROUTE_PROTO)], opts.netns);
  if (!(await hostServiceRule(opts.serviceCidr, opts.netns))) {
    await mustIp(["rule", "add", "priority", String(KTS_RULE_PRIORITY), "iif", "lo", "to", opts.serviceCidr, "lookup", String(KTS_ROUTE_TABLE)], opts.netns);
  }
}

/** Removes what ensureSafetyRoutes installed for these CIDRs (tests; a node being uninstalled). */
export async function removeSafetyRoutes(opts: Omit<SafetyRoutesOptions, "nodeIP">): Promise<void> {
  while ((await ip(["rule", "del", "priority", String(KTS_RULE_PRIORITY), "iif", "lo", "to", opts.serviceCidr, "lookup", String(KTS_ROUTE_TABLE)], opts.netns)).code === 0) {
    // every copy
  }
  await ip(["route", "del", opts.serviceCidr, "table", String(KTS_ROUTE_TABLE)], opts.netns);
  for (const cidr of [opts.clusterCidr, opts.serviceCidr]) await ip(["route", "del", "unreachable", cidr], opts.netns);
}
