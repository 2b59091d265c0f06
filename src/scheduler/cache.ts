/**
 * The scheduler's cache (upstream's internal/cache): every node with the pods bound to it and the
 * pods the scheduler has assumed onto it but whose binding is still being written. Assuming is
 * what makes binding optimistic: the next pod is placed against the assumed state at once, while
 * the API write goes on in the background; a failed write forgets the pod again. The informer's
 * view of a bound pod confirms the assumption.
 */
import type { Labels, Node } from "./api.ts";
import { LABEL_REGION, LABEL_ZONE } from "./api.ts";
import { NodeInfo } from "./node-info.ts";
import type { AffinityTerm, PodInfo } from "./pod-info.ts";
import { labelPair, type LabelMatcher } from "./selectors.ts";

export interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
}

/** A required anti-affinity term of a placed pod. */
export interface PlacedTerm {
  term: AffinityTerm;
  pod: PodInfo;
  node: string;
}

const ANY = "";

/** Values by key, added and removed in place (a multimap of sets). */
class Buckets<T> {
  private readonly map = new Map<string, Set<T>>();

  add(key: string, v: T): void {
    let set = this.map.get(key);
    if (!set) this.map.set(key, (set = new Set()));
    set.add(v);
  }

  delete(key: string, v: T): void {
    const set = this.map.get(key);
    if (!set) return;
    set.delete(v);
    if (set.size === 0) this.map.delete(key);
  }

  get(key: string): Set<T> | undefined {
    return this.map.get(key);
  }
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
  /** Placed pods by each of their labels: pod affinity terms look up candidates instead of scanning every pod. */
  private readonly byLabel = new Buckets<PodState>();
  /** Placed pods' required anti-affinity terms by a label a pod must have to match them (ANY: no such label). */
  private readonly antiTerms = new Buckets<PlacedTerm>();
  private readonly placedTerms = new Map<string, PlacedTerm[]>();
  /** Placed pods with terms that score other pods (required affinity, preferred affinity or anti-affinity). */
  readonly scoringAffinityPods = new Set<PodState>();
  private list: NodeInfo[] = [];
  private listDirty = false;

  // ------------------------------------------------------------------ nodes

  /** Names of nodes that are cordoned / carry NoSchedule or NoExecute taints / carry PreferNoSchedule taints. */
  readonly cordoned = new Set<string>();
  readonly hardTainted = new Set<string>();
  readonly softTainted = new Set<string>();

  addOrUpdateNode(node: Node): NodeInfo {
    const name = node.metadata?.name ?? "";
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    if (!info.node || zoneOf(info.node) !== zoneOf(node)) this.listDirty = true;
    this.removeImages(info);
    info.setNode(node);
    this.addImages(info, node);
    this.mark(this.cordoned, name, info.unschedulable);
    this.mark(this.hardTainted, name, info.taints.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute"));
    this.mark(this.softTainted, name, info.taints.some((t) => t.effect === "PreferNoSchedule"));
    return info;
  }

  private mark(set: Set<string>, name: string, on: boolean): void {
    if (on) set.add(name);
    else set.delete(name);
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.removeImages(info);
    for (const set of [this.cordoned, this.hardTainted, this.softTainted]) set.delete(name);
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

  /** Placed pods that may match the selector (a superset: callers still match each). */
  *candidates(selector: LabelMatcher): Iterable<PodState> {
    if (selector.nothing) return;
    if (!selector.hints) {
      yield* this.pods.values();
      return;
    }
    for (const h of selector.hints) {
      const set = this.byLabel.get(h);
      if (set) yield* set;
    }
  }

  /** Required anti-affinity terms of placed pods that may match a pod with these labels (a superset). */
  *antiAffinityTermsFor(labels: Labels): Iterable<PlacedTerm> {
    for (const k in labels) {
      const set = this.antiTerms.get(labelPair(k, labels[k]!));
      if (set) yield* set;
    }
    const any = this.antiTerms.get(ANY);
    if (any) yield* any;
  }

  private place(info: PodInfo, node: string, assumed: boolean): void {
    let n = this.nodes.get(node);
    // A pod bound to a node not seen yet: keep it on a placeholder until the node arrives.
    if (!n) this.nodes.set(node, (n = new NodeInfo(node)));
    n.addPod(info);
    const state = { info, node, assumed };
    this.pods.set(info.uid, state);
    for (const k in info.labels) this.byLabel.add(labelPair(k, info.labels[k]!), state);
    if (info.requiredAntiAffinity.length > 0) {
      const placed = info.requiredAntiAffinity.map((term) => ({ term, pod: info, node }));
      this.placedTerms.set(info.uid, placed);
      for (const p of placed) for (const h of p.term.selector.hints ?? [ANY]) this.antiTerms.add(h, p);
    }
    if (info.requiredAffinity.length > 0 || info.preferredAffinity.length > 0 || info.preferredAntiAffinity.length > 0) this.scoringAffinityPods.add(state);
  }

  private unplace(state: PodState): void {
    const info = state.info;
    this.scoringAffinityPods.delete(state);
    for (const k in info.labels) this.byLabel.delete(labelPair(k, info.labels[k]!), state);
    for (const p of this.placedTerms.get(info.uid) ?? []) for (const h of p.term.selector.hints ?? [ANY]) this.antiTerms.delete(h, p);
    this.placedTerms.delete(info.uid);
    const n = this.nodes.get(state.node);
    if (!n) return;
    n.removePod(state.info.uid);
    if (!n.node && n.pods.length === 0) this.nodes.delete(state.node);
  }
}
