/**
 * The message of a pod that fits no node (upstream's FitError.Error()): "0/3 nodes are
 * available: 1 Insufficient cpu, 2 node(s) had untolerated taint {k: v}. preemption: ...", the
 * reasons counted over nodes and sorted as strings.
 */
import type { NodeToStatus } from "./framework.ts";

export interface Diagnosis {
  statuses: NodeToStatus;
  /** Set when a PreFilter plugin rejected the pod for every node. */
  preFilterMsg: string;
  postFilterMsg: string;
  /** Plugins that rejected the pod (drive requeueing on cluster events). */
  unschedulablePlugins: Set<string>;
}

export function noNodesMessage(numAllNodes: number): string {
  return `0/${numAllNodes} nodes are available`;
}

export function fitErrorMessage(numAllNodes: number, d: Pick<Diagnosis, "statuses" | "preFilterMsg" | "postFilterMsg">): string {
  let msg = `${noNodesMessage(numAllNodes)}:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const s of d.statuses.byNode.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.statuses.size;
    if (absent > 0) for (const r of d.statuses.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`);
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(", ")}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
