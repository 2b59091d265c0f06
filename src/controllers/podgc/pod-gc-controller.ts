/**
 * The pod garbage collector (kube-controller-manager's "pod-garbage-collector-controller"),
 * every 20 s upstream:
 *   - terminated pods (Succeeded/Failed) beyond --terminated-pod-gc-threshold (12500), oldest first;
 *   - orphaned pods bound to a node that no longer exists (after the node has been missing for a
 *     40 s quarantine and a live read confirms it), marked Failed with a DisruptionTarget
 *     condition first;
 *   - terminating pods that were never scheduled (no kubelet will ever finish their deletion);
 *   - terminating pods on a not-ready node tainted node.kubernetes.io/out-of-service.
 * Deletions are forced (grace period 0).
 */
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import { objectKey } from "../../client/index.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { isPodTerminal } from "../common/pods.ts";
import { as, isApiError, NODES, PODS, rfc3339, timeOf, type Node, type Pod } from "../common/types.ts";

export interface PodGcOptions {
  /** --terminated-pod-gc-threshold: terminated pods kept; 0 disables that part. */
  terminatedPodThreshold?: number;
  /** How often to collect (20 s upstream). */
  periodMs?: number;
  /** How long a node must be missing before its pods count as orphans (40 s upstream). */
  quarantineMs?: number;
  clock?: Clock;
}

const OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";

function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

export class PodGcController implements Controller {
  readonly name = "pod-garbage-collector-controller";
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly clock: Clock;
  private readonly threshold: number;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  /** Names of nodes pods point at that the cache lacks, with when they were first missed. */
  private readonly missingNodes = new Map<string, number>();
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: ControllerContext,
    opts: PodGcOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.threshold = opts.terminatedPodThreshold ?? 12_500;
    this.periodMs = opts.periodMs ?? 20_000;
    this.quarantineMs = opts.quarantineMs ?? 40_000;
    this.pods = ctx.informers.informer(PODS);
    this.nodes = ctx.informers.informer(NODES);
  }

  async start(): Promise<void> {
    await Promise.all([this.pods.start(), this.nodes.start()]);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.cancelTimer = this.clock.after(ms, () => {
      this.running = this.gc()
        .catch((err: unknown) => this.ctx.log.warn("pod garbage collection failed", { err }))
        .finally(() => this.schedule(this.periodMs));
    });
  }

  /** One collection pass. */
  async gc(): Promise<void> {
    const pods = this.pods.list().map((p) => as<Pod>(p));
    if (this.threshold > 0) await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: Pod[]): Promise<void> {
    const terminated = pods.filter(isPodTerminal);
    const excess = terminated.length - this.threshold;
    if (excess <= 0) return;
    terminated.sort((a, b) => timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp));
    this.ctx.log.info("garbage collecting terminated pods", { count: excess, threshold: this.threshold });
    for (const pod of terminated.slice(0, excess)) await this.forceDelete(pod);
  }

  /** Pods stuck terminating on a node declared out of service (its kubelet will not finish them). */
  private async gcTerminating(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata?.deletionTimestamp || isPodTerminal(pod) || !pod.spec?.nodeName) continue;
      const node = this.nodes.get(pod.spec.nodeName);
      if (!node || isNodeReady(as<Node>(node))) continue;
      if (!(as<Node>(node).spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT)) continue;
      await this.markFailedAndDelete(pod, undefined);
    }
  }

  private async gcOrphaned(pods: Pod[]): Promise<void> {
    const now = this.clock.now();
    const nodesInUse = new Set<string>();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (!node || this.nodes.get(node)) continue;
      nodesInUse.add(node);
      if (!this.missingNodes.has(node)) this.missingNodes.set(node, now);
    }
    for (const [node, since] of this.missingNodes) {
      if (!nodesInUse.has(node)) {
        this.missingNodes.delete(node);
        continue;
      }
      if (now - since < this.quarantineMs || !(await this.nodeGone(node))) continue;
      this.missingNodes.delete(node);
      for (const pod of pods) {
        if (pod.spec?.nodeName !== node) continue;
        this.ctx.log.info("found orphaned pod assigned to a deleted node, deleting", { pod: objectKey(pod), node });
        await this.markFailedAndDelete(pod, { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" });
      }
    }
  }

  private async gcUnscheduledTerminating(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata?.deletionTimestamp || pod.spec?.nodeName) continue;
      await this.markFailedAndDelete(pod, undefined);
    }
  }

  /** A live read: the cache may simply lag behind a node that was just created. */
  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.ctx.client.get(NODES, "", name);
      return false;
    } catch (err) {
      if (isApiError(err, 404)) return true;
      throw err;
    }
  }

  /** A pod not yet finished is first marked Failed (with the condition saying why), then force-deleted. */
  private async markFailedAndDelete(pod: Pod, condition: { type: string; status: string; reason: string; message: string } | undefined): Promise<void> {
    if (!isPodTerminal(pod)) {
      const status: Record<string, unknown> = { phase: "Failed" };
      if (condition) status.conditions = [{ ...condition, lastTransitionTime: rfc3339(this.clock.now()) }];
      try {
        await this.ctx.client.patch(PODS, pod.metadata!.namespace!, pod.metadata!.name!, "application/strategic-merge-patch+json", { status }, { subresource: "status" });
      } catch (err) {
        if (isApiError(err, 404)) return;
        throw err;
      }
    }
    await this.forceDelete(pod);
  }

  private async forceDelete(pod: Pod): Promise<void> {
    try {
      await this.ctx.client.delete(PODS, pod.metadata!.namespace!, pod.metadata!.name!, { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
    }
  }
}
