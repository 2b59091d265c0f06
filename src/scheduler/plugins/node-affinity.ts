/**
 * NodeAffinity: the pod's nodeSelector and required node affinity rule nodes out; a
 * metadata.name matchFields term narrows the search to the named nodes at PreFilter. Preferred
 * terms add their weight to the nodes they match.
 */
import type { ClusterEvent, CycleState, FilterPlugin, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { compileNodeSelectorTerm, type NodeMatch, requiredNodeAffinity, type RequiredNodeAffinity } from "../selectors.ts";
import { Code, constantRejection, type Result, SKIP, Status } from "../status.ts";
import { defaultNormalizeScore } from "./normalize.ts";

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const ERR_REASON_CONFLICT = "pod affinity terms conflict";
const PREFILTER_KEY = "PreFilterNodeAffinity";
/** How many distinct node constraints keep a per-node result cache. */
const MEMO_SPECS = 256;

/** A pod's required node constraints with each node's answer kept until the node's labels change. */
interface MemoizedAffinity {
  required: RequiredNodeAffinity;
  results: Map<NodeInfo, { labels: object; fits: boolean }>;
}
const REJECTED = constantRejection("NodeAffinity", Code.UnschedulableAndUnresolvable, ERR_REASON_POD);
const PRESCORE_KEY = "PreScoreNodeAffinity";

interface Preferred {
  weight: number;
  match: NodeMatch;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = "NodeAffinity";
  /** Pods of one workload share their constraints: their per-node answers are computed once. */
  private readonly memo = new Map<string, MemoizedAffinity>();
  readonly events: ClusterEvent[] = ["Node/Add", "Node/UpdateNodeLabel", "Node/UpdateNodeTaint"];

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult | Result {
    const required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const selector = pod.pod.spec?.nodeSelector;
    if (!required && !selector) return SKIP;
    const key = JSON.stringify([selector ?? null, required ?? null]);
    let memo = this.memo.get(key);
    if (!memo) {
      if (this.memo.size >= MEMO_SPECS) this.memo.clear();
      this.memo.set(key, (memo = { required: requiredNodeAffinity(pod.pod), results: new Map() }));
    }
    state.write(PREFILTER_KEY, memo);
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return null;
    // Terms naming nodes with matchFields metadata.name In narrow the search; terms are ORed, requirements ANDed.
    let names: Set<string> | undefined;
    for (const t of terms) {
      let termNames: Set<string> | undefined;
      for (const r of t.matchFields ?? []) {
        if (r.key !== "metadata.name" || r.operator !== "In") continue;
        const s = new Set(r.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
      }
      if (!termNames) return null;
      names = names ? new Set([...names, ...termNames]) : termNames;
    }
    if (names && names.size === 0) return Status.unresolvable(ERR_REASON_CONFLICT);
    return { status: null, nodeNames: names };
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Result {
    const memo = state.read<MemoizedAffinity>(PREFILTER_KEY);
    if (!memo || !node.node) return null;
    let r = memo.results.get(node);
    if (!r || r.labels !== node.labels) memo.results.set(node, (r = { labels: node.labels, fits: memo.required.match(node.node) }));
    return r.fits ? null : REJECTED;
  }

  preScore(state: CycleState, pod: PodInfo): Result {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (preferred.length === 0) return SKIP;
    const terms: Preferred[] = preferred.filter((p) => p.weight !== 0).map((p) => ({ weight: p.weight, match: compileNodeSelectorTerm(p.preference) }));
    state.write(PRESCORE_KEY, terms);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const terms = state.read<Preferred[]>(PRESCORE_KEY) ?? [];
    let sum = 0;
    for (const t of terms) if (node.node && t.match(node.node)) sum += t.weight;
    return sum;
  }

  normalize(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, false);
  }
}
