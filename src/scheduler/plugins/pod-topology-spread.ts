/**
 * PodTopologySpread: topologySpreadConstraints. DoNotSchedule constraints are a filter — placing
 * the pod in a domain may not make its matching-pod count exceed the smallest domain's by more
 * than maxSkew (the smallest counts as 0 while fewer than minDomains domains exist); ScheduleAnyway
 * constraints score nodes in emptier domains higher. Which nodes form domains follows
 * nodeAffinityPolicy (Honor by default) and nodeTaintsPolicy (Ignore by default); matchLabelKeys
 * add the pod's own label values to the selector. Pods without constraints that belong to a
 * Service, ReplicationController, ReplicaSet or StatefulSet get upstream's system defaults
 * (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway).
 */
import type { Labels, Node, Pod, TopologySpreadConstraint } from "../api.ts";
import { LABEL_HOSTNAME, LABEL_ZONE } from "../api.ts";
import type { ClusterEvent, CycleState, FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { compileLabelMap, compileLabelSelector, isNoScheduleOrNoExecute, type LabelMatcher, requiredNodeAffinity, type RequiredNodeAffinity, untoleratedTaint } from "../selectors.ts";
import { Code, constantRejection, type Result, SKIP } from "../status.ts";

export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL = `${ERR_REASON_CONSTRAINTS} (missing required label)`;

const PREFILTER_KEY = "PreFilterPodTopologySpread";
const REJECT_LABEL = constantRejection("PodTopologySpread", Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL);
const REJECT_SKEW = constantRejection("PodTopologySpread", Code.Unschedulable, ERR_REASON_CONSTRAINTS);
const PRESCORE_KEY = "PreScorePodTopologySpread";
const MAX_INT32 = 2 ** 31 - 1;

const SYSTEM_DEFAULTS: TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 5 },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelMatcher;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

interface Path {
  value: string;
  num: number;
}

/** The two domains with the fewest matching pods (upstream's criticalPaths). */
function updatePaths(p: [Path, Path], value: string, num: number): void {
  const i = value === p[0].value ? 0 : value === p[1].value ? 1 : -1;
  if (i >= 0) {
    p[i as 0 | 1].num = num;
    if (p[0].num > p[1].num) [p[0], p[1]] = [p[1], p[0]];
  } else if (num < p[0].num) {
    p[1] = p[0];
    p[0] = { value, num };
  } else if (num < p[1].num) {
    p[1] = { value, num };
  }
}

class PreFilterState {
  constructor(
    readonly constraints: Constraint[],
    readonly required: RequiredNodeAffinity,
    readonly counts: Array<Map<string, number>>,
    readonly paths: Array<[Path, Path]>,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(
      this.constraints,
      this.required,
      this.counts.map((m) => new Map(m)),
      this.paths.map(([a, b]) => [{ ...a }, { ...b }] as [Path, Path]),
    );
  }
}

interface PreScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  /** Per constraint: domain value → matching pods (hostname constraints are counted per node at Score). */
  counts: Array<Map<string, number>>;
  weights: number[];
}

function hasAllKeys(labels: Labels, constraints: Constraint[]): boolean {
  for (const c of constraints) if (!(c.topologyKey in labels)) return false;
  return true;
}

/** Pods of the namespace matching the selector, terminating pods left out (upstream's countPodsMatchSelector). */
function countMatching(pods: PodInfo[], selector: LabelMatcher, namespace: string): number {
  if (selector.everything) return 0;
  let n = 0;
  for (const p of pods) if (!p.terminating && p.namespace === namespace && selector.matches(p.labels)) n++;
  return n;
}

/** Whether the node counts as part of the constraint's domains for this pod (nodeAffinityPolicy / nodeTaintsPolicy). */
function includesNode(c: Constraint, pod: Pod, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.honorNodeAffinity && !required.match(node)) return false;
  if (c.honorTaints && untoleratedTaint(node.spec?.taints, pod.spec?.tolerations, isNoScheduleOrNoExecute)) return false;
  return true;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = "PodTopologySpread";
  readonly events: ClusterEvent[] = ["AssignedPod/Add", "AssignedPod/UpdatePodLabel", "AssignedPod/Delete", "Node/Add", "Node/Delete", "Node/UpdateNodeLabel", "Node/UpdateNodeTaint"];

  constructor(private readonly handle: Handle) {}

  private compile(constraints: TopologySpreadConstraint[], labels: Labels, action: string): Constraint[] {
    const out: Constraint[] = [];
    for (const c of constraints) {
      if (c.whenUnsatisfiable !== action) continue;
      const extra: Labels = {};
      for (const key of c.matchLabelKeys ?? []) if (key in labels) extra[key] = labels[key]!;
      out.push({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector: compileLabelSelector(c.labelSelector, extra),
        minDomains: c.minDomains ?? 1,
        honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
        honorTaints: (c.nodeTaintsPolicy ?? "Ignore") === "Honor",
      });
    }
    return out;
  }

  private constraintsFor(pod: PodInfo, action: string): Constraint[] {
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    if (own.length > 0) return this.compile(own, pod.labels, action);
    const defaults = this.compile(SYSTEM_DEFAULTS, pod.labels, action);
    if (defaults.length === 0) return [];
    const selector = this.defaultSelector(pod);
    if (!selector) return [];
    return defaults.map((c) => ({ ...c, selector }));
  }

  /** upstream's helper.DefaultSelector: the selectors of the pod's Services and of its controlling RC, ReplicaSet or StatefulSet. */
  private defaultSelector(pod: PodInfo): LabelMatcher | undefined {
    const matchers: LabelMatcher[] = [];
    for (const svc of this.handle.lister("services").list(pod.namespace) as Array<{ spec?: { selector?: Labels } }>) {
      const sel = svc.spec?.selector;
      if (!sel || Object.keys(sel).length === 0) continue;
      const m = compileLabelMap(sel);
      if (m.matches(pod.labels)) matchers.push(m);
    }
    const owner = pod.pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (owner) {
      const kind = `${owner.apiVersion}/${owner.kind}`;
      if (kind === "v1/ReplicationController") {
        const rc = this.handle.lister("replicationcontrollers").get(pod.namespace, owner.name) as { spec?: { selector?: Labels } } | undefined;
        if (rc?.spec?.selector) matchers.push(compileLabelMap(rc.spec.selector));
      } else if (kind === "apps/v1/ReplicaSet" || kind === "apps/v1/StatefulSet") {
        const kindName = kind === "apps/v1/ReplicaSet" ? "replicasets" : "statefulsets";
        const obj = this.handle.lister(kindName).get(pod.namespace, owner.name) as { spec?: { selector?: Parameters<typeof compileLabelSelector>[0] } } | undefined;
        if (obj?.spec?.selector) {
          const m = compileLabelSelector(obj.spec.selector);
          if (!m.nothing && !m.everything) matchers.push(m);
        }
      }
    }
    if (matchers.length === 0) return undefined;
    if (matchers.length === 1) return matchers[0];
    return { matches: (l) => matchers.every((m) => m.matches(l)), everything: false, nothing: false, hints: matchers[0]!.hints };
  }

  // -------------------------------------------------------------- filter

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Result {
    const constraints = this.constraintsFor(pod, "DoNotSchedule");
    if (constraints.length === 0) return SKIP;
    const required = requiredNodeAffinity(pod.pod);
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of nodes) {
      if (!node.node || !hasAllKeys(node.labels, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!includesNode(c, pod.pod, node.node!, required)) return;
        const value = node.labels[c.topologyKey]!;
        counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + countMatching(node.pods, c.selector, pod.namespace));
      });
    }
    const paths = counts.map((m) => {
      const p: [Path, Path] = [
        { value: "", num: MAX_INT32 },
        { value: "", num: MAX_INT32 },
      ];
      for (const [value, num] of m) updatePaths(p, value, num);
      return p;
    });
    state.write(PREFILTER_KEY, new PreFilterState(constraints, required, counts, paths));
    return null;
  }

  private updateWithPod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s || other.namespace !== pod.namespace || !node.node || !hasAllKeys(node.labels, s.constraints)) return;
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(other.labels) || !includesNode(c, pod.pod, node.node!, s.required)) return;
      const value = node.labels[c.topologyKey]!;
      const n = (s.counts[i]!.get(value) ?? 0) + delta;
      s.counts[i]!.set(value, n);
      updatePaths(s.paths[i]!, value, n);
    });
  }

  addPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): void {
    this.updateWithPod(state, pod, toAdd, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): void {
    this.updateWithPod(state, pod, toRemove, node, -1);
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return null;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const value = node.labels[c.topologyKey];
      if (value === undefined) return REJECT_LABEL;
      const min = s.counts[i]!.size < c.minDomains ? 0 : s.paths[i]![0].num;
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts[i]!.get(value) ?? 0) + self - min;
      if (skew > c.maxSkew) return REJECT_SKEW;
    }
    return null;
  }

  // -------------------------------------------------------------- scoring

  preScore(state: CycleState, pod: PodInfo, filtered: NodeInfo[]): Result {
    const all = this.handle.cache.nodeList();
    if (filtered.length === 0 || all.length === 0) return SKIP;
    const constraints = this.constraintsFor(pod, "ScheduleAnyway");
    if (constraints.length === 0) return SKIP;
    // System defaults do not require every topology label (nodes without a zone still spread by hostname).
    const requireAll = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const s: PreScoreState = { constraints, ignored: new Set(), counts: constraints.map(() => new Map()), weights: [] };
    const sizes = constraints.map(() => 0);
    for (const node of filtered) {
      if (requireAll && !hasAllKeys(node.labels, constraints)) {
        s.ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return;
        const value = node.labels[c.topologyKey] ?? "";
        if (!s.counts[i]!.has(value)) {
          s.counts[i]!.set(value, 0);
          sizes[i]!++;
        }
      });
    }
    s.weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - s.ignored.size : sizes[i]!) + 2));
    const required = requiredNodeAffinity(pod.pod);
    for (const node of all) {
      if (!node.node || (requireAll && !hasAllKeys(node.labels, constraints))) continue;
      constraints.forEach((c, i) => {
        if (!includesNode(c, pod.pod, node.node!, required)) return;
        const value = node.labels[c.topologyKey] ?? "";
        const current = s.counts[i]!.get(value);
        if (current === undefined) return;
        s.counts[i]!.set(value, current + countMatching(node.pods, c.selector, pod.namespace));
      });
    }
    state.write(PRESCORE_KEY, s);
    return null;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey];
      if (value === undefined) return;
      const count = c.topologyKey === LABEL_HOSTNAME ? countMatching(node.pods, c.selector, pod.namespace) : (s.counts[i]!.get(value) ?? 0);
      score += count * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalize(state: CycleState, _p: PodInfo, scores: number[], nodes: NodeInfo[]): void {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s) return;
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < scores.length; i++) {
      if (s.ignored.has(nodes[i]!.name)) continue;
      if (scores[i]! < min) min = scores[i]!;
      if (scores[i]! > max) max = scores[i]!;
    }
    for (let i = 0; i < scores.length; i++) {
      if (s.ignored.has(nodes[i]!.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    }
  }
}
