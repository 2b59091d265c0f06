/**
 * Placing one pod (upstream's schedulePod): PreFilter, then Filter over the nodes starting where the
 * last search stopped until enough feasible nodes are found (upstream's adaptive
 * percentageOfNodesToScore), then PreScore and Score over those, and the best one at random among
 * equals. A node nominated by an earlier preemption is tried first.
 */
import type { SchedulerCache } from "./cache.ts";
import type { CycleState } from "./framework.ts";
import { NodeToStatus } from "./framework.ts";
import type { Diagnosis } from "./fit-error.ts";
import type { NodeInfo } from "./node-info.ts";
import type { Nominator } from "./nominator.ts";
import type { PodInfo } from "./pod-info.ts";
import type { Profile } from "./profile.ts";
import { Code, Status } from "./status.ts";

/** Reservoir sampling among the top-scoring nodes (upstream's selectHost): ties are broken at random. */
export function selectHost(scores: number[]): number {
  let best = 0;
  let count = 1;
  for (let i = 1; i < scores.length; i++) {
    if (scores[i]! > scores[best]!) {
      best = i;
      count = 1;
    } else if (scores[i] === scores[best]) {
      count++;
      if (Math.floor(Math.random() * count) === 0) best = i;
    }
  }
  return best;
}

/** upstream's numFeasibleNodesToFind: all nodes below 100, else an adaptive share (50% − nodes/125, at least 5%) but at least 100. */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < 100) return numAllNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(5, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(100, Math.trunc((numAllNodes * p) / 100));
}

/** Where a pod goes, or why it goes nowhere. */
export interface Placement {
  node?: NodeInfo;
  diagnosis?: Diagnosis;
  /** An error or a PreFilter/no-nodes status that is not a fit error. */
  failure?: Status;
}

export class NodeSearch {
  private nextStartNodeIndex = 0;

  constructor(
    private readonly cache: SchedulerCache,
    private readonly nominator: Nominator,
  ) {}

  /** upstream's schedulePod: filter, then score the feasible nodes and pick the best. */
  schedulePod(profile: Profile, state: CycleState, pod: PodInfo): Placement {
    const nodes = this.cache.nodeList();
    if (nodes.length === 0) return { failure: Status.unresolvable("no nodes available to schedule pods") };
    const found = this.findNodesThatFit(profile, state, pod, nodes);
    if ("failure" in found) return found;
    const { feasible, diagnosis } = found;
    if (feasible.length === 0) return { diagnosis };
    if (feasible.length === 1) return { node: feasible[0] };
    const pre = profile.runPreScore(state, pod, feasible);
    if (pre) return { failure: pre };
    const scores = profile.runScore(state, pod, feasible);
    return { node: feasible[selectHost(scores)] };
  }

  private findNodesThatFit(profile: Profile, state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { feasible: NodeInfo[]; diagnosis: Diagnosis } | { failure: Status } {
    const diagnosis: Diagnosis = { statuses: new NodeToStatus(), preFilterMsg: "", postFilterMsg: "", unschedulablePlugins: new Set() };
    const pre = profile.runPreFilter(state, pod, nodes);
    if (pre.status) {
      if (!pre.status.rejected) return { failure: pre.status };
      diagnosis.statuses.absent = pre.status;
      diagnosis.preFilterMsg = pre.status.message;
      for (const p of pre.plugins) diagnosis.unschedulablePlugins.add(p);
      return { feasible: [], diagnosis };
    }
    const useNominated = !this.nominator.empty;
    const filter = (node: NodeInfo) => (useNominated ? profile.runFiltersWithNominated(state, pod, node, this.nominator.forNode(node.name)) : profile.runFilters(state, pod, node));
    // A node nominated by an earlier preemption is tried first.
    const nominatedName = pod.pod.status?.nominatedNodeName;
    if (nominatedName && (!pre.nodeNames || pre.nodeNames.has(nominatedName))) {
      const n = this.cache.getNode(nominatedName);
      if (n && filter(n) === null) return { feasible: [n], diagnosis };
    }
    let candidates = nodes;
    if (pre.nodeNames) {
      candidates = [...pre.nodeNames].map((n) => this.cache.getNode(n)).filter((n): n is NodeInfo => n !== undefined);
      diagnosis.statuses.absent = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.plugins].sort().join(" ")}]`);
      for (const p of pre.plugins) diagnosis.unschedulablePlugins.add(p);
    }
    const feasible: NodeInfo[] = [];
    const want = numFeasibleNodesToFind(candidates.length, profile.config.percentageOfNodesToScore);
    const n = candidates.length;
    // Rejections are kept in arrays and turned into the diagnosis only when no node fits (the
    // common, successful case never needs them).
    const rejectedNodes: NodeInfo[] = [];
    const rejections: Status[] = [];
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = candidates[(this.nextStartNodeIndex + i) % n]!;
      processed++;
      const s = filter(node);
      if (s === null) feasible.push(node);
      else {
        if (s.code === Code.Error) return { failure: s };
        rejectedNodes.push(node);
        rejections.push(s);
      }
    }
    if (n > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % n;
    if (feasible.length === 0) {
      for (let i = 0; i < rejections.length; i++) {
        const s = rejections[i]!;
        diagnosis.statuses.set(rejectedNodes[i]!.name, s);
        if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
      }
    }
    return { feasible, diagnosis };
  }
}
