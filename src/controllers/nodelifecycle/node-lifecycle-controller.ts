/**
 * The node lifecycle controller (kube-controller-manager's "node-lifecycle-controller"):
 *   - every monitor period (5 s) it checks each node's heartbeats (Ready condition, Lease in
 *     kube-node-lease); a node silent for the grace period gets all its conditions Unknown,
 *     its pods marked not ready, and a NodeNotReady event;
 *   - nodes whose Ready is False or Unknown get the not-ready / unreachable NoExecute taint
 *     (paced per zone, stopped when every zone is fully disrupted); the taint eviction
 *     controller then evicts pods that do not tolerate it; healthy nodes lose those taints;
 *   - on every node change it keeps the NoSchedule taints in line with the node's conditions
 *     and with spec.unschedulable (node.kubernetes.io/unschedulable, what `kubectl cordon` sets).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { hasTaint, TAINT_NOT_READY, TAINT_UNREACHABLE } from "../common/taints.ts";
import { as, isApiError, LEASES, NODES, PODS, rfc3339, type Lease, type Node, type Pod, type Taint } from "../common/types.ts";
import { condition, updateNodeHealth, type NodeHealth } from "./node-health.ts";
import { changeTaints, desiredNoScheduleTaints, MANAGED_NO_SCHEDULE_KEYS, NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE } from "./node-taints.ts";
import { computeZoneState, TokenBucket, zoneKey, ZoneTainter, type ZoneState } from "./zones.ts";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
export const BY_NODE_NAME = "spec.nodeName";
const EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption";

export interface NodeLifecycleOptions {
  clock?: Clock;
  /** --node-monitor-period (5 s). */
  monitorPeriodMs?: number;
  /** --node-monitor-grace-period (40 s in 1.32). */
  gracePeriodMs?: number;
  /** --node-startup-grace-period (60 s). */
  startupGracePeriodMs?: number;
  /** --node-eviction-rate (0.1 nodes per second per zone) and --secondary-node-eviction-rate (0.01). */
  evictionRate?: number;
  secondaryEvictionRate?: number;
  /** --large-cluster-size-threshold (50) and --unhealthy-zone-threshold (0.55). */
  largeClusterThreshold?: number;
  unhealthyZoneThreshold?: number;
}

/** The shared pod informer, indexed by node (several node controllers ask for it). */
export function podsByNode(ctx: ControllerContext): Informer {
  return ctx.informers.informer(PODS, {}, { [BY_NODE_NAME]: (obj) => [as<Pod>(obj).spec?.nodeName ?? ""] });
}

export class NodeLifecycleController extends KeyedController {
  readonly name = "node-lifecycle-controller";
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly opts: Required<Omit<NodeLifecycleOptions, "clock">>;
  private readonly health = new Map<string, NodeHealth>();
  private readonly known = new Set<string>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, ZoneTainter>();
  /** Nodes whose pods could not all be marked not ready; retried next pass. */
  private readonly retryPods = new Set<string>();
  private cancelMonitor: (() => void) | undefined;
  private cancelTainting: (() => void) | undefined;
  private monitoring: Promise<void> | undefined;
  private halted = false;

  constructor(ctx: ControllerContext, opts: NodeLifecycleOptions = {}) {
    super(ctx, opts.clock ?? realClock, 1);
    this.opts = {
      monitorPeriodMs: opts.monitorPeriodMs ?? 5000,
      gracePeriodMs: opts.gracePeriodMs ?? 40_000,
      startupGracePeriodMs: opts.startupGracePeriodMs ?? 60_000,
      evictionRate: opts.evictionRate ?? 0.1,
      secondaryEvictionRate: opts.secondaryEvictionRate ?? 0.01,
      largeClusterThreshold: opts.largeClusterThreshold ?? 50,
      unhealthyZoneThreshold: opts.unhealthyZoneThreshold ?? 0.55,
    };
    this.recorder = ctx.recorder("node-controller");
    const enqueue = (obj: KubeObject) => this.queue.add(obj.metadata?.name ?? "");
    this.nodes = this.watch(ctx.informers.informer(NODES), { add: enqueue, update: (_, cur) => enqueue(cur) });
    this.leases = this.watch(ctx.informers.informer(LEASES, { namespace: NODE_LEASE_NAMESPACE }), {});
    this.pods = this.watch(podsByNode(ctx), {});
  }

  override async start(): Promise<void> {
    await super.start();
    this.scheduleMonitor(0);
    this.scheduleTainting();
  }

  override async stop(): Promise<void> {
    this.halted = true;
    this.cancelMonitor?.();
    this.cancelTainting?.();
    await this.monitoring;
    await super.stop();
  }

  private scheduleMonitor(ms: number): void {
    if (this.halted) return;
    this.cancelMonitor = this.clock.after(ms, () => {
      this.monitoring = this.monitorNodeHealth()
        .catch((err: unknown) => this.log.warn("node health pass failed", { err }))
        .finally(() => this.scheduleMonitor(this.opts.monitorPeriodMs));
    });
  }

  /** The NoExecute taint queue is worked every 100 ms (upstream's nodeEvictionPeriod). */
  private scheduleTainting(): void {
    if (this.halted) return;
    this.cancelTainting = this.clock.after(Math.min(100, this.opts.monitorPeriodMs), () => {
      void this.processTaintQueues()
        .catch((err: unknown) => this.log.warn("node tainting failed", { err }))
        .finally(() => this.scheduleTainting());
    });
  }

  /** On every node change: NoSchedule taints follow conditions and spec.unschedulable. */
  protected async sync(name: string): Promise<void> {
    const cached = this.nodes.get(name);
    if (!cached) return;
    const node = as<Node>(cached);
    const desired = desiredNoScheduleTaints(node);
    const current = (node.spec?.taints ?? []).filter((t) => t.effect === "NoSchedule" && MANAGED_NO_SCHEDULE_KEYS.includes(t.key));
    const add = desired.filter((d) => !current.some((c) => c.key === d.key));
    const remove = current.filter((c) => !desired.some((d) => d.key === c.key));
    if (add.length === 0 && remove.length === 0) return;
    await changeTaints(this.ctx.client, name, add, remove, this.clock.now());
  }

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list().map((n) => as<Node>(n));
    this.trackMembership(nodes);
    const zoneReady = new Map<string, Array<string | undefined>>();
    for (const node of nodes) {
      const name = node.metadata!.name!;
      const lease = this.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`);
      const r = updateNodeHealth(node, lease && as<Lease>(lease), this.health.get(name), {
        now: this.clock.now(),
        gracePeriodMs: this.opts.gracePeriodMs,
        startupGracePeriodMs: this.opts.startupGracePeriodMs,
      });
      let current = r.currentReady;
      let written = node;
      if (r.updatedNode) {
        try {
          written = as<Node>(await this.ctx.client.update(NODES, "", r.updatedNode, { subresource: "status" }));
          this.health.set(name, r.health);
        } catch (err) {
          if (!isApiError(err, 404) && !isApiError(err, 409)) this.log.warn("could not update node status", { node: name, err });
          this.health.set(name, { ...r.health, readyCondition: r.observedReady });
          current = r.observedReady;
        }
      } else this.health.set(name, r.health);
      if (!node.metadata?.labels?.[EXCLUDE_DISRUPTION_LABEL]) {
        const zone = zoneKey(node);
        zoneReady.set(zone, [...(zoneReady.get(zone) ?? []), current?.status]);
      }
      if (!current) continue;
      await this.processTaintBasedEviction(written, r.observedReady.status);
      const becameNotReady = current.status !== "True" && r.observedReady.status === "True";
      if (becameNotReady) this.recorder.event(nodeRef(node), "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      if (becameNotReady || (this.retryPods.has(name) && r.observedReady.status !== "True")) {
        if (await this.markPodsNotReady(name)) this.retryPods.delete(name);
        else this.retryPods.add(name);
      } else this.retryPods.delete(name);
    }
    await this.handleDisruption(zoneReady, nodes);
  }

  /** RegisteredNode / RemovingNode events, and forgetting removed nodes. */
  private trackMembership(nodes: Node[]): void {
    const names = new Set(nodes.map((n) => n.metadata!.name!));
    for (const node of nodes) {
      const name = node.metadata!.name!;
      if (this.known.has(name)) continue;
      this.known.add(name);
      this.recorder.event(nodeRef(node), "Normal", "RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`);
      const zone = zoneKey(node);
      if (!this.tainters.has(zone)) this.tainters.set(zone, new ZoneTainter(new TokenBucket(this.opts.evictionRate, this.clock.now())));
    }
    for (const name of [...this.known]) {
      if (names.has(name)) continue;
      this.known.delete(name);
      this.health.delete(name);
      for (const t of this.tainters.values()) t.queue.delete(name);
      this.recorder.event({ apiVersion: "v1", kind: "Node", metadata: { name, uid: name } }, "Normal", "RemovingNode", `Node ${name} event: Removing Node ${name} from Controller`);
    }
  }

  /**
   * NoExecute taints from the Ready status the node reported: not-ready for False, unreachable for
   * Unknown (swapped at once when the other is present), none for True.
   */
  private async processTaintBasedEviction(node: Node, observed: string | undefined): Promise<void> {
    const name = node.metadata!.name!;
    const taints = node.spec?.taints;
    const now = this.clock.now();
    if (observed === "False") {
      if (hasTaint(taints, TAINT_UNREACHABLE, "NoExecute")) await changeTaints(this.ctx.client, name, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], now);
      else if (!hasTaint(taints, TAINT_NOT_READY, "NoExecute")) this.tainterFor(node).queue.add(name);
    } else if (observed === "Unknown") {
      if (hasTaint(taints, TAINT_NOT_READY, "NoExecute")) await changeTaints(this.ctx.client, name, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], now);
      else if (!hasTaint(taints, TAINT_UNREACHABLE, "NoExecute")) this.tainterFor(node).queue.add(name);
    } else if (observed === "True") {
      await this.markReachable(node);
    }
  }

  private tainterFor(node: Node): ZoneTainter {
    const zone = zoneKey(node);
    let t = this.tainters.get(zone);
    if (!t) this.tainters.set(zone, (t = new ZoneTainter(new TokenBucket(this.opts.evictionRate, this.clock.now()))));
    return t;
  }

  /** Removes the NoExecute taints and any queued tainting; true when there was something to remove. */
  private async markReachable(node: Node): Promise<boolean> {
    const name = node.metadata!.name!;
    for (const t of this.tainters.values()) t.queue.delete(name);
    const taints = node.spec?.taints;
    if (!hasTaint(taints, TAINT_UNREACHABLE, "NoExecute") && !hasTaint(taints, TAINT_NOT_READY, "NoExecute")) return false;
    await changeTaints(this.ctx.client, name, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE], this.clock.now());
    this.log.v(2).info("node is healthy again, removed its NoExecute taints", { node: name });
    return true;
  }

  /** Adds queued NoExecute taints as each zone's limiter allows (doNoExecuteTaintingPass). */
  private async processTaintQueues(): Promise<void> {
    for (const tainter of this.tainters.values()) {
      for (const name of [...tainter.queue]) {
        const cached = this.nodes.get(name);
        if (!cached) {
          tainter.queue.delete(name);
          continue;
        }
        const node = as<Node>(cached);
        const ready = condition(node, "Ready")?.status;
        let add: Taint | undefined;
        let opposite: Taint | undefined;
        if (ready === "False") [add, opposite] = [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE];
        else if (ready === "Unknown") [add, opposite] = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
        if (!add || !opposite) {
          tainter.queue.delete(name);
          continue;
        }
        if (!tainter.limiter.tryAccept(this.clock.now())) break;
        tainter.queue.delete(name);
        await changeTaints(this.ctx.client, name, [add], [opposite], this.clock.now());
        this.log.info("node tainted for eviction", { node: name, taint: add.key });
      }
    }
  }

  /** Sets the Ready condition of the node's pods to False (controllerutil.MarkPodsNotReady). */
  private async markPodsNotReady(nodeName: string): Promise<boolean> {
    let ok = true;
    for (const obj of this.pods.byIndex(BY_NODE_NAME, nodeName)) {
      const pod = structuredClone(as<Pod>(obj));
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      if (!ready || ready.status === "False") continue;
      ready.status = "False";
      ready.lastTransitionTime = rfc3339(this.clock.now());
      try {
        await this.ctx.client.update(PODS, pod.metadata!.namespace!, pod, { subresource: "status" });
        this.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready");
      } catch (err) {
        if (isApiError(err, 404)) continue;
        this.log.warn("could not mark pod not ready", { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err });
        ok = false;
      }
    }
    return ok;
  }

  private limiterRate(state: ZoneState, zoneSize: number): number {
    if (state === "PartialDisruption") return zoneSize <= this.opts.largeClusterThreshold ? 0 : this.opts.secondaryEvictionRate;
    return this.opts.evictionRate;
  }

  private setZoneRate(zone: string, state: ZoneState, zoneSize: number): void {
    const tainter = this.tainters.get(zone);
    tainter?.limiter.setRate(this.limiterRate(state, zoneSize), this.clock.now());
  }

  /** Zone states and eviction rates (upstream's handleDisruption). */
  private async handleDisruption(zoneReady: Map<string, Array<string | undefined>>, nodes: Node[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allFully = true;
    for (const [zone, statuses] of zoneReady) {
      const state = computeZoneState(statuses, this.opts.unhealthyZoneThreshold);
      if (state !== "FullDisruption") allFully = false;
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, "Initial");
    }
    let allWereFully = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneReady.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== "FullDisruption") allWereFully = false;
    }
    if (allFully && allWereFully) return;
    if (allFully) {
      this.log.info("Controller detected that all Nodes are not-Ready. Entering master disruption mode");
      for (const node of nodes) await this.markReachable(node);
      for (const zone of this.zoneStates.keys()) {
        this.tainters.get(zone)?.limiter.setRate(0, this.clock.now());
        this.zoneStates.set(zone, "FullDisruption");
      }
      return;
    }
    if (allWereFully) {
      this.log.info("Controller detected that some Nodes are Ready. Exiting master disruption mode");
      // Every node gets a fresh grace period: their silence may have been ours.
      const now = this.clock.now();
      for (const [name, h] of this.health) this.health.set(name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
      for (const zone of this.zoneStates.keys()) {
        const state = newStates.get(zone) ?? "Normal";
        this.setZoneRate(zone, state, zoneReady.get(zone)?.length ?? 0);
        this.zoneStates.set(zone, state);
      }
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const next = newStates.get(zone) ?? "Normal";
      if (state === next) continue;
      this.log.info("Controller detected that zone is now in new state", { zone, newState: next });
      this.setZoneRate(zone, next, zoneReady.get(zone)?.length ?? 0);
      this.zoneStates.set(zone, next);
    }
  }
}

/** Node events name the node as upstream's recorder does (its UID field holds the name). */
function nodeRef(node: Node): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name: node.metadata?.name, uid: node.metadata?.name } };
}
