/** NodeName: a pod naming a node in spec.nodeName fits only that node. */
import type { ClusterEvent, CycleState, FilterPlugin, PreFilterPlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { Code, constantRejection, type Result, SKIP } from "../status.ts";

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const REJECTED = constantRejection("NodeName", Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_NAME);

export class NodeName implements PreFilterPlugin, FilterPlugin {
  readonly name = "NodeName";
  readonly events: ClusterEvent[] = ["Node/Add"];

  /** Nothing to check for a pod that names no node. */
  preFilter(_s: CycleState, pod: PodInfo): Result {
    return pod.pod.spec?.nodeName ? null : SKIP;
  }

  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Result {
    const wanted = pod.pod.spec?.nodeName;
    if (!wanted || wanted === node.name) return null;
    return REJECTED;
  }
}
