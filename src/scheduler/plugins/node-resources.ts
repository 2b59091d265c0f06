/**
 * NodeResourcesFit (filter, and the LeastAllocated score) and NodeResourcesBalancedAllocation:
 * the pod's requests must fit in what the node's allocatable leaves after its pods' requests;
 * among nodes that fit, emptier nodes and nodes whose CPU and memory use stay even score higher.
 * Both scores weigh cpu and memory equally, upstream's default resource specs.
 */
import type { ClusterEvent, CycleState, FilterPlugin, PreScorePlugin, ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { Code, RejectionCache, type Result, SKIP } from "../status.ts";

interface Insufficient {
  reason: string;
  /** More than the node has at all: preemption cannot help. */
  unresolvable: boolean;
}

/** upstream's fitsRequest: every resource the pod asks for and the node is short of. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): Insufficient[] {
  const out: Insufficient[] = [];
  if (node.pods.length + 1 > node.allowedPods) out.push({ reason: "Too many pods", unresolvable: false });
  const req = pod.requests;
  if (req.milliCpu === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar) return out;
  const alloc = node.allocatable;
  const used = node.requested;
  if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - used.milliCpu) out.push({ reason: "Insufficient cpu", unresolvable: req.milliCpu > alloc.milliCpu });
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push({ reason: "Insufficient memory", unresolvable: req.memory > alloc.memory });
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({ reason: "Insufficient ephemeral-storage", unresolvable: req.ephemeralStorage > alloc.ephemeralStorage });
  }
  if (req.scalar) {
    for (const [name, q] of req.scalar) {
      if (q === 0) continue;
      const has = alloc.scalar?.get(name) ?? 0;
      if (q > has - (used.scalar?.get(name) ?? 0)) out.push({ reason: `Insufficient ${name}`, unresolvable: q > has });
    }
  }
  return out;
}

const REJECTIONS = new RejectionCache("NodeResourcesFit");

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = "NodeResourcesFit";
  readonly events: ClusterEvent[] = ["AssignedPod/Delete", "AssignedPod/UpdatePodScaleDown", "Node/Add", "Node/UpdateNodeAllocatable", "Node/UpdateNodeTaint", "Node/UpdateNodeLabel"];

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Result {
    // The common case, without allocating: everything fits.
    const req = pod.requests;
    const alloc = node.allocatable;
    const used = node.requested;
    if (
      node.pods.length < node.allowedPods &&
      !req.scalar &&
      req.milliCpu <= alloc.milliCpu - used.milliCpu &&
      req.memory <= alloc.memory - used.memory &&
      req.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage
    ) {
      return null;
    }
    const short = insufficientResources(pod, node);
    if (short.length === 0) return null;
    const code = short.some((s) => s.unresolvable) ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
    return REJECTIONS.get(
      code,
      short.map((s) => s.reason),
    );
  }

  /** LeastAllocated: the share of cpu and memory left free once the pod is placed, 0..100. */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const alloc = node.allocatable;
    let sum = 0;
    let weights = 0;
    if (alloc.milliCpu > 0) {
      sum += leastRequested(node.nonZeroCpu + pod.nonZeroCpu, alloc.milliCpu);
      weights++;
    }
    if (alloc.memory > 0) {
      sum += leastRequested(node.nonZeroMemory + pod.nonZeroMemory, alloc.memory);
      weights++;
    }
    return weights === 0 ? 0 : Math.trunc(sum / weights);
  }
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = "NodeResourcesBalancedAllocation";
  readonly events: ClusterEvent[] = [];

  preScore(_s: CycleState, pod: PodInfo): Result {
    // Best-effort pods would all pile onto one node otherwise (upstream issue 129138).
    return pod.requests.milliCpu === 0 && pod.requests.memory === 0 ? SKIP : null;
  }

  /** 100 × (1 − the standard deviation of the cpu and memory fractions in use once the pod is placed). */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const alloc = node.allocatable;
    const fractions: number[] = [];
    if (alloc.milliCpu > 0) fractions.push(Math.min(1, (node.requested.milliCpu + pod.requests.milliCpu) / alloc.milliCpu));
    if (alloc.memory > 0) fractions.push(Math.min(1, (node.requested.memory + pod.requests.memory) / alloc.memory));
    const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
