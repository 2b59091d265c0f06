/**
 * TaintToleration: NoSchedule and NoExecute taints the pod does not tolerate rule the node out;
 * PreferNoSchedule taints it does not tolerate lower the node's score (fewer is better).
 */
import type { Taint, Toleration } from "../api.ts";
import type { ClusterEvent, CycleState, FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { isNoScheduleOrNoExecute, tolerationsTolerate, untoleratedTaint } from "../selectors.ts";
import { Code, type Result, RejectionCache, SKIP } from "../status.ts";
import { defaultNormalizeScore } from "./normalize.ts";

const STATE_KEY = "PreScoreTaintToleration";
const REJECTIONS = new RejectionCache("TaintToleration");

export class TaintToleration implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = "TaintToleration";
  readonly events: ClusterEvent[] = ["Node/Add", "Node/UpdateNodeTaint", "Pod/UpdatePodTolerations"];

  constructor(private readonly handle: Handle) {}

  /** Nothing to check while no node has NoSchedule or NoExecute taints. */
  preFilter(_s: CycleState): Result {
    return this.handle.cache.hardTainted.size === 0 ? SKIP : null;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Result {
    if (node.taints.length === 0) return null;
    const taint = untoleratedTaint(node.taints, pod.pod.spec?.tolerations, isNoScheduleOrNoExecute);
    if (!taint) return null;
    return REJECTIONS.get(Code.UnschedulableAndUnresolvable, [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`]);
  }

  /** Without PreferNoSchedule taints every node would score the same. */
  preScore(state: CycleState, pod: PodInfo): Result {
    if (this.handle.cache.softTainted.size === 0) return SKIP;
    // Only tolerations that can tolerate PreferNoSchedule taints count (upstream's getAllTolerationPreferNoSchedule).
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    state.write(STATE_KEY, tolerations);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    if (node.taints.length === 0) return 0;
    const tolerations = state.read<Toleration[]>(STATE_KEY) ?? [];
    let count = 0;
    for (const t of node.taints as Taint[]) {
      if (t.effect === "PreferNoSchedule" && !tolerationsTolerate(tolerations, t)) count++;
    }
    return count;
  }

  normalize(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(scores, true);
  }
}
