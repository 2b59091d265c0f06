/**
 * The scheduler's cache (upstream's internal/cache): every node with the pods bound to it and the
 * pods the scheduler has assumed onto it but whose binding is still being written. Assuming is
 * what makes binding optimistic: the next pod is placed against the assumed state at once, while
 * the API write goes on in the background; a failed write forgets the pod again. The informer's
 * view of a bound pod confirms the assumption.
 */
import type { Node } from "./api.ts";
import { LABEL_REGION, LABEL_ZONE } from "./api.ts";
import { NodeInfo } from "./node-info.ts";
import type { PodInfo } from "./pod-info.ts";

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
}

interface ImageState {
  size: number;
  nodes: Set<string>;
}

function zoneOf(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  return `${labels[LABEL_REGION] ?? ""}:\x00:${labels[LABEL_ZONE] ?? ""}`;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private readonly images = new Map<string, ImageState>();
  private list: NodeInfo[] = [];
  private listDirty = false;
  /** Nodes hosting pods with any pod affinity / with required anti-affinity (PreFilter and PreScore shortcuts). */
  readonly nodesWithAffinityPods = new Set<NodeInfo>();
  readonly nodesWithRequiredAntiAffinityPods = new Set<NodeInfo>();

  // ------------------------------------------------------------------ nodes

  addOrUpdateNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? "";
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    if (!info.node || zoneOf(info.node) !== zoneOf(node)) this.listDirty = true;
    this.removeImages(info);
    info.setNode(node);
    this.addImages(info, node);
    return info;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.removeImages(info);
    info.node = null;
    info.generation++;
    // Pods still bound to a deleted node stay accounted until they are deleted too.
    if (info.pods.length === 0) this.nodes.delete(name);
    this.listDirty = true;
  }

  getNode(name: string): NodeInfo | undefined {
    const info = this.nodes.get(name);
    return info?.node ? info : undefined;
  }

  /** Nodes in upstream's node-tree order: one node of each zone in turn, so that searches spread over zones. */
  nodeList(): NodeInfo[] {
    if (this.listDirty) this.rebuildList();
    return this.list;
  }

  get nodeCount(): number {
    return this.nodeList().length;
  }

  private rebuildList(): void {
    const zones = new Map<string, NodeInfo[]>();
    for (const info of this.nodes.values()) {
      if (!info.node) continue;
      const z = zoneOf(info.node);
      let arr = zones.get(z);
      if (!arr) zones.set(z, (arr = []));
      arr.push(info);
    }
    const lists = [...zones.values()];
    const out: NodeInfo[] = [];
    for (let i = 0; out.length < lists.reduce((n, l) => n + l.length, 0); i++) {
      for (const l of lists) if (i < l.length) out.push(l[i]!);
    }
    this.list = out;
    this.listDirty = false;
  }

  private addImages(info: NodeInfo, node: Node): void {
    info.images = new Map();
    for (const image of node.status?.images ?? []) {
      for (const name of image.names ?? []) {
        let state = this.images.get(name);
        if (!state) this.images.set(name, (state = { size: image.sizeBytes ?? 0, nodes: new Set() }));
        state.nodes.add(info.name);
        info.images.set(name, state.size);
      }
    }
  }

  private removeImages(info: NodeInfo): void {
    for (const name of info.images.keys()) {
      const state = this.images.get(name);
      if (!state) continue;
      state.nodes.delete(info.name);
      if (state.nodes.size === 0) this.images.delete(name);
    }
    info.images = new Map();
  }

  /** On how many nodes an image is present (ImageLocality's spread). */
  imageNodeCount(name: string): number {
    return this.images.get(name)?.nodes.size ?? 0;
  }

  // ------------------------------------------------------------------ pods

  /** Places a pod on a node before its binding is written. */
  assumePod(info: PodInfo, node: string): void {
    this.place(info, node, true);
  }

  /** Undoes assumePod after a failed binding. */
  forgetPod(uid: string): void {
    const state = this.pods.get(uid);
    if (!state?.assumed) return;
    this.unplace(state);
    this.pods.delete(uid);
  }

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed === true;
  }

  /** A bound pod seen by the informer (added or changed): confirms an assumption, or replaces the pod's previous version. */
  addOrUpdatePod(info: PodInfo, node: string): void {
    const old = this.pods.get(info.uid);
    if (old) {
      this.unplace(old);
      this.pods.delete(info.uid);
    }
    this.place(info, node, false);
  }

  removePod(uid: string): void {
    const state = this.pods.get(uid);
    if (!state) return;
    this.unplace(state);
    this.pods.delete(uid);
  }

  hasPod(uid: string): boolean {
    return this.pods.has(uid);
  }

  podNode(uid: string): string | undefined {
    return this.pods.get(uid)?.node;
  }

  get podCount(): number {
    return this.pods.size;
  }

  private place(info: PodInfo, node: string, assumed: boolean): void {
    let n = this.nodes.get(node);
    // A pod bound to a node not seen yet: keep it on a placeholder until the node arrives.
    if (!n) this.nodes.set(node, (n = new NodeInfo(node)));
    n.addPod(info);
    this.pods.set(info.uid, { info, node, assumed });
    this.trackAffinity(n);
  }

  private unplace(state: PodState): void {
    const n = this.nodes.get(state.node);
    if (!n) return;
    n.removePod(state.info.uid);
    this.trackAffinity(n);
    if (!n.node && n.pods.length === 0) this.nodes.delete(state.node);
  }

  private trackAffinity(n: NodeInfo): void {
    if (n.podsWithAffinity.length > 0) this.nodesWithAffinityPods.add(n);
    else this.nodesWithAffinityPods.delete(n);
    if (n.podsWithRequiredAntiAffinity.length > 0) this.nodesWithRequiredAntiAffinityPods.add(n);
    else this.nodesWithRequiredAntiAffinityPods.delete(n);
  }
}
