/** NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating the unschedulable taint. */
import type { ClusterEvent, CycleState, FilterPlugin, Handle, PreFilterPlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { tolerationsTolerate } from "../selectors.ts";
import { Code, constantRejection, type Result, SKIP } from "../status.ts";

export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
const REJECTED = constantRejection("NodeUnschedulable", Code.UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE);

export class NodeUnschedulable implements PreFilterPlugin, FilterPlugin {
  readonly name = "NodeUnschedulable";
  readonly events: ClusterEvent[] = ["Node/Add", "Node/UpdateNodeTaint", "Pod/UpdatePodTolerations"];

  constructor(private readonly handle: Handle) {}

  /** Nothing to check while no node is cordoned. */
  preFilter(_s: CycleState): Result {
    return this.handle.cache.cordoned.size === 0 ? SKIP : null;
  }

  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Result {
    if (!node.unschedulable) return null;
    if (tolerationsTolerate(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return null;
    return REJECTED;
  }
}
