/** NodePorts: a host port (protocol, address, port) can be used by one pod per node. */
import type { ClusterEvent, CycleState, FilterPlugin, PreFilterPlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { Code, constantRejection, type Result, SKIP } from "../status.ts";

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REJECTED = constantRejection("NodePorts", Code.Unschedulable, ERR_REASON_PORTS);

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = "NodePorts";
  readonly events: ClusterEvent[] = ["AssignedPod/Delete", "Node/Add", "Node/UpdateNodeAllocatable"];

  preFilter(_s: CycleState, pod: PodInfo): Result {
    return pod.ports.length === 0 ? SKIP : null;
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Result {
    for (const hp of pod.ports) if (node.portConflict(hp)) return REJECTED;
    return null;
  }
}
