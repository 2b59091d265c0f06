/**
 * One sync as iptables-restore input: both tables, the fixed chains always rewritten, the
 * per-port chains only when their rules changed (or on a full sync), stale chains flushed and
 * deleted in the same transaction (after nothing jumps to them any more).
 */
import { fixedRules, nodePortsJump, type JumpRule, type PortRules, type RuleContext } from "./rules.ts";

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
export function buildRestore(ctx: RuleContext, ports: PortRules[], rewrite: (p: PortRules) => boolean, stale: Iterable<string>, jumps: JumpRule[] = []): RestorePlan {
  const fixed = fixedRules(ctx);
  const out: string[] = ["*filter"];
  for (const chain of Object.keys(fixed.filter)) out.push(`:${chain} - [0:0]`);
  for (const lines of Object.values(fixed.filter)) out.push(...lines);
  for (const p of ports) out.push(...p.filterServices);
  for (const p of ports) out.push(...p.filterExternal);
  for (const p of ports) out.push(...p.filterFirewall);
  out.push(...insertions(jumps, "filter"), "COMMIT", "*nat");
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
  out.push(...insertions(jumps, "nat"));
  for (const chain of gone) out.push(`-X ${chain}`);
  out.push("COMMIT", "");
  return { text: out.join("\n"), written, deleted: gone.length };
}

/** Missing jumps from built-in chains, inserted at their top within the same transaction. */
function insertions(jumps: JumpRule[], table: string): string[] {
  const word = (w: string) => (/[\s"]/.test(w) ? `"${w.replace(/"/g, '\\"')}"` : w);
  return jumps.filter((j) => j.table === table).map((j) => `-I ${j.chain} 1 ${j.rule.map(word).join(" ")}`);
}

/**
 * The per-port chains of a full sync as several nat-table restores of about `maxChains` chains
 * each, every port's chains together. iptables-nft-restore 1.8 slows down with the square of the
 * chains named in one call (about 5 s for 11,000 chains here, against under 1 s in chunks of
 * 1,000), so a large full sync on that backend writes the chains in chunks first and then the
 * entry chains (buildRestore with nothing to rewrite). Every intermediate state is whole: a port's
 * new chains all land together and only refer to each other and the fixed chains, the entry rules
 * still point at chains that exist, and stale chains go last.
 */
export function buildChainChunks(ports: PortRules[], maxChains: number): string[] {
  const chunks: string[] = [];
  let decl: string[] = [];
  let rules: string[] = [];
  const flush = () => {
    if (decl.length) chunks.push(["*nat", ...decl, ...rules, "COMMIT", ""].join("\n"));
    decl = [];
    rules = [];
  };
  for (const p of ports) {
    if (decl.length > 0 && decl.length + p.chains.size > maxChains) flush();
    for (const [chain, lines] of p.chains) {
      decl.push(`:${chain} - [0:0]`);
      rules.push(...lines);
    }
  }
  flush();
  return chunks;
}
