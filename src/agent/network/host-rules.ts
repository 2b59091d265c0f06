/**
 * The node's iptables rules for the pod network (flannel's FORWARD and POSTROUTING rules):
 *   filter <P>-POD-FORWARD: forward anything from or to the cluster CIDR. Docker's FORWARD policy
 *     is DROP and its isolation rules drop traffic between bridges; the jump sits first in FORWARD
 *     and in DOCKER-USER, which Docker keeps ahead of its own rules.
 *   nat <P>-POD-MASQ: pod-to-pod traffic (also across nodes) keeps its addresses; what leaves the
 *     cluster from this node's pods is masqueraded to the node's address.
 * <P> is "KTS" unless several nodes share one network namespace (tests).
 */
import type { Iptables } from "../../iptables/index.ts";

export interface PodNetworkChains {
  forward: string;
  masquerade: string;
}

export function podNetworkChains(prefix: string): PodNetworkChains {
  return { forward: `${prefix}-POD-FORWARD`, masquerade: `${prefix}-POD-MASQ` };
}

const COMMENT = ["-m", "comment", "--comment", "kts pod network"];

function jumps(chains: PodNetworkChains, dockerUser: boolean): Array<{ table: string; chain: string; rule: string[] }> {
  return [
    { table: "filter", chain: "FORWARD", rule: [...COMMENT, "-j", chains.forward] },
    ...(dockerUser ? [{ table: "filter", chain: "DOCKER-USER", rule: [...COMMENT, "-j", chains.forward] }] : []),
    { table: "nat", chain: "POSTROUTING", rule: [...COMMENT, "-j", chains.masquerade] },
  ];
}

/** Writes both chains in one iptables-restore and makes sure the jumps into them exist. */
export async function ensurePodNetworkRules(ipt: Iptables, chains: PodNetworkChains, cidrs: { cluster: string; pod: string }): Promise<void> {
  const c = `-m comment --comment "kts pod network"`;
  await ipt.restore(
    [
      "*filter",
      `:${chains.forward} - [0:0]`,
      `-A ${chains.forward} -s ${cidrs.cluster} ${c} -j ACCEPT`,
      `-A ${chains.forward} -d ${cidrs.cluster} ${c} -j ACCEPT`,
      "COMMIT",
      "*nat",
      `:${chains.masquerade} - [0:0]`,
      `-A ${chains.masquerade} -s ${cidrs.cluster} -d ${cidrs.cluster} -m comment --comment "kts pod network: pod to pod" -j RETURN`,
      `-A ${chains.masquerade} -s ${cidrs.pod} -d 224.0.0.0/4 ${c} -j RETURN`,
      `-A ${chains.masquerade} -s ${cidrs.pod} -m comment --comment "kts pod network: leaving the cluster" -j MASQUERADE --random-fully`,
      "COMMIT",
      "",
    ].join("\n"),
  );
  const dockerUser = await ipt.chainExists("filter", "DOCKER-USER");
  for (const j of jumps(chains, dockerUser)) await ipt.ensureRule("first", j.table, j.chain, j.rule);
}

/** Removes the jumps and both chains (tests; a node being uninstalled). */
export async function removePodNetworkRules(ipt: Iptables, chains: PodNetworkChains): Promise<void> {
  for (const j of jumps(chains, true)) await ipt.deleteRule(j.table, j.chain, j.rule);
  await ipt.deleteChain("filter", chains.forward);
  await ipt.deleteChain("nat", chains.masquerade);
}
