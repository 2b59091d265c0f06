/**
 * ImageLocality: nodes that already hold the pod's images (node.status.images) score higher,
 * by image size, scaled by how many nodes have the image (so one node does not draw every pod
 * of a widely present image), clamped between 23 MB and 1000 MB per container.
 */
import type { ClusterEvent, CycleState, Handle, PreScorePlugin, ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { type Result, SKIP } from "../status.ts";

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** upstream's normalizedImageName: an image without a tag means :latest. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = "ImageLocality";
  readonly events: ClusterEvent[] = [];

  constructor(private readonly handle: Handle) {}

  /** Scores would be 0 everywhere when no node holds any of the pod's images. */
  preScore(_s: CycleState, pod: PodInfo): Result {
    const spec = pod.pod.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      if (this.handle.cache.imageNodeCount(normalizedImageName(c.image ?? "")) > 0) return null;
    }
    return SKIP;
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (node.images.size === 0) return 0;
    const total = this.handle.cache.nodeCount;
    const spec = pod.pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    let sum = 0;
    for (const c of containers) {
      const name = normalizedImageName(c.image ?? "");
      const size = node.images.get(name);
      if (size === undefined) continue;
      sum += Math.trunc(size * (this.handle.cache.imageNodeCount(name) / total));
    }
    const maxThreshold = MAX_CONTAINER_THRESHOLD * containers.length;
    sum = Math.min(Math.max(sum, MIN_THRESHOLD), maxThreshold);
    return Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
  }
}
