/**
 * Removing every rule and chain of a proxy prefix (kube-proxy --cleanup): the jumps from the
 * built-in chains, then its chains, in one iptables-restore per table.
 */
import type { Iptables } from "../iptables/index.ts";
import { ChainNames } from "./names.ts";

export async function cleanupProxyRules(ipt: Iptables, prefix = "KUBE"): Promise<number> {
  const names = new ChainNames(prefix);
  let removed = 0;
  for (const table of ["filter", "nat"]) {
    const saved = (await ipt.save(table)).split("\n");
    const ours = saved.filter((l) => l.startsWith(":")).map((l) => l.slice(1).split(" ")[0]!).filter((c) => names.isOwn(c));
    if (ours.length === 0) continue;
    const own = new Set(ours);
    const jumps = saved.filter((l) => {
      if (!l.startsWith("-A ")) return false;
      const chain = l.split(" ")[1]!;
      const target = / -j (\S+)/.exec(l)?.[1];
      return !own.has(chain) && target !== undefined && own.has(target);
    });
    const text = [`*${table}`, ...ours.map((c) => `:${c} - [0:0]`), ...jumps.map((l) => `-D ${l.slice(3)}`), ...ours.map((c) => `-X ${c}`), "COMMIT", ""].join("\n");
    await ipt.restore(text);
    removed += ours.length;
  }
  return removed;
}
