/**
 * The taint eviction controller (kube-controller-manager's "taint-eviction-controller", the
 * former taint manager): pods on a node with NoExecute taints they do not tolerate are deleted
 * at once; pods tolerating them for tolerationSeconds are deleted that long after the taint
 * was first seen (the DefaultTolerationSeconds admission gives every pod 300 s for not-ready and
 * unreachable); removing the taint cancels a pending deletion. Deleted pods first get the
 * DisruptionTarget condition (reason DeletionByTaintManager).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey, splitKey } from "../../client/index.ts";
import { BY_NODE_NAME, podsByNode } from "../nodelifecycle/index.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { isPodTerminal } from "../common/pods.ts";
import { matchingTolerations } from "../common/taints.ts";
import { as, isApiError, NODES, PODS, rfc3339, type Node, type Pod, type Taint, type Toleration } from "../common/types.ts";

export interface TaintEvictionOptions {
  clock?: Clock;
  workers?: number;
}

/** The shortest tolerationSeconds among the tolerations used; -1 when they tolerate forever. */
function minTolerationMs(used: Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds == null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds * 1000);
  }
  return min === Infinity ? -1 : min;
}

export class TaintEvictionController extends KeyedController {
  readonly name = "taint-eviction-controller";
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  /** Pending evictions by pod key: when the wait started and when it ends. */
  private readonly scheduled = new Map<string, { createdAt: number; fireAt: number }>();

  constructor(ctx: ControllerContext, opts: TaintEvictionOptions = {}) {
    super(ctx, opts.clock ?? realClock, opts.workers ?? 8);
    this.recorder = ctx.recorder("taint-eviction-controller");
    const podChanged = (obj: KubeObject) => {
      if (as<Pod>(obj).spec?.nodeName) this.queue.add(objectKey(obj));
    };
    this.pods = this.watch(podsByNode(ctx), {
      add: podChanged,
      update: (old, cur) => {
        const o = as<Pod>(old);
        const c = as<Pod>(cur);
        if (o.spec?.nodeName !== c.spec?.nodeName || JSON.stringify(o.spec?.tolerations) !== JSON.stringify(c.spec?.tolerations)) podChanged(cur);
      },
      delete: (obj) => this.cancel(objectKey(obj), false),
    });
    const nodeChanged = (node: KubeObject) => {
      for (const pod of this.pods.byIndex(BY_NODE_NAME, node.metadata?.name ?? "")) this.queue.add(objectKey(pod));
    };
    this.nodes = this.watch(ctx.informers.informer(NODES), {
      add: nodeChanged,
      update: (old, cur) => {
        if (JSON.stringify(noExecute(as<Node>(old))) !== JSON.stringify(noExecute(as<Node>(cur)))) nodeChanged(cur);
      },
      delete: nodeChanged,
    });
  }

  /** Drops a pending eviction; with an event when `announce` (the taint went away or is tolerated). */
  private cancel(key: string, announce: boolean): void {
    if (!this.scheduled.delete(key) || !announce) return;
    const cached = this.pods.get(key);
    if (cached) this.recorder.event(as<Pod>(cached), "Normal", "TaintManagerEviction", `Cancelling deletion of Pod ${key}`);
  }

  protected async sync(key: string): Promise<void> {
    const cached = this.pods.get(key);
    if (!cached) return this.cancel(key, false);
    const pod = as<Pod>(cached);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isPodTerminal(pod)) return this.cancel(key, false);
    const node = this.nodes.get(nodeName);
    const taints = node ? noExecute(as<Node>(node)) : [];
    const now = this.clock.now();
    if (taints.length === 0) return this.cancel(key, true);
    const { all, used } = matchingTolerations(taints, pod.spec?.tolerations ?? []);
    if (!all) {
      this.scheduled.delete(key);
      return this.evict(key);
    }
    const wait = minTolerationMs(used);
    if (wait < 0) return this.cancel(key, true);
    // A wait already under way keeps its time (upstream keeps the scheduled work).
    let held = this.scheduled.get(key);
    if (!held) this.scheduled.set(key, (held = { createdAt: now, fireAt: now + wait }));
    if (held.fireAt > now) return this.enqueueAfter(key, held.fireAt - now);
    this.scheduled.delete(key);
    await this.evict(key);
  }

  /** Marks the pod with DisruptionTarget, then deletes it with its own grace period. */
  private async evict(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.pods.get(key);
    if (!cached || as<Pod>(cached).metadata?.deletionTimestamp) return;
    this.recorder.event(as<Pod>(cached), "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    const condition = { type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint", lastTransitionTime: rfc3339(this.clock.now()) };
    try {
      await this.ctx.client.patch(PODS, namespace, name, "application/strategic-merge-patch+json", { status: { conditions: [condition] } }, { subresource: "status" });
      await this.ctx.client.delete(PODS, namespace, name);
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
    }
  }
}

function noExecute(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === "NoExecute");
}
