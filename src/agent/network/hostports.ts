/**
 * hostPorts on kts's pod network, as the CNI portmap plugin maps them (Docker no longer publishes
 * them: its sandboxes have no Docker networking):
 *   nat <P>-HOSTPORTS, jumped to from PREROUTING and OUTPUT for packets to a local address: per
 *     hostPort, a DNAT to podIP:containerPort (`-d hostIP` when the pod names one), preceded by
 *     two marking rules for the connections that must be masqueraded: hairpin (the pod to its own
 *     hostPort: its reply would otherwise go straight back to itself) and from 127.0.0.0/8 (a
 *     loopback source cannot leave through the bridge; route_localnet on the bridge lets it be
 *     routed there, bridge.ts);
 *   nat <P>-HOSTPORTS-MASQ, jumped to from POSTROUTING: masquerades what carries the mark.
 * The whole chain is rewritten (iptables-restore --noflush) when the set of mappings changes; a
 * newer pod's rule comes first, so when two running pods claim one hostPort the newer one wins.
 */
import type { Iptables } from "../../iptables/index.ts";

/** One hostPort of a pod (from its containers' ports). */
export interface HostPortMapping {
  hostPort: number;
  containerPort: number;
  /** TCP, UDP or SCTP. */
  protocol: string;
  hostIP?: string;
}

/** A running sandbox's hostPorts. */
export interface SandboxPorts {
  /** namespace/name, for the rules' comments. */
  pod: string;
  ip: string;
  /** Creation time (ordering: newer first). */
  created: number;
  ports: HostPortMapping[];
}

export interface HostPortChains {
  dnat: string;
  masq: string;
}

/** The mark of connections to masquerade (portmap's default bit 13; the service proxy uses 0x4000). */
export const HOSTPORT_MASQ_MARK = "0x2000";

export function hostPortChains(prefix: string): HostPortChains {
  return { dnat: `${prefix}-HOSTPORTS`, masq: `${prefix}-HOSTPORTS-MASQ` };
}

const COMMENT = ["-m", "comment", "--comment", "kts hostports"];

function jumps(chains: HostPortChains): Array<{ chain: string; rule: string[] }> {
  const local = ["-m", "addrtype", "--dst-type", "LOCAL", ...COMMENT, "-j", chains.dnat];
  return [
    { chain: "PREROUTING", rule: local },
    { chain: "OUTPUT", rule: local },
    { chain: "POSTROUTING", rule: [...COMMENT, "-j", chains.masq] },
  ];
}

/** The hostPorts' parsed form of a sandbox label; bad entries are dropped. */
export function parseHostPorts(label: string | undefined): HostPortMapping[] {
  if (!label) return [];
  try {
    const list = JSON.parse(label) as HostPortMapping[];
    return Array.isArray(list) ? list.filter((m) => Number.isInteger(m?.hostPort) && Number.isInteger(m?.containerPort)) : [];
  } catch {
    return [];
  }
}

/** The iptables-restore text for both chains. */
export function renderHostPorts(chains: HostPortChains, sandboxes: SandboxPorts[]): string {
  const lines = ["*nat", `:${chains.dnat} - [0:0]`, `:${chains.masq} - [0:0]`];
  const mark = `-j MARK --set-xmark ${HOSTPORT_MASQ_MARK}/${HOSTPORT_MASQ_MARK}`;
  for (const sb of [...sandboxes].sort((a, b) => b.created - a.created || a.pod.localeCompare(b.pod))) {
    for (const m of sb.ports) {
      const proto = m.protocol.toLowerCase();
      const dst = m.hostIP && m.hostIP !== "0.0.0.0" ? ` -d ${m.hostIP}/32` : "";
      const match = `-p ${proto} -m ${proto} --dport ${m.hostPort}${dst}`;
      const comment = `-m comment --comment "${sb.pod} hostPort ${m.hostPort}/${proto}"`;
      lines.push(`-A ${chains.dnat} ${match} -s ${sb.ip}/32 ${comment} ${mark}`);
      lines.push(`-A ${chains.dnat} ${match} -s 127.0.0.0/8 ${comment} ${mark}`);
      lines.push(`-A ${chains.dnat} ${match} ${comment} -j DNAT --to-destination ${sb.ip}:${m.containerPort}`);
    }
  }
  lines.push(`-A ${chains.masq} -m mark --mark ${HOSTPORT_MASQ_MARK}/${HOSTPORT_MASQ_MARK} -m comment --comment "kts hostports" -j MASQUERADE`);
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** Writes the chains (only when they changed) and keeps the jumps into them; calls never overlap. */
export class HostPortRules {
  private written: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ipt: Iptables,
    readonly chains: HostPortChains,
  ) {}

  /** Makes the chains hold exactly these sandboxes' mappings. */
  sync(sandboxes: SandboxPorts[], opts: { jumps?: boolean } = {}): Promise<void> {
    const run = this.queue.then(async () => {
      const text = renderHostPorts(this.chains, sandboxes);
      if (text !== this.written) {
        this.written = undefined;
        await this.ipt.restore(text);
        this.written = text;
      }
      if (opts.jumps) for (const j of jumps(this.chains)) await this.ipt.ensureRule("first", "nat", j.chain, j.rule);
    });
    this.queue = run.catch(() => {});
    return run;
  }
}

/** Removes the jumps and both chains (node clean-up). */
export async function removeHostPortRules(ipt: Iptables, chains: HostPortChains): Promise<void> {
  for (const j of jumps(chains)) await ipt.deleteRule("nat", j.chain, j.rule);
  for (const chain of [chains.dnat, chains.masq]) await ipt.deleteChain("nat", chain);
}
