/**
 * The safety routes, installed before any pod or Service exists on the node: `unreachable` routes
 * for the cluster CIDR and the service CIDR, so a packet to an address nothing has programmed yet
 * (no pod bridge, no host-gw route, no proxy rule) dies on this host with "no route to host"
 * instead of following the default route off the machine. More specific routes (the pod bridge's
 * own /24, host-gw routes to other nodes) take precedence as they are added.
 *
 * Service addresses need one more step, or the proxy's rules could not work: the node's own
 * processes (and hostNetwork pods) look their route up before the proxy's DNAT, and would fail on
 * the unreachable route; and a pod's packet to a Service without endpoints would meet the route
 * before the proxy's REJECT (filter FORWARD) could refuse it. So a policy rule sends all traffic
 * for the service CIDR to a table routing it to the loopback device (the node IP as source):
 * DNATed traffic is rerouted to its endpoint, traffic for a Service without endpoints reaches the
 * REJECT, and an address nothing programmed loops back into this host and dies there on the
 * unreachable route. Without that table (or the rule) the unreachable route alone decides.
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

async function serviceRule(serviceCidr: string, netns?: string): Promise<boolean> {
  const rules = JSON.parse((await mustIp(["-j", "rule", "show"], netns)).trim() || "[]") as RuleEntry[];
  const [dst, len] = serviceCidr.split("/");
  return rules.some((r) => r.iif === undefined && r.dst === dst && String(r.dstlen) === len && String(r.table) === String(KTS_ROUTE_TABLE));
}

/** Installs the unreachable routes (idempotent); then the service-CIDR rule and route when nodeIP is given. */
export async function ensureSafetyRoutes(opts: SafetyRoutesOptions): Promise<void> {
  for (const cidr of [opts.clusterCidr, opts.serviceCidr]) {
    await mustIp(["route", "replace", "unreachable", cidr, "proto", String(KTS_ROUTE_PROTO)], opts.netns);
  }
  if (!opts.nodeIP) return;
  await mustIp(["route", "replace", opts.serviceCidr, "dev", "lo", "src", opts.nodeIP, "table", String(KTS_ROUTE_TABLE), "proto", String(KTS_ROUTE_PROTO)], opts.netns);
  // Earlier versions matched only host-originated traffic (iif lo).
  await ip(["rule", "del", "priority", String(KTS_RULE_PRIORITY), "iif", "lo", "to", opts.serviceCidr, "lookup", String(KTS_ROUTE_TABLE)], opts.netns);
  if (!(await serviceRule(opts.serviceCidr, opts.netns))) {
    await mustIp(["rule", "add", "priority", String(KTS_RULE_PRIORITY), "to", opts.serviceCidr, "lookup", String(KTS_ROUTE_TABLE)], opts.netns);
  }
}

/** Removes what ensureSafetyRoutes installed for these CIDRs (tests; a node being uninstalled). */
export async function removeSafetyRoutes(opts: Omit<SafetyRoutesOptions, "nodeIP">): Promise<void> {
  while ((await ip(["rule", "del", "priority", String(KTS_RULE_PRIORITY), "to", opts.serviceCidr, "lookup", String(KTS_ROUTE_TABLE)], opts.netns)).code === 0) {
    // every copy
  }
  await ip(["route", "del", opts.serviceCidr, "table", String(KTS_ROUTE_TABLE)], opts.netns);
  for (const cidr of [opts.clusterCidr, opts.serviceCidr]) await ip(["route", "del", "unreachable", cidr], opts.netns);
}
