/**
 * The scheduler (kube-scheduler): watches pods and nodes, keeps the cache and the queue current,
 * and runs scheduling cycles — one pod at a time, synchronously against the cache — then binds
 * each placed pod in the background (the binding cycle). Several profiles can run side by side,
 * one per schedulerName; pods naming another scheduler are left alone.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import type { Client, Informer, ResourceRef, SeriesRecorder, SharedInformerFactory } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { Node, Pod } from "./api.ts";
import {
  asNode,
  asPod,
  DEFAULT_SCHEDULER_NAME,
  NAMESPACES,
  NODES,
  PDBS,
  PODS,
  PVCS,
  PVS,
  REPLICA_SETS,
  REPLICATION_CONTROLLERS,
  SERVICES,
  STATEFUL_SETS,
  STORAGE_CLASSES,
} from "./api.ts";
import { SchedulerCache } from "./cache.ts";
import type { ClusterEvent, Handle, ListerKind, ObjectLister } from "./framework.ts";
import { CycleState, NodeToStatus } from "./framework.ts";
import { type Diagnosis, fitErrorMessage } from "./fit-error.ts";
import type { NodeInfo } from "./node-info.ts";
import { Nominator } from "./nominator.ts";
import { PodInfo } from "./pod-info.ts";
import { recordSchedulingFailure } from "./pod-status.ts";
import { Profile, type ProfileConfig } from "./profile.ts";
import { type QueuedPod, SchedulingQueue } from "./queue.ts";
import type { LabelMatcher } from "./selectors.ts";
import { Code, Status } from "./status.ts";

export interface SchedulerOptions {
  /** Profiles by schedulerName; default one "default-scheduler" profile with upstream's plugins. */
  profiles?: ProfileConfig[];
  /** Informers shared with other components (one is made per resource otherwise). */
  informers: SharedInformerFactory;
  /** events.k8s.io recorders for the pods' Scheduled / FailedScheduling events, one per profile (reportingController = schedulerName). */
  recorder?: (schedulerName: string) => SeriesRecorder;
  log: Logger;
  now?: () => number;
  /** Milliseconds of scheduling work between yields to the event loop (informer events, binding writes). */
  batchMs?: number;
  /** podInitialBackoffSeconds / podMaxBackoffSeconds, in ms (default 1 s / 10 s). */
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
}

const LISTED: Record<ListerKind, ResourceRef> = {
  persistentvolumeclaims: PVCS,
  persistentvolumes: PVS,
  storageclasses: STORAGE_CLASSES,
  poddisruptionbudgets: PDBS,
  services: SERVICES,
  replicationcontrollers: REPLICATION_CONTROLLERS,
  replicasets: REPLICA_SETS,
  statefulsets: STATEFUL_SETS,
};

/** upstream's numFeasibleNodesToFind: all nodes below 100, else an adaptive share (50% − nodes/125, at least 5%) but at least 100. */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < 100) return numAllNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(5, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(100, Math.trunc((numAllNodes * p) / 100));
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Placement {
  node?: NodeInfo;
  diagnosis?: Diagnosis;
  /** An error or a PreFilter/no-nodes status that is not a fit error. */
  failure?: Status;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly nominator = new Nominator();
  private readonly profiles = new Map<string, Profile>();
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly namespaces: Informer;
  private readonly listed = new Map<ListerKind, Informer>();
  private readonly now: () => number;
  private readonly log: Logger;
  private nextStartNodeIndex = 0;
  private stopped = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly bindings = new Set<Promise<void>>();
  private readonly eventPlugins = new Map<ClusterEvent, Set<string>>();
  private readonly recorders = new Map<string, SeriesRecorder>();
  /** Pods scheduled and bound since start (for benchmarks and logs). */
  boundCount = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: SchedulerOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    const f = opts.informers;
    this.pods = f.informer(PODS);
    this.nodes = f.informer(NODES);
    this.namespaces = f.informer(NAMESPACES);
    for (const [kind, ref] of Object.entries(LISTED) as Array<[ListerKind, ResourceRef]>) this.listed.set(kind, f.informer(ref));
    for (const config of opts.profiles ?? [{ schedulerName: DEFAULT_SCHEDULER_NAME }]) {
      const profile: Profile = new Profile(config, this.handle(() => profile));
      this.profiles.set(config.schedulerName, profile);
    }
    this.queue = new SchedulingQueue({
      now: this.now,
      preEnqueue: (pod) => this.profileFor(pod.pod)?.runPreEnqueue(pod),
      pluginsFor: (event) => this.pluginsFor(event),
      initialBackoffMs: opts.podInitialBackoffMs,
      maxBackoffMs: opts.podMaxBackoffMs,
    });
  }

  private pluginsFor(event: ClusterEvent): Set<string> {
    let set = this.eventPlugins.get(event);
    if (!set) {
      set = new Set([...this.profiles.values()].flatMap((p) => p.pluginsFor(event)));
      this.eventPlugins.set(event, set);
    }
    return set;
  }

  private profileFor(pod: Pod): Profile | undefined {
    return this.profiles.get(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
  }

  private handle(profile: () => Profile): Handle {
    const lister = (kind: ListerKind): ObjectLister => {
      const inf = this.listed.get(kind)!;
      return {
        get: (namespace, name) => inf.get(namespace ? `${namespace}/${name}` : name),
        list: (namespace) => inf.listIn(namespace),
      };
    };
    return {
      client: this.client,
      cache: this.cache,
      namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata?.labels,
      namespacesMatching: (sel: LabelMatcher) => this.namespaces.list().filter((n) => sel.matches(n.metadata?.labels)).map((n) => n.metadata!.name!),
      lister,
      nominatedPodsForNode: (node) => this.nominator.forNode(node),
      runFilters: (state, pod, node) => profile().runFiltersWithNominated(state, pod, node, this.nominator.forNode(node.name)),
      runPreFilterAddPod: (state, pod, toAdd, node) => profile().runPreFilterAddPod(state, pod, toAdd, node),
      runPreFilterRemovePod: (state, pod, toRemove, node) => profile().runPreFilterRemovePod(state, pod, toRemove, node),
      event: (pod, type, reason, message) => this.event(pod, type, reason, reason === "Preempted" ? "Preempting" : "Scheduling", message),
      now: this.now,
    };
  }

  private event(pod: Pod, type: "Normal" | "Warning", reason: string, action: string, message: string): void {
    const obj = { apiVersion: "v1", kind: "Pod", ...pod } as unknown as KubeObject;
    const name = pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME;
    let recorder = this.recorders.get(name);
    if (!recorder && this.opts.recorder) this.recorders.set(name, (recorder = this.opts.recorder(name)));
    recorder?.eventf(obj, undefined, type, reason, action, message);
  }

  /** PodDisruptionBudgets in the scheduler's cache (tests wait on it). */
  pdbCount(): number {
    return this.listed.get("poddisruptionbudgets")!.list().length;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts watching; resolves once the caches are filled and the scheduling loop runs. */
  async start(): Promise<void> {
    this.nodes.on({
      add: (o) => this.onNodeAdd(asNode(o)),
      update: (old, o) => this.onNodeUpdate(asNode(old), asNode(o)),
      delete: (o) => this.onNodeDelete(asNode(o)),
    });
    this.pods.on({
      add: (o) => this.onPodAdd(asPod(o)),
      update: (old, o) => this.onPodUpdate(asPod(old), asPod(o)),
      delete: (o) => this.onPodDelete(asPod(o)),
    });
    this.namespaces.on({
      add: () => this.queue.moveOnEvent("Namespace/Add"),
      update: (old, o) => {
        if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(o.metadata?.labels ?? {})) this.queue.moveOnEvent("Namespace/UpdateNamespaceLabel");
      },
    });
    const volumeEvents: Array<[ListerKind, "PersistentVolumeClaim" | "PersistentVolume" | "StorageClass"]> = [
      ["persistentvolumeclaims", "PersistentVolumeClaim"],
      ["persistentvolumes", "PersistentVolume"],
      ["storageclasses", "StorageClass"],
    ];
    for (const [kind, name] of volumeEvents) {
      this.listed.get(kind)!.on({
        add: () => this.queue.moveOnEvent(`${name}/Add` as ClusterEvent),
        update: () => this.queue.moveOnEvent(`${name}/Update` as ClusterEvent),
      });
    }
    await Promise.all([this.nodes, this.pods, this.namespaces, ...this.listed.values()].map((i) => i.start()));
    this.queue.run();
    this.loopDone = this.loop();
    this.log.info("scheduler started", { profiles: [...this.profiles.keys()], nodes: this.cache.nodeCount, pending: this.queue.size });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    await this.loopDone;
    await Promise.allSettled([...this.bindings]);
  }

  // ------------------------------------------------------------------ event handlers

  private onNodeAdd(node: Node): void {
    this.cache.addOrUpdateNode(node);
    this.queue.moveOnEvent("Node/Add");
  }

  private onNodeUpdate(old: Node, node: Node): void {
    this.cache.addOrUpdateNode(node);
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (!same(old.metadata?.labels, node.metadata?.labels)) this.queue.moveOnEvent("Node/UpdateNodeLabel");
    if (!same(old.spec?.taints, node.spec?.taints) || !!old.spec?.unschedulable !== !!node.spec?.unschedulable) this.queue.moveOnEvent("Node/UpdateNodeTaint");
    if (!same(old.status?.allocatable, node.status?.allocatable)) this.queue.moveOnEvent("Node/UpdateNodeAllocatable");
  }

  private onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata?.name ?? "");
    this.queue.moveOnEvent("Node/Delete");
  }

  private isAssigned(pod: Pod): boolean {
    return !!pod.spec?.nodeName;
  }

  private isFinished(pod: Pod): boolean {
    return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  }

  private onPodAdd(pod: Pod): void {
    if (this.isAssigned(pod)) {
      if (this.isFinished(pod)) return;
      const info = new PodInfo(pod);
      this.cache.addOrUpdatePod(info, pod.spec!.nodeName!);
      this.queue.moveOnEvent("AssignedPod/Add", (qp) => qp.info.requiredAffinity.length > 0 || !!qp.info.pod.spec?.topologySpreadConstraints?.length);
      return;
    }
    if (this.isFinished(pod) || !this.profileFor(pod)) return;
    const info = new PodInfo(pod);
    if (pod.status?.nominatedNodeName) this.nominator.set(info, pod.status.nominatedNodeName);
    this.queue.add(info);
  }

  private onPodUpdate(old: Pod, pod: Pod): void {
    const uid = pod.metadata?.uid ?? "";
    if (this.isAssigned(pod)) {
      // Newly bound (by this scheduler or another), or a bound pod changed.
      this.queue.delete(uid);
      this.nominator.remove(uid);
      if (this.isFinished(pod)) {
        this.cache.removePod(uid);
        this.queue.moveOnEvent("AssignedPod/Delete");
        return;
      }
      const info = new PodInfo(pod);
      const wasBound = this.isAssigned(old);
      this.cache.addOrUpdatePod(info, pod.spec!.nodeName!);
      if (!wasBound) this.queue.moveOnEvent("AssignedPod/Add", (qp) => qp.info.requiredAffinity.length > 0 || !!qp.info.pod.spec?.topologySpreadConstraints?.length);
      else {
        if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {})) this.queue.moveOnEvent("AssignedPod/UpdatePodLabel");
        if (!old.metadata?.deletionTimestamp && pod.metadata?.deletionTimestamp) this.queue.moveOnEvent("AssignedPod/UpdatePodLabel");
      }
      return;
    }
    if (this.isFinished(pod) || !this.profileFor(pod)) {
      this.queue.delete(uid);
      this.nominator.remove(uid);
      return;
    }
    // An assumed pod is being bound: its own status updates change nothing.
    if (this.cache.isAssumed(uid)) return;
    const info = new PodInfo(pod);
    // A nomination made in memory survives updates that carry none yet (upstream's updateNominatedPod).
    const nnn = pod.status?.nominatedNodeName ?? "";
    const keep = !nnn && !old.status?.nominatedNodeName ? this.nominator.nodeFor(uid) : undefined;
    this.nominator.set(info, keep ?? nnn);
    this.queue.update(info);
  }

  private onPodDelete(pod: Pod): void {
    const uid = pod.metadata?.uid ?? "";
    this.queue.delete(uid);
    this.nominator.remove(uid);
    if (this.cache.hasPod(uid)) {
      this.cache.removePod(uid);
      this.queue.moveOnEvent("AssignedPod/Delete");
    }
  }

  // ------------------------------------------------------------------ scheduling loop

  private async loop(): Promise<void> {
    const budget = this.opts.batchMs ?? 20;
    while (!this.stopped) {
      const first = await this.queue.pop();
      if (!first) return;
      const until = performance.now() + budget;
      let qp: QueuedPod | undefined = first;
      while (qp) {
        this.scheduleOneSafely(qp);
        if (this.stopped || performance.now() >= until) break;
        qp = this.queue.popNow();
      }
      // Let informer events and binding writes through before the next batch.
      await yieldToEventLoop();
    }
  }

  private scheduleOneSafely(qp: QueuedPod): void {
    try {
      this.scheduleOne(qp);
    } catch (err) {
      this.log.error("scheduling cycle failed", { pod: qp.info.key, err });
      this.handleFailure(qp, Status.error(err), err instanceof Error ? err.message : String(err), undefined, new Set());
    }
  }

  /** One scheduling cycle: place the pod, assume it, reserve, and start binding. */
  scheduleOne(qp: QueuedPod): void {
    const pod = qp.info;
    const profile = this.profileFor(pod.pod);
    if (!profile || pod.terminating || this.cache.hasPod(pod.uid)) {
      this.queue.done(pod.uid);
      return;
    }
    const state = new CycleState();
    const placement = this.schedulePod(profile, state, pod);
    if (!placement.node) {
      if (placement.failure) {
        const rejected = placement.failure.rejected;
        this.handleFailure(qp, placement.failure, placement.failure.message, undefined, rejected ? new Set([placement.failure.plugin].filter(Boolean)) : new Set());
        return;
      }
      const d = placement.diagnosis!;
      let nominated: string | undefined;
      if (profile.postFilter.length > 0) {
        const r = profile.postFilter[0]!.postFilter(state, pod, d.statuses);
        if (r.status) d.postFilterMsg = r.status.message;
        nominated = r.nominatedNodeName;
      }
      const message = fitErrorMessage(this.cache.nodeCount, d);
      this.handleFailure(qp, Status.unschedulable(message), message, nominated, d.unschedulablePlugins);
      return;
    }
    const node = placement.node.name;
    this.cache.assumePod(pod, node);
    this.nominator.remove(pod.uid);
    const reserved = profile.runReserve(state, pod, node);
    if (reserved) {
      this.cache.forgetPod(pod.uid);
      this.handleFailure(qp, reserved, reserved.message, undefined, reserved.rejected ? new Set([reserved.plugin]) : new Set());
      return;
    }
    const binding = this.bindingCycle(profile, state, qp, node);
    this.bindings.add(binding);
    void binding.finally(() => this.bindings.delete(binding));
  }

  private async bindingCycle(profile: Profile, state: CycleState, qp: QueuedPod, node: string): Promise<void> {
    const pod = qp.info;
    const status = (await profile.runPreBind(state, pod, node)) ?? (await profile.runBind(state, pod, node));
    if (!status) {
      this.boundCount++;
      this.queue.done(pod.uid);
      this.event(pod.pod, "Normal", "Scheduled", "Binding", `Successfully assigned ${pod.namespace}/${pod.name} to ${node}`);
      return;
    }
    profile.runUnreserve(state, pod, node);
    this.cache.forgetPod(pod.uid);
    // The room the pod was assumed to take is free again.
    this.queue.moveOnEvent("AssignedPod/Delete");
    this.handleFailure(qp, status, status.message, undefined, new Set());
  }

  /** upstream's schedulePod: filter, then score the feasible nodes and pick the best. */
  private schedulePod(profile: Profile, state: CycleState, pod: PodInfo): Placement {
    const nodes = this.cache.nodeList();
    if (nodes.length === 0) return { failure: Status.unresolvable("no nodes available to schedule pods") };
    const found = this.findNodesThatFit(profile, state, pod, nodes);
    if ("failure" in found) return found;
    const { feasible, diagnosis } = found;
    if (feasible.length === 0) return { diagnosis };
    if (feasible.length === 1) return { node: feasible[0] };
    const pre = profile.runPreScore(state, pod, feasible);
    if (pre) return { failure: pre };
    const scores = profile.runScore(state, pod, feasible);
    return { node: feasible[selectHost(scores)] };
  }

  private findNodesThatFit(profile: Profile, state: CycleState, pod: PodInfo, nodes: NodeInfo[]): { feasible: NodeInfo[]; diagnosis: Diagnosis } | { failure: Status } {
    const diagnosis: Diagnosis = { statuses: new NodeToStatus(), preFilterMsg: "", postFilterMsg: "", unschedulablePlugins: new Set() };
    const pre = profile.runPreFilter(state, pod, nodes);
    if (pre.status) {
      if (!pre.status.rejected) return { failure: pre.status };
      diagnosis.statuses.absent = pre.status;
      diagnosis.preFilterMsg = pre.status.message;
      for (const p of pre.plugins) diagnosis.unschedulablePlugins.add(p);
      return { feasible: [], diagnosis };
    }
    const useNominated = !this.nominator.empty;
    const filter = (node: NodeInfo) => (useNominated ? profile.runFiltersWithNominated(state, pod, node, this.nominator.forNode(node.name)) : profile.runFilters(state, pod, node));
    // A node nominated by an earlier preemption is tried first.
    const nominatedName = pod.pod.status?.nominatedNodeName;
    if (nominatedName && (!pre.nodeNames || pre.nodeNames.has(nominatedName))) {
      const n = this.cache.getNode(nominatedName);
      if (n && filter(n) === null) return { feasible: [n], diagnosis };
    }
    let candidates = nodes;
    if (pre.nodeNames) {
      candidates = [...pre.nodeNames].map((n) => this.cache.getNode(n)).filter((n): n is NodeInfo => n !== undefined);
      diagnosis.statuses.absent = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.plugins].sort().join(" ")}]`);
      for (const p of pre.plugins) diagnosis.unschedulablePlugins.add(p);
    }
    const feasible: NodeInfo[] = [];
    const want = numFeasibleNodesToFind(candidates.length, profile.config.percentageOfNodesToScore);
    const n = candidates.length;
    // Rejections are kept in arrays and turned into the diagnosis only when no node fits (the
    // common, successful case never needs them).
    const rejectedNodes: NodeInfo[] = [];
    const rejections: Status[] = [];
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = candidates[(this.nextStartNodeIndex + i) % n]!;
      processed++;
      const s = filter(node);
      if (s === null) feasible.push(node);
      else {
        if (s.code === Code.Error) return { failure: s };
        rejectedNodes.push(node);
        rejections.push(s);
      }
    }
    if (n > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % n;
    if (feasible.length === 0) {
      for (let i = 0; i < rejections.length; i++) {
        const s = rejections[i]!;
        diagnosis.statuses.set(rejectedNodes[i]!.name, s);
        if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
      }
    }
    return { feasible, diagnosis };
  }

  /** Requeues the pod and tells the user why (event and PodScheduled condition). */
  private handleFailure(qp: QueuedPod, status: Status, message: string, nominated: string | undefined, rejectedBy: Set<string>): void {
    const pod = qp.info;
    const current = this.pods.get(pod.key);
    const latest = current ? asPod(current) : undefined;
    // Deleted or bound meanwhile: nothing to report.
    if (!latest || latest.metadata?.uid !== pod.uid || this.isAssigned(latest)) {
      this.queue.done(pod.uid);
      return;
    }
    const info = latest === pod.pod ? pod : new PodInfo(latest);
    qp.info = info;
    this.queue.requeueFailed(qp, rejectedBy);
    if (nominated !== undefined) this.nominator.set(info, nominated);
    const reason = status.rejected ? "Unschedulable" : "SchedulerError";
    this.event(latest, "Warning", "FailedScheduling", "Scheduling", truncate(message));
    this.log.v(2).info("unable to schedule pod", { pod: pod.key, reason, message });
    void recordSchedulingFailure(this.client, latest, reason, message, nominated, this.now()).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 404) this.log.v(2).info("could not update pod condition", { pod: pod.key, err });
    });
  }
}

/** Reservoir sampling among the top-scoring nodes (upstream's selectHost): ties are broken at random. */
export function selectHost(scores: number[]): number {
  let best = 0;
  let count = 1;
  for (let i = 1; i < scores.length; i++) {
    if (scores[i]! > scores[best]!) {
      best = i;
      count = 1;
    } else if (scores[i] === scores[best]) {
      count++;
      if (Math.floor(Math.random() * count) === 0) best = i;
    }
  }
  return best;
}

/** Event notes are limited to 1 kB (upstream's truncateMessage). */
function truncate(message: string): string {
  const max = 1024;
  return message.length <= max ? message : `${message.slice(0, max - 4)} ...`;
}

