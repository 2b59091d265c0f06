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
  const declared: string[] = [];
  for (const p of chosen) for (const chain of p.chains.keys()) declared.push(chain);
  const written = declared.length;
  const gone = [...stale];
  const decl = declarations([...declared, ...gone]);
  if (decl) out.push(decl.slice(0, -1));
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
 * still point at chains that exist, and stale chains go last. The first chunk (re)writes
 * KUBE-MARK-MASQ, which the others jump to.
 */
export function buildChainChunks(ctx: RuleContext, ports: PortRules[], maxChains: number): string[] {
  const chunks: string[] = [];
  const markMasq = ctx.names.markMasq;
  let decl: string[] = [];
  let rules: string[] = [];
  const flush = () => {
    if (decl.length === 0) return;
    const head = chunks.length === 0 ? `*nat\n:${markMasq} - [0:0]\n${fixedRules(ctx).nat[markMasq]!.join("\n")}\n` : "*nat\n";
    chunks.push(`${head}${declarations(decl)}${rules.join("\n")}\nCOMMIT\n`);
    decl = [];
    rules = [];
  };
  for (const p of ports) {
    if (decl.length > 0 && decl.length + p.chains.size > maxChains) flush();
    for (const [chain, lines] of p.chains) {
      decl.push(chain);
      for (const l of lines) rules.push(l);
    }
  }
  flush();
  return chunks;
}

/**
 * `:<chain> - [0:0]` lines in descending name order. iptables-nft-restore 1.8 keeps the chains a
 * call names in lists sorted by name, inserting each by a scan from the head: names declared in
 * descending order are found at the head, where any other order costs a scan of the list per
 * declaration (11,000 chains: 60 ms against 480 ms).
 */
function declarations(chains: string[]): string {
  if (chains.length === 0) return "";
  chains.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return `:${chains.join(" - [0:0]\n:")} - [0:0]\n`;
}
