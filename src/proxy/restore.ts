/**
 * One sync as iptables-restore input: both tables, the fixed chains always rewritten, the
 * per-port chains only when their rules changed (or on a full sync), stale chains flushed and
 * deleted in the same transaction (after nothing jumps to them any more).
 */
import { fixedRules, nodePortsJump, type PortRules, type RuleContext } from "./rules.ts";

export interface RestorePlan {
  text: string;
  /** Per-port chains written this time. */
  written: number;
  /** Chains deleted this time. */
  deleted: number;
}

/**
 * `ports` are every port's rules now; `rewrite` says which ports' chains to write (all on a full
 * sync); `stale` are chains to delete.
 */
export function buildRestore(ctx: RuleContext, ports: PortRules[], rewrite: (p: PortRules) => boolean, stale: Iterable<string>): RestorePlan {
  const fixed = fixedRules(ctx);
  const out: string[] = ["*filter"];
  for (const chain of Object.keys(fixed.filter)) out.push(`:${chain} - [0:0]`);
  for (const lines of Object.values(fixed.filter)) out.push(...lines);
  for (const p of ports) out.push(...p.filterServices);
  for (const p of ports) out.push(...p.filterExternal);
  for (const p of ports) out.push(...p.filterFirewall);
  out.push("COMMIT", "*nat");
  for (const chain of Object.keys(fixed.nat)) out.push(`:${chain} - [0:0]`);
  const chosen = ports.filter(rewrite);
  let written = 0;
  for (const p of chosen) {
    for (const chain of p.chains.keys()) {
      out.push(`:${chain} - [0:0]`);
      written++;
    }
  }
  const gone = [...stale];
  for (const chain of gone) out.push(`:${chain} - [0:0]`);
  for (const lines of Object.values(fixed.nat)) out.push(...lines);
  for (const p of ports) out.push(...p.natServices);
  out.push(nodePortsJump(ctx));
  for (const p of ports) out.push(...p.natNodePorts);
  for (const p of chosen) for (const lines of p.chains.values()) out.push(...lines);
  for (const chain of gone) out.push(`-X ${chain}`);
  out.push("COMMIT", "");
  return { text: out.join("\n"), written, deleted: gone.length };
}
