/**
 * The scheduling framework (upstream's framework/runtime): plugins implement extension points,
 * a profile runs them in order. Everything up to Reserve runs synchronously against the cache,
 * so a scheduling cycle sees one consistent state without copying it; only PreBind and Bind wait
 * on the API.
 */
import type { Client } from "../client/index.ts";
import type { Labels, Pod } from "./api.ts";
import type { SchedulerCache } from "./cache.ts";
import type { NodeInfo } from "./node-info.ts";
import type { PodInfo } from "./pod-info.ts";
import type { LabelMatcher } from "./selectors.ts";
import { Code, type Result, Status } from "./status.ts";

export const MAX_NODE_SCORE = 100;

/** Per-cycle data plugins hand from one extension point to the next (upstream's CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter said Skip: their Filter is not run. */
  readonly skipFilter = new Set<string>();
  /** The filters to run this cycle (PreFilter's skips applied), set once PreFilter is done. */
  filters: FilterPlugin[] | null = null;
  readonly skipScore = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** A copy for a dry run: values with a clone() method are cloned, the rest shared. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cloneable = v as { clone?: () => unknown } | null;
      c.data.set(k, cloneable && typeof cloneable.clone === "function" ? cloneable.clone() : v);
    }
    for (const s of this.skipFilter) c.skipFilter.add(s);
    c.filters = this.filters;
    for (const s of this.skipScore) c.skipScore.add(s);
    return c;
  }
}

/** Which changes in the cluster may make a pod rejected by a plugin schedulable ("Node/Add", "AssignedPod/Delete", ...). */
export type ClusterEvent =
  | "Node/Add"
  | "Node/Delete"
  | "Node/UpdateNodeLabel"
  | "Node/UpdateNodeTaint"
  | "Node/UpdateNodeAllocatable"
  | "Node/UpdateNodeImages"
  | "AssignedPod/Add"
  | "AssignedPod/UpdatePodLabel"
  | "AssignedPod/UpdatePodScaleDown"
  | "AssignedPod/Delete"
  | "Pod/UpdatePodTolerations"
  | "Pod/UpdatePodSchedulingGatesEliminated"
  | "PersistentVolumeClaim/Add"
  | "PersistentVolumeClaim/Update"
  | "PersistentVolume/Add"
  | "PersistentVolume/Update"
  | "StorageClass/Add"
  | "StorageClass/Update"
  | "Namespace/Add"
  | "Namespace/UpdateNamespaceLabel"
  | "WildCard";

/** What plugins may read beyond the pod and node at hand. */
export interface Handle {
  readonly client: Client;
  readonly cache: SchedulerCache;
  namespaceLabels(namespace: string): Labels | undefined;
  /** Names of namespaces whose labels the selector matches. */
  namespacesMatching(selector: LabelMatcher): string[];
  /** Objects from the scheduler's informers (empty until watched). */
  lister(kind: ListerKind): ObjectLister;
  /** Pods nominated to a node by preemption, waiting for their victims to go. */
  nominatedPodsForNode(node: string): PodInfo[];
  /** The profile's filters, for preemption's dry runs. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
  runPreFilterAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): void;
  runPreFilterRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): void;
  /** Records a Warning/Normal event about an object. */
  event(obj: Pod, type: "Normal" | "Warning", reason: string, message: string): void;
  now(): number;
}

export type ListerKind = "persistentvolumeclaims" | "persistentvolumes" | "storageclasses" | "poddisruptionbudgets" | "services" | "replicationcontrollers" | "replicasets" | "statefulsets";

export interface ObjectLister {
  get(namespace: string, name: string): unknown;
  list(namespace: string): unknown[];
}

export interface Plugin {
  readonly name: string;
  /** Cluster events that may make pods this plugin rejected schedulable. */
  readonly events?: ClusterEvent[];
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: PodInfo): Result;
}

export interface PreFilterResult {
  status: Result;
  /** Only these nodes can take the pod (undefined: all nodes). */
  nodeNames?: Set<string>;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): PreFilterResult | Result;
  /** Keeps PreFilter state right when preemption or nominated pods add or remove a pod on a node. */
  addPod?(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): void;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
}

export interface PostFilterResult {
  status: Result;
  /** "" clears the pod's nominatedNodeName; undefined leaves it. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Result;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Scales raw scores to 0..MAX_NODE_SCORE in place. */
  normalize?(state: CycleState, pod: PodInfo, scores: number[], nodes: NodeInfo[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, node: string): Result;
  unreserve(state: CycleState, pod: PodInfo, node: string): void;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, node: string): Promise<Result>;
}

export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, node: string): Promise<Result>;
}

/**
 * Why each node was rejected (upstream's NodeToStatus): explicit entries, and one status for
 * every node without an entry (nodes a PreFilter excluded, or all nodes when PreFilter failed).
 */
export class NodeToStatus {
  readonly byNode = new Map<string, Status>();
  absent: Status = Status.unresolvable();

  get size(): number {
    return this.byNode.size;
  }

  get(node: string): Status {
    return this.byNode.get(node) ?? this.absent;
  }

  set(node: string, s: Status): void {
    this.byNode.set(node, s);
  }

  /** Nodes whose status has this code (absent nodes included when the absent status has it). */
  nodesWithCode(all: NodeInfo[], code: Code): NodeInfo[] {
    return all.filter((n) => this.get(n.name).code === code);
  }
}
