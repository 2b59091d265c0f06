/**
 * InterPodAffinity: required pod affinity (the node's topology domain must already hold a
 * matching pod), required anti-affinity (it must hold none), and the anti-affinity of pods already
 * placed (the incoming pod must not land in a domain whose pods exclude it). Counts per topology
 * pair are computed once per pod at PreFilter; Filter only looks them up. Preferred terms, of the
 * incoming pod and of existing pods, score domains up or down by their weights.
 */
import type { Labels } from "../api.ts";
import type { ClusterEvent, CycleState, FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import { type AffinityTerm, type PodInfo, termMatches } from "../pod-info.ts";
import { Code, constantRejection, type Result, SKIP } from "../status.ts";

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

const PREFILTER_KEY = "PreFilterInterPodAffinity";
const REJECT_AFFINITY = constantRejection("InterPodAffinity", Code.UnschedulableAndUnresolvable, ERR_REASON_AFFINITY);
const REJECT_ANTI_AFFINITY = constantRejection("InterPodAffinity", Code.Unschedulable, ERR_REASON_ANTI_AFFINITY);
const REJECT_EXISTING = constantRejection("InterPodAffinity", Code.Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY);
const PRESCORE_KEY = "PreScoreInterPodAffinity";
/** upstream's default hardPodAffinityWeight: existing pods' required affinity counts as a preference of this weight. */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** Matched-term counts per topology pair (upstream's topologyToMatchedTermCount), as key → value → count. */
class PairCounts {
  readonly byKey = new Map<string, Map<string, number>>();
  size = 0;

  update(labels: Labels, key: string, by: number): void {
    const value = labels[key];
    if (value === undefined) return;
    let values = this.byKey.get(key);
    if (!values) this.byKey.set(key, (values = new Map()));
    const before = values.get(value) ?? 0;
    const n = before + by;
    if (n === 0) {
      values.delete(value);
      this.size--;
      if (values.size === 0) this.byKey.delete(key);
    } else {
      if (before === 0) this.size++;
      values.set(value, n);
    }
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  clone(): PairCounts {
    const c = new PairCounts();
    for (const [k, values] of this.byKey) c.byKey.set(k, new Map(values));
    c.size = this.size;
    return c;
  }
}

class PreFilterState {
  constructor(
    readonly affinity: AffinityTerm[],
    readonly antiAffinity: AffinityTerm[],
    readonly nsLabels: Labels | undefined,
    readonly existingAntiAffinity = new PairCounts(),
    readonly affinityCounts = new PairCounts(),
    readonly antiAffinityCounts = new PairCounts(),
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(this.affinity, this.antiAffinity, this.nsLabels, this.existingAntiAffinity.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone());
  }

  /** Counts `other` in (by = 1) or out (by = -1) of the node's domains. */
  updateWithPod(pod: PodInfo, other: PodInfo, labels: Labels, by: number): void {
    for (const t of other.requiredAntiAffinity) if (termMatches(t, pod, this.nsLabels)) this.existingAntiAffinity.update(labels, t.topologyKey, by);
    if (this.affinity.length > 0 && matchesAll(this.affinity, other)) for (const t of this.affinity) this.affinityCounts.update(labels, t.topologyKey, by);
    for (const t of this.antiAffinity) if (termMatches(t, other, undefined)) this.antiAffinityCounts.update(labels, t.topologyKey, by);
  }
}

function matchesAll(terms: AffinityTerm[], pod: PodInfo): boolean {
  for (const t of terms) if (!termMatches(t, pod, undefined)) return false;
  return true;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = "InterPodAffinity";
  readonly events: ClusterEvent[] = ["AssignedPod/Add", "AssignedPod/UpdatePodLabel", "AssignedPod/Delete", "Node/Add", "Node/UpdateNodeLabel", "Namespace/Add", "Namespace/UpdateNamespaceLabel"];

  constructor(private readonly handle: Handle) {}

  /** The incoming pod's terms with their namespaceSelector resolved into namespace names (upstream merges them the same way). */
  private merged<T extends AffinityTerm>(terms: T[]): T[] {
    return terms.map((t) => {
      if (!t.namespaceSelector || t.namespaceSelector.everything) return t;
      const namespaces = new Set([...t.namespaces, ...this.handle.namespacesMatching(t.namespaceSelector)]);
      return { ...t, namespaces, namespaceSelector: null };
    });
  }

  preFilter(state: CycleState, pod: PodInfo): Result {
    const cache = this.handle.cache;
    const nsLabels = this.handle.namespaceLabels(pod.namespace);
    const s = new PreFilterState(this.merged(pod.requiredAffinity), this.merged(pod.requiredAntiAffinity), nsLabels);
    // Placed pods whose anti-affinity excludes this pod (looked up by this pod's labels, not scanned).
    for (const placed of cache.antiAffinityTermsFor(pod.labels)) {
      const node = cache.getNode(placed.node);
      if (node && termMatches(placed.term, pod, nsLabels)) s.existingAntiAffinity.update(node.labels, placed.term.topologyKey, 1);
    }
    // Placed pods matching this pod's own terms (candidates found by the terms' labels).
    if (s.affinity.length > 0) {
      for (const c of cache.candidates(s.affinity[0]!.selector)) {
        const node = cache.getNode(c.node);
        if (node && matchesAll(s.affinity, c.info)) for (const t of s.affinity) s.affinityCounts.update(node.labels, t.topologyKey, 1);
      }
    }
    for (const t of s.antiAffinity) {
      for (const c of cache.candidates(t.selector)) {
        const node = cache.getNode(c.node);
        if (node && termMatches(t, c.info, undefined)) s.antiAffinityCounts.update(node.labels, t.topologyKey, 1);
      }
    }
    if (s.existingAntiAffinity.size === 0 && s.affinity.length === 0 && s.antiAffinity.length === 0) return SKIP;
    state.write(PREFILTER_KEY, s);
    return null;
  }

  addPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): void {
    state.read<PreFilterState>(PREFILTER_KEY)?.updateWithPod(pod, toAdd, node.labels, 1);
  }

  removePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): void {
    state.read<PreFilterState>(PREFILTER_KEY)?.updateWithPod(pod, toRemove, node.labels, -1);
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return null;
    if (!satisfiesAffinity(s, pod, node.labels)) return REJECT_AFFINITY;
    if (s.antiAffinityCounts.size > 0) {
      for (const t of s.antiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return REJECT_ANTI_AFFINITY;
      }
    }
    if (s.existingAntiAffinity.size > 0) {
      for (const [key, values] of s.existingAntiAffinity.byKey) {
        const v = node.labels[key];
        if (v !== undefined && (values.get(v) ?? 0) > 0) return REJECT_EXISTING;
      }
    }
    return null;
  }

  // -------------------------------------------------------------- scoring

  preScore(state: CycleState, pod: PodInfo): Result {
    const cache = this.handle.cache;
    const preferredAffinity = this.merged(pod.preferredAffinity);
    const preferredAnti = this.merged(pod.preferredAntiAffinity);
    const nsLabels = this.handle.namespaceLabels(pod.namespace);
    const scores = new Map<string, Map<string, number>>();
    const add = (term: AffinityTerm, weight: number, target: PodInfo, labels: Labels, targetNs: Labels | undefined) => {
      if (!termMatches(term, target, targetNs)) return;
      const value = labels[term.topologyKey];
      if (value === undefined) return;
      let byValue = scores.get(term.topologyKey);
      if (!byValue) scores.set(term.topologyKey, (byValue = new Map()));
      byValue.set(value, (byValue.get(value) ?? 0) + weight);
    };
    // The incoming pod's preferences, over the placed pods they may match.
    for (const [terms, sign] of [
      [preferredAffinity, 1],
      [preferredAnti, -1],
    ] as const) {
      for (const t of terms) {
        for (const c of cache.candidates(t.selector)) {
          const node = cache.getNode(c.node);
          if (node) add(t, sign * t.weight, c.info, node.labels, undefined);
        }
      }
    }
    // Placed pods' terms about the incoming pod: required affinity weighs as a preference of weight 1.
    for (const c of cache.scoringAffinityPods) {
      const node = cache.getNode(c.node);
      if (!node) continue;
      const existing = c.info;
      for (const t of existing.requiredAffinity) add(t, HARD_POD_AFFINITY_WEIGHT, pod, node.labels, nsLabels);
      for (const t of existing.preferredAffinity) add(t, t.weight, pod, node.labels, nsLabels);
      for (const t of existing.preferredAntiAffinity) add(t, -t.weight, pod, node.labels, nsLabels);
    }
    if (scores.size === 0) return SKIP;
    state.write(PRESCORE_KEY, scores);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.read<Map<string, Map<string, number>>>(PRESCORE_KEY);
    if (!scores) return 0;
    let sum = 0;
    for (const [key, byValue] of scores) {
      const v = node.labels[key];
      if (v !== undefined) sum += byValue.get(v) ?? 0;
    }
    return sum;
  }

  /** Min-max scaling to 0..100. */
  normalize(_s: CycleState, _p: PodInfo, scores: number[]): void {
    let max = -Infinity;
    let min = Infinity;
    for (const s of scores) {
      if (s > max) max = s;
      if (s < min) min = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i]! - min) / diff)) : 0;
  }
}

/** upstream's satisfyPodAffinity, including the first-pod-of-a-series exception. */
function satisfiesAffinity(s: PreFilterState, pod: PodInfo, labels: Labels): boolean {
  let podsExist = true;
  for (const t of s.affinity) {
    const v = labels[t.topologyKey];
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.size === 0 && matchesAll(s.affinity, pod);
}
