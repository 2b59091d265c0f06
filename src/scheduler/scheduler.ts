/**
 * The scheduler (kube-scheduler): watches pods and nodes, keeps the cache and the queue current,
 * and runs scheduling cycles — one pod at a time, synchronously against the cache — then binds
 * each placed pod in the background (the binding cycle). Several profiles can run side by side,
 * one per schedulerName; pods naming another scheduler are left alone.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import type { Client, Informer, ResourceRef, SeriesRecorder, SharedInformerFactory } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { Pod } from "./api.ts";
import {
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
import { EventHandlers } from "./event-handlers.ts";
import type { ClusterEvent, Handle, ListerKind, ObjectLister } from "./framework.ts";
import { CycleState } from "./framework.ts";
import { fitErrorMessage } from "./fit-error.ts";
import { Nominator } from "./nominator.ts";
import { PodInfo } from "./pod-info.ts";
import { recordSchedulingFailure } from "./pod-status.ts";
import { Profile, type ProfileConfig } from "./profile.ts";
import { type QueuedPod, SchedulingQueue } from "./queue.ts";
import { NodeSearch } from "./schedule-pod.ts";
import type { LabelMatcher } from "./selectors.ts";
import { Status } from "./status.ts";

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

/** Failures other than "fits nowhere" drop the pod's nomination, as upstream's clearNominatedNode. */
const CLEAR_NOMINATION = "";

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  private readonly search: NodeSearch;
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
    this.search = new NodeSearch(this.cache, this.nominator);
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
    const handlers = new EventHandlers({ cache: this.cache, queue: this.queue, nominator: this.nominator, responsibleFor: (pod) => !!this.profileFor(pod) });
    this.nodes.on(handlers.nodes());
    this.pods.on(handlers.pods());
    this.namespaces.on(handlers.namespaces());
    this.listed.get("persistentvolumeclaims")!.on(handlers.storage("PersistentVolumeClaim"));
    this.listed.get("persistentvolumes")!.on(handlers.storage("PersistentVolume"));
    this.listed.get("storageclasses")!.on(handlers.storage("StorageClass"));
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
      this.handleFailure(qp, Status.error(err), err instanceof Error ? err.message : String(err), CLEAR_NOMINATION, new Set());
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
    const placement = this.search.schedulePod(profile, state, pod);
    if (!placement.node) {
      if (placement.failure) {
        const rejected = placement.failure.rejected;
        this.handleFailure(qp, placement.failure, placement.failure.message, CLEAR_NOMINATION, rejected ? new Set([placement.failure.plugin].filter(Boolean)) : new Set());
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
      this.handleFailure(qp, reserved, reserved.message, CLEAR_NOMINATION, reserved.rejected ? new Set([reserved.plugin]) : new Set());
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
    this.handleFailure(qp, status, status.message, CLEAR_NOMINATION, new Set());
  }

  /** Requeues the pod and tells the user why (event and PodScheduled condition). */
  private handleFailure(qp: QueuedPod, status: Status, message: string, nominated: string | undefined, rejectedBy: Set<string>): void {
    const pod = qp.info;
    const current = this.pods.get(pod.key);
    const latest = current ? asPod(current) : undefined;
    // Deleted or bound meanwhile: nothing to report.
    if (!latest || latest.metadata?.uid !== pod.uid || latest.spec?.nodeName) {
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

/** Event notes are limited to 1 kB (upstream's truncateMessage). */
function truncate(message: string): string {
  const max = 1024;
  return message.length <= max ? message : `${message.slice(0, max - 4)} ...`;
}

