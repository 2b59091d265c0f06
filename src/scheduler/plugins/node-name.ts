/** NodeName: a pod naming a node in spec.nodeName fits only that node. */
import type { ClusterEvent, FilterPlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { Code, constantRejection, type Result } from "../status.ts";

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const REJECTED = constantRejection("NodeName", Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_NAME);

export class NodeName implements FilterPlugin {
  readonly name = "NodeName";
  readonly events: ClusterEvent[] = ["Node/Add"];

  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Result {
    const wanted = pod.pod.spec?.nodeName;
    if (!wanted || wanted === node.name) return null;
    return REJECTED;
  }
}
