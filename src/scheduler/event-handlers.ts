/**
 * From informer events to the cache and the queue (upstream's eventhandlers.go): bound pods and
 * nodes feed the cache, pending pods of this scheduler's profiles feed the queue, and each change
 * that may help waiting pods is announced to the queue as a cluster event.
 */
import type { InformerHandlers } from "../client/index.ts";
import type { Node, Pod } from "./api.ts";
import { asNode, asPod } from "./api.ts";
import type { SchedulerCache } from "./cache.ts";
import type { ClusterEvent } from "./framework.ts";
import type { Nominator } from "./nominator.ts";
import { PodInfo } from "./pod-info.ts";
import type { SchedulingQueue } from "./queue.ts";

export interface EventTargets {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  nominator: Nominator;
  /** Whether one of this scheduler's profiles schedules the pod. */
  responsibleFor(pod: Pod): boolean;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Pods waiting with pod affinity or topology spread may be helped by a newly placed pod. */
const mayNeedPlacedPods = (qp: { info: PodInfo }) => qp.info.requiredAffinity.length > 0 || !!qp.info.pod.spec?.topologySpreadConstraints?.length;

export class EventHandlers {
  private readonly cache: SchedulerCache;
  private readonly queue: SchedulingQueue;
  private readonly nominator: Nominator;

  constructor(private readonly t: EventTargets) {
    this.cache = t.cache;
    this.queue = t.queue;
    this.nominator = t.nominator;
  }

  nodes(): InformerHandlers {
    return {
      add: (o) => this.onNodeAdd(asNode(o)),
      update: (old, o) => this.onNodeUpdate(asNode(old), asNode(o)),
      delete: (o) => this.onNodeDelete(asNode(o)),
    };
  }

  pods(): InformerHandlers {
    return {
      add: (o) => this.onPodAdd(asPod(o)),
      update: (old, o) => this.onPodUpdate(asPod(old), asPod(o)),
      delete: (o) => this.onPodDelete(asPod(o)),
    };
  }

  namespaces(): InformerHandlers {
    return {
      add: () => this.queue.moveOnEvent("Namespace/Add"),
      update: (old, o) => {
        if (!sameJson(old.metadata?.labels, o.metadata?.labels)) this.queue.moveOnEvent("Namespace/UpdateNamespaceLabel");
      },
    };
  }

  /** Claims, volumes and storage classes: added or changed. */
  storage(kind: "PersistentVolumeClaim" | "PersistentVolume" | "StorageClass"): InformerHandlers {
    return {
      add: () => this.queue.moveOnEvent(`${kind}/Add` as ClusterEvent),
      update: () => this.queue.moveOnEvent(`${kind}/Update` as ClusterEvent),
    };
  }

  onNodeAdd(node: Node): void {
    this.cache.addOrUpdateNode(node);
    this.queue.moveOnEvent("Node/Add");
  }

  onNodeUpdate(old: Node, node: Node): void {
    this.cache.addOrUpdateNode(node);
    if (!sameJson(old.metadata?.labels, node.metadata?.labels)) this.queue.moveOnEvent("Node/UpdateNodeLabel");
    if (!sameJson(old.spec?.taints, node.spec?.taints) || !!old.spec?.unschedulable !== !!node.spec?.unschedulable) this.queue.moveOnEvent("Node/UpdateNodeTaint");
    if (!sameJson(old.status?.allocatable, node.status?.allocatable)) this.queue.moveOnEvent("Node/UpdateNodeAllocatable");
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata?.name ?? "");
    this.queue.moveOnEvent("Node/Delete");
  }

  private isAssigned(pod: Pod): boolean {
    return !!pod.spec?.nodeName;
  }

  private isFinished(pod: Pod): boolean {
    return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  }

  onPodAdd(pod: Pod): void {
    if (this.isAssigned(pod)) {
      if (this.isFinished(pod)) return;
      const info = new PodInfo(pod);
      this.cache.addOrUpdatePod(info, pod.spec!.nodeName!);
      this.queue.moveOnEvent("AssignedPod/Add", mayNeedPlacedPods);
      return;
    }
    if (this.isFinished(pod) || !this.t.responsibleFor(pod)) return;
    const info = new PodInfo(pod);
    if (pod.status?.nominatedNodeName) this.nominator.set(info, pod.status.nominatedNodeName);
    this.queue.add(info);
  }

  onPodUpdate(old: Pod, pod: Pod): void {
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
      if (!wasBound) this.queue.moveOnEvent("AssignedPod/Add", mayNeedPlacedPods);
      else {
        if (!sameJson(old.metadata?.labels, pod.metadata?.labels)) this.queue.moveOnEvent("AssignedPod/UpdatePodLabel");
        // A terminating pod stops counting for topology spread, as if its labels no longer matched.
        if (!old.metadata?.deletionTimestamp && pod.metadata?.deletionTimestamp) this.queue.moveOnEvent("AssignedPod/UpdatePodLabel");
      }
      return;
    }
    if (this.isFinished(pod) || !this.t.responsibleFor(pod)) {
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

  onPodDelete(pod: Pod): void {
    const uid = pod.metadata?.uid ?? "";
    this.queue.delete(uid);
    this.nominator.remove(uid);
    if (this.cache.hasPod(uid)) {
      this.cache.removePod(uid);
      this.queue.moveOnEvent("AssignedPod/Delete");
    }
  }
}
