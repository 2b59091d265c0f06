/**
 * Pods nominated to nodes by preemption (upstream's PodNominator): while a preemptor waits for
 * its victims to terminate, filters on that node count it as already there for pods of lower or
 * equal priority, so the room made for it is not taken by others.
 */
import type { PodInfo } from "./pod-info.ts";

export class Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOf = new Map<string, string>();

  /** Records (or moves, or with "" clears) a pod's nomination. */
  set(pod: PodInfo, node: string): void {
    this.remove(pod.uid);
    if (!node) return;
    this.nodeOf.set(pod.uid, node);
    const list = this.byNode.get(node) ?? [];
    list.push(pod);
    this.byNode.set(node, list);
  }

  /** Keeps the latest version of a nominated pod. */
  update(pod: PodInfo): void {
    const node = this.nodeOf.get(pod.uid);
    if (node !== undefined) this.set(pod, node);
  }

  remove(uid: string): void {
    const node = this.nodeOf.get(uid);
    if (node === undefined) return;
    this.nodeOf.delete(uid);
    const list = (this.byNode.get(node) ?? []).filter((p) => p.uid !== uid);
    if (list.length > 0) this.byNode.set(node, list);
    else this.byNode.delete(node);
  }

  forNode(node: string): PodInfo[] {
    return this.byNode.get(node) ?? [];
  }

  nodeFor(uid: string): string | undefined {
    return this.nodeOf.get(uid);
  }

  get empty(): boolean {
    return this.nodeOf.size === 0;
  }
}
