/**
 * A scheduling profile (upstream's frameworkImpl): the plugins one schedulerName runs, in
 * upstream's default order and with its default score weights, and the code that runs each
 * extension point.
 */
import type {
  BindPlugin,
  ClusterEvent,
  CycleState,
  FilterPlugin,
  Handle,
  Plugin,
  PostFilterPlugin,
  PreBindPlugin,
  PreEnqueuePlugin,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ReservePlugin,
  ScorePlugin,
} from "./framework.ts";
import type { NodeInfo } from "./node-info.ts";
import type { PodInfo } from "./pod-info.ts";
import { Code, type Result, Status } from "./status.ts";
import { DefaultBinder } from "./plugins/default-binder.ts";
import { DefaultPreemption } from "./plugins/default-preemption.ts";
import { ImageLocality } from "./plugins/image-locality.ts";
import { InterPodAffinity } from "./plugins/inter-pod-affinity.ts";
import { NodeAffinity } from "./plugins/node-affinity.ts";
import { NodeName } from "./plugins/node-name.ts";
import { NodePorts } from "./plugins/node-ports.ts";
import { NodeResourcesBalancedAllocation, NodeResourcesFit } from "./plugins/node-resources.ts";
import { NodeUnschedulable } from "./plugins/node-unschedulable.ts";
import { PodTopologySpread } from "./plugins/pod-topology-spread.ts";
import { SchedulingGates } from "./plugins/scheduling-gates.ts";
import { TaintToleration } from "./plugins/taint-toleration.ts";
import { VolumeBinding } from "./plugins/volume-binding.ts";

export interface ProfileConfig {
  schedulerName: string;
  /** Plugin names to leave out ("ImageLocality", "DefaultPreemption", ...). */
  disabled?: string[];
  /** Score weights that replace upstream's defaults. */
  weights?: Record<string, number>;
  /** 0 (or unset): upstream's adaptive percentage. */
  percentageOfNodesToScore?: number;
}

/** upstream's default score weights. */
const DEFAULT_WEIGHTS: Record<string, number> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
};

export interface PreFilterOutcome {
  status: Result;
  nodeNames?: Set<string>;
  /** Plugins that rejected the pod, or that narrowed the nodes. */
  plugins: Set<string>;
}

export class Profile {
  readonly preEnqueue: PreEnqueuePlugin[];
  readonly preFilter: PreFilterPlugin[];
  readonly filter: FilterPlugin[];
  readonly postFilter: PostFilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly score: Array<{ plugin: ScorePlugin; weight: number }>;
  readonly reserve: ReservePlugin[];
  readonly preBind: PreBindPlugin[];
  readonly bind: BindPlugin[];
  private readonly all: Plugin[];

  constructor(
    readonly config: ProfileConfig,
    handle: Handle,
  ) {
    const off = new Set(config.disabled ?? []);
    const on = <T extends Plugin>(list: T[]) => list.filter((p) => !off.has(p.name));
    const gates = new SchedulingGates();
    const unschedulable = new NodeUnschedulable(handle);
    const nodeName = new NodeName();
    const taints = new TaintToleration(handle);
    const nodeAffinity = new NodeAffinity();
    const ports = new NodePorts();
    const fit = new NodeResourcesFit();
    const volumes = new VolumeBinding(handle);
    const spread = new PodTopologySpread(handle);
    const podAffinity = new InterPodAffinity(handle);
    const balanced = new NodeResourcesBalancedAllocation();
    const images = new ImageLocality(handle);
    const preemption = new DefaultPreemption(handle);
    const binder = new DefaultBinder(handle);
    this.preEnqueue = on([gates]);
    this.preFilter = on([unschedulable, nodeName, taints, nodeAffinity, ports, volumes, spread, podAffinity]);
    this.filter = on([unschedulable, nodeName, taints, nodeAffinity, ports, fit, volumes, spread, podAffinity]);
    this.postFilter = on([preemption]);
    this.preScore = on([taints, nodeAffinity, spread, podAffinity, balanced, images]);
    const weights = { ...DEFAULT_WEIGHTS, ...config.weights };
    this.score = on([taints, nodeAffinity, fit, spread, podAffinity, balanced, images]).map((plugin) => ({ plugin, weight: weights[plugin.name] ?? 1 }));
    this.reserve = on([volumes]);
    this.preBind = on([volumes]);
    this.bind = on([binder]);
    this.all = [...new Set<Plugin>([...this.preEnqueue, ...this.filter, ...this.postFilter, ...this.score.map((s) => s.plugin), ...this.bind])];
  }

  get schedulerName(): string {
    return this.config.schedulerName;
  }

  /** Names of the plugins registered for a cluster event. */
  pluginsFor(event: ClusterEvent): string[] {
    return this.all.filter((p) => p.events?.includes(event)).map((p) => p.name);
  }

  runPreEnqueue(pod: PodInfo): { plugin: string; status: Result } | undefined {
    for (const p of this.preEnqueue) {
      const status = p.preEnqueue(pod);
      if (status) return { plugin: p.name, status };
    }
    return undefined;
  }

  runPreFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): PreFilterOutcome {
    const plugins = new Set<string>();
    let names: Set<string> | undefined;
    for (const p of this.preFilter) {
      const out = p.preFilter(state, pod, nodes);
      const r: PreFilterResult = out && "status" in out && !(out instanceof Status) ? out : { status: out as Result };
      if (r.status?.code === Code.Skip) {
        state.skipFilter.add(p.name);
        continue;
      }
      if (r.status && r.status.code !== Code.Success) {
        r.status.withPlugin(p.name);
        if (r.status.rejected) plugins.add(p.name);
        return { status: r.status, plugins };
      }
      if (r.nodeNames) {
        plugins.add(p.name);
        names = names ? new Set([...names].filter((n) => r.nodeNames!.has(n))) : r.nodeNames;
        if (names.size === 0) {
          const list = [...plugins].sort();
          const msg = list.length === 1 ? `node(s) didn't satisfy plugin ${list[0]}` : `node(s) didn't satisfy plugin(s) [${list.join(" ")}] simultaneously`;
          return { status: Status.unresolvable(msg).withPlugin(p.name), plugins };
        }
      }
    }
    state.filters = this.filter.filter((p) => !state.skipFilter.has(p.name));
    return { status: null, nodeNames: names, plugins: names ? plugins : new Set() };
  }

  /** Runs the filters on one node, stopping at the first that rejects it. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    const filters = (state.filters ??= this.filter.filter((p) => !state.skipFilter.has(p.name)));
    for (let i = 0; i < filters.length; i++) {
      const s = filters[i]!.filter(state, pod, node);
      if (s && s.code !== Code.Success) return s.plugin ? s : s.withPlugin(filters[i]!.name);
    }
    return null;
  }

  runPreFilterAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilter) if (!state.skipFilter.has(p.name)) p.addPod?.(state, pod, toAdd, node);
  }

  runPreFilterRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): void {
    for (const p of this.preFilter) if (!state.skipFilter.has(p.name)) p.removePod?.(state, pod, toRemove, node);
  }

  /**
   * Filters with nominated pods of equal or higher priority counted on the node (they must not
   * lose the room preemption made for them), then, if that passes, without them.
   */
  runFiltersWithNominated(state: CycleState, pod: PodInfo, node: NodeInfo, nominated: PodInfo[]): Result {
    const others = nominated.filter((p) => p.priority >= pod.priority && p.uid !== pod.uid);
    if (others.length === 0) return this.runFilters(state, pod, node);
    const nodeWith = node.clone();
    const stateWith = state.clone();
    for (const p of others) {
      nodeWith.addPod(p);
      this.runPreFilterAddPod(stateWith, pod, p, nodeWith);
    }
    const first = this.runFilters(stateWith, pod, nodeWith);
    if (first) return first;
    return this.runFilters(state, pod, node);
  }

  /** Runs PreScore; plugins that say Skip are not scored. */
  runPreScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Result {
    for (const p of this.preScore) {
      const s = p.preScore(state, pod, nodes);
      if (s?.code === Code.Skip) state.skipScore.add(p.name);
      else if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return null;
  }

  /** Weighted, normalized total score per node. */
  runScore(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight } of this.score) {
      if (state.skipScore.has(plugin.name)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      plugin.normalize?.(state, pod, scores, nodes);
      for (let i = 0; i < nodes.length; i++) totals[i]! += scores[i]! * weight;
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, node: string): Result {
    for (let i = 0; i < this.reserve.length; i++) {
      const s = this.reserve[i]!.reserve(state, pod, node);
      if (s && s.code !== Code.Success) {
        this.runUnreserve(state, pod, node);
        return s.withPlugin(this.reserve[i]!.name);
      }
    }
    return null;
  }

  runUnreserve(state: CycleState, pod: PodInfo, node: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) this.reserve[i]!.unreserve(state, pod, node);
  }

  async runPreBind(state: CycleState, pod: PodInfo, node: string): Promise<Result> {
    for (const p of this.preBind) {
      const s = await p.preBind(state, pod, node);
      if (s && s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return null;
  }

  async runBind(state: CycleState, pod: PodInfo, node: string): Promise<Result> {
    for (const p of this.bind) {
      const s = await p.bind(state, pod, node);
      if (s?.code === Code.Skip) continue;
      return s ? s.withPlugin(p.name) : null;
    }
    return new Status(Code.Error, ["no bind plugin bound the pod"]);
  }
}
