/**
 * The iptables rules of one Service port and of the fixed chains, in iptables-restore syntax, laid
 * out as upstream's iptables proxier lays them out:
 *
 *   nat  PREROUTING/OUTPUT -> KUBE-SERVICES: "<svc> cluster IP" -> KUBE-SVC-x (or KUBE-SVL-x when
 *        internalTrafficPolicy is Local); external IPs and load balancer IPs -> KUBE-EXT-x (via
 *        KUBE-FW-x with loadBalancerSourceRanges); last, local destinations -> KUBE-NODEPORTS,
 *        which sends node ports to KUBE-EXT-x.
 *   KUBE-SVC-x / KUBE-SVL-x: masquerade traffic to the cluster IP from outside the cluster CIDR,
 *        ClientIP affinity (recent --rcheck), then one rule per endpoint with `statistic random`
 *        probabilities 1/n, 1/(n-1), ... so each endpoint is equally likely.
 *   KUBE-SEP-y: masquerade hairpin traffic (an endpoint reaching itself), record affinity
 *        (recent --set), DNAT to the endpoint.
 *   KUBE-EXT-x: Cluster policy masquerades and goes to KUBE-SVC-x; Local policy keeps the client's
 *        address and goes to KUBE-SVL-x (pods and the node itself still go cluster-wide).
 *   filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES: REJECT (icmp-port-unreachable) for ports with
 *        no endpoints, DROP for Local policy without local endpoints; KUBE-PROXY-FIREWALL drops
 *        what loadBalancerSourceRanges does not allow; KUBE-FORWARD accepts marked and
 *        established traffic; KUBE-POSTROUTING masquerades marked traffic.
 */
import type { ChainNames } from "./names.ts";
import { categorize, isExternallyAccessible, type Endpoint, type ServicePort } from "./model.ts";

export const MASQ_MARK = "0x4000";

export interface RuleContext {
  names: ChainNames;
  /** Traffic to a cluster IP from outside this CIDR is masqueraded (upstream's --cluster-cidr). */
  clusterCidr?: string;
  /**
   * Upstream's large cluster mode (more than 1,000 endpoints): the per-endpoint rules carry no
   * comments, which makes the rule set smaller and iptables-restore much faster.
   */
  largeCluster?: boolean;
}

/** Beyond this many endpoints in all, rules are written without per-endpoint comments (upstream's threshold). */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/** The rules one Service port contributes. */
export interface PortRules {
  /** The Service port's name ("ns/svc:port"). */
  name: string;
  /** The port's own nat chains and their rules, in write order. */
  chains: Map<string, string[]>;
  natServices: string[];
  natNodePorts: string[];
  filterServices: string[];
  filterExternal: string[];
  filterFirewall: string[];
  /** Everything above as one string: equal text means nothing to rewrite. */
  text: string;
  /** The endpoints traffic may go to (for conntrack clean-up). */
  endpoints: Endpoint[];
}

const q = (s: string) => `"${s}"`;

function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export function portRules(ctx: RuleContext, sp: ServicePort, eps: Endpoint[]): PortRules {
  const { names } = ctx;
  const p = sp.protocol.toLowerCase();
  const proto = `-m ${p} -p ${p}`;
  const { cluster, local, all } = categorize(sp, eps);
  const svc = names.svc(sp.name, p);
  const svl = names.svl(sp.name, p);
  const ext = names.ext(sp.name, p);
  const fw = names.fw(sp.name, p);
  const internalChain = sp.internalLocal ? svl : svc;
  const hasInternal = (sp.internalLocal ? local : cluster).length > 0;
  const hasExternal = (sp.externalLocal ? local : cluster).length > 0;
  const external = isExternallyAccessible(sp);
  const useFw = sp.sourceRanges.length > 0 && sp.loadBalancerIPs.length > 0;
  const r: PortRules = { name: sp.name, chains: new Map(), natServices: [], natNodePorts: [], filterServices: [], filterExternal: [], filterFirewall: [], text: "", endpoints: all };

  // Filtering: what is refused before any NAT.
  let internalFilter = "";
  let externalFilter = "";
  let filterComment = "has no endpoints";
  if (all.length === 0) {
    internalFilter = "REJECT --reject-with icmp-port-unreachable";
    externalFilter = internalFilter;
  } else {
    filterComment = "has no local endpoints";
    if (!hasInternal) internalFilter = "DROP";
    if (!hasExternal) externalFilter = "DROP";
  }
  const cipMatch = `${proto} -d ${sp.clusterIP}/32 --dport ${sp.port}`;
  if (internalFilter) r.filterServices.push(`-A ${names.services} -m comment --comment ${q(`${sp.name} ${filterComment}`)} ${cipMatch} -j ${internalFilter}`);
  if (externalFilter) {
    for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
      r.filterExternal.push(`-A ${names.externalServices} -m comment --comment ${q(`${sp.name} ${filterComment}`)} ${proto} -d ${ip}/32 --dport ${sp.port} -j ${externalFilter}`);
    }
    if (sp.nodePort) r.filterExternal.push(`-A ${names.externalServices} -m comment --comment ${q(`${sp.name} ${filterComment}`)} -m addrtype --dst-type LOCAL ${proto} --dport ${sp.nodePort} -j ${externalFilter}`);
  }
  if (useFw) {
    for (const ip of sp.loadBalancerIPs) {
      r.filterFirewall.push(`-A ${names.firewall} -m comment --comment ${q(`${sp.name} traffic not accepted by ${fw}`)} ${proto} -d ${ip}/32 --dport ${sp.port} -j DROP`);
    }
  }

  // Entry points.
  if (hasInternal) r.natServices.push(`-A ${names.services} -m comment --comment ${q(`${sp.name} cluster IP`)} ${cipMatch} -j ${internalChain}`);
  if (external && hasExternal) {
    for (const ip of sp.externalIPs) r.natServices.push(`-A ${names.services} -m comment --comment ${q(`${sp.name} external IP`)} ${proto} -d ${ip}/32 --dport ${sp.port} -j ${ext}`);
    for (const ip of sp.loadBalancerIPs) r.natServices.push(`-A ${names.services} -m comment --comment ${q(`${sp.name} loadbalancer IP`)} ${proto} -d ${ip}/32 --dport ${sp.port} -j ${useFw ? fw : ext}`);
    if (sp.nodePort) r.natNodePorts.push(`-A ${names.nodePorts} -m comment --comment ${q(sp.name)} ${proto} --dport ${sp.nodePort} -j ${ext}`);
  }

  // Policy chains.
  const masqOffCluster = (chain: string) =>
    ctx.clusterCidr ? [`-A ${chain} -m comment --comment ${q(`${sp.name} cluster IP`)} ${cipMatch} ! -s ${ctx.clusterCidr} -j ${names.markMasq}`] : [];
  if (cluster.length) r.chains.set(svc, [...(sp.internalLocal ? [] : masqOffCluster(svc)), ...endpointJumps(ctx, sp, p, svc, cluster)]);
  if (local.length) r.chains.set(svl, [...(sp.internalLocal ? masqOffCluster(svl) : []), ...endpointJumps(ctx, sp, p, svl, local)]);
  if (external && hasExternal) {
    const rules: string[] = [];
    if (!sp.externalLocal) {
      rules.push(`-A ${ext} -m comment --comment ${q(`masquerade traffic for ${sp.name} external destinations`)} -j ${names.markMasq}`);
    } else {
      if (cluster.length && ctx.clusterCidr) rules.push(`-A ${ext} -m comment --comment ${q(`pod traffic for ${sp.name} external destinations`)} -s ${ctx.clusterCidr} -j ${svc}`);
      rules.push(`-A ${ext} -m comment --comment ${q(`masquerade LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${names.markMasq}`);
      if (cluster.length) rules.push(`-A ${ext} -m comment --comment ${q(`route LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${svc}`);
    }
    rules.push(`-A ${ext} -j ${sp.externalLocal ? svl : svc}`);
    r.chains.set(ext, rules);
    if (useFw) r.chains.set(fw, sp.sourceRanges.map((src) => `-A ${fw} -m comment --comment ${q(`${sp.name} loadbalancer IP`)} -s ${src} -j ${ext}`));
  }
  const sepComment = ctx.largeCluster ? "" : ` -m comment --comment ${q(sp.name)}`;
  for (const ep of all) {
    const sep = names.sep(sp.name, p, `${ep.ip}:${ep.port}`);
    const affinity = sp.affinitySeconds ? ` -m recent --name ${sep} --set` : "";
    r.chains.set(sep, [`-A ${sep}${sepComment} -s ${ep.ip}/32 -j ${names.markMasq}`, `-A ${sep}${sepComment}${affinity} ${proto} -j DNAT --to-destination ${ep.ip}:${ep.port}`]);
  }
  r.text = [...r.natServices, ...r.natNodePorts, ...r.filterServices, ...r.filterExternal, ...r.filterFirewall, ...[...r.chains].map(([c, l]) => `:${c}\n${l.join("\n")}`)].join("\n");
  return r;
}

/** ClientIP affinity checks, then one randomly chosen endpoint. */
function endpointJumps(ctx: RuleContext, sp: ServicePort, p: string, chain: string, eps: Endpoint[]): string[] {
  const lines: string[] = [];
  const seps = eps.map((e) => ({ sep: ctx.names.sep(sp.name, p, `${e.ip}:${e.port}`), comment: ctx.largeCluster ? "" : ` -m comment --comment ${q(`${sp.name} -> ${e.ip}:${e.port}`)}` }));
  if (sp.affinitySeconds) {
    for (const { sep, comment } of seps) lines.push(`-A ${chain}${comment} -m recent --name ${sep} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
  }
  seps.forEach(({ sep, comment }, i) => {
    const left = seps.length - i;
    lines.push(left > 1 ? `-A ${chain}${comment} -m statistic --mode random --probability ${probability(left)} -j ${sep}` : `-A ${chain}${comment} -j ${sep}`);
  });
  return lines;
}

/** The fixed chains' own rules (the per-port rules are appended to them). */
export function fixedRules(ctx: RuleContext): { nat: Record<string, string[]>; filter: Record<string, string[]> } {
  const n = ctx.names;
  return {
    nat: {
      [n.services]: [],
      [n.nodePorts]: [],
      [n.postrouting]: [
        `-A ${n.postrouting} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
        // The mark is cleared so a packet re-traversing this chain (another proxy's) is not masqueraded twice.
        `-A ${n.postrouting} -j MARK --xor-mark ${MASQ_MARK}`,
        `-A ${n.postrouting} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
      ],
      [n.markMasq]: [`-A ${n.markMasq} -j MARK --or-mark ${MASQ_MARK}`],
    },
    filter: {
      [n.services]: [],
      [n.externalServices]: [],
      [n.firewall]: [],
      [n.forward]: [
        `-A ${n.forward} -m conntrack --ctstate INVALID -j DROP`,
        `-A ${n.forward} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
        `-A ${n.forward} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      ],
    },
  };
}

/** The last rule of nat KUBE-SERVICES: anything to a local address may be a node port (not 127/8: no route_localnet). */
export function nodePortsJump(ctx: RuleContext): string {
  const n = ctx.names;
  return `-A ${n.services} -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j ${n.nodePorts}`;
}

export interface JumpRule {
  table: string;
  chain: string;
  rule: string[];
}

/** Jumps from the built-in chains into the proxy's chains (kept first in their chain). */
export function jumpRules(names: ChainNames): JumpRule[] {
  const c = (text: string) => ["-m", "comment", "--comment", text];
  const isNew = ["-m", "conntrack", "--ctstate", "NEW"];
  return [
    { table: "filter", chain: "INPUT", rule: [...isNew, ...c("kubernetes load balancer firewall"), "-j", names.firewall] },
    { table: "filter", chain: "INPUT", rule: [...isNew, ...c("kubernetes externally-visible service portals"), "-j", names.externalServices] },
    { table: "filter", chain: "FORWARD", rule: [...isNew, ...c("kubernetes load balancer firewall"), "-j", names.firewall] },
    { table: "filter", chain: "FORWARD", rule: [...c("kubernetes forwarding rules"), "-j", names.forward] },
    { table: "filter", chain: "FORWARD", rule: [...isNew, ...c("kubernetes service portals"), "-j", names.services] },
    { table: "filter", chain: "FORWARD", rule: [...isNew, ...c("kubernetes externally-visible service portals"), "-j", names.externalServices] },
    { table: "filter", chain: "OUTPUT", rule: [...isNew, ...c("kubernetes load balancer firewall"), "-j", names.firewall] },
    { table: "filter", chain: "OUTPUT", rule: [...isNew, ...c("kubernetes service portals"), "-j", names.services] },
    { table: "nat", chain: "PREROUTING", rule: [...c("kubernetes service portals"), "-j", names.services] },
    { table: "nat", chain: "OUTPUT", rule: [...c("kubernetes service portals"), "-j", names.services] },
    { table: "nat", chain: "POSTROUTING", rule: [...c("kubernetes postrouting rules"), "-j", names.postrouting] },
  ];
}
