/**
 * The DaemonSet controller (upstream's pkg/controller/daemon): one pod per eligible node, pinned
 * by node affinity (the scheduler binds it), with the tolerations upstream adds; see sync.ts for
 * one pass and history.ts for its ControllerRevisions.
 */
import type { Informer } from "../../client/index.ts";
import type { LabelSelector } from "../../apiserver/selectors/index.ts";
import type { ControllerContext } from "../context.ts";
import type { ControllerRevision, DaemonSet, Node, Pod } from "../common/types.ts";
import { splitKey } from "../../client/index.ts";
import { claim, controllerOf } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { CONTROLLER_REVISION_HASH } from "../common/history.ts";
import { PodControl } from "../common/pod-control.ts";
import { isPodReady, nextAvailableCheck } from "../common/pods.ts";
import { writeStatus } from "../common/status-writer.ts";
import { CONTROLLER_REVISIONS, DAEMONSETS, errorMessage, NODES, PODS } from "../common/types.ts";
import { PodCreatingController } from "../common/workload-controller.ts";
import { cleanupHistory, currentRevision } from "./history.ts";
import { shouldRun, targetNode } from "./placement.ts";
import { DaemonSetSync, FailedPodBackoff, type SyncDeps } from "./sync.ts";

export interface DaemonSetControllerOptions {
  /** --concurrent-daemonset-syncs (2). */
  workers?: number;
}

const STATUS_FIELDS = [
  "currentNumberScheduled",
  "numberMisscheduled",
  "desiredNumberScheduled",
  "numberReady",
  "updatedNumberScheduled",
  "numberAvailable",
  "numberUnavailable",
  "observedGeneration",
] as const;

export class DaemonSetController extends PodCreatingController {
  readonly name = "daemonset-controller";
  private readonly backoff = new FailedPodBackoff();
  private readonly nodes: Informer;
  private readonly revisions: Informer;
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext, opts: DaemonSetControllerOptions = {}) {
    super(ctx, { kind: "DaemonSet", ref: DAEMONSETS, component: "daemonset-controller" }, opts.workers ?? 2);
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.nodes = this.watch(ctx.informers.informer(NODES), {
      add: (n) => this.nodeChanged(undefined, n as Node),
      update: (old, n) => this.nodeChanged(old as Node, n as Node),
      delete: () => this.enqueueAll(),
    });
    this.revisions = this.read(ctx.informers.informer(CONTROLLER_REVISIONS));
  }

  protected override syncFailed(key: string, err: unknown): void {
    this.log.v(2).info("daemonset sync failed; retrying", { daemonset: key, err: errorMessage(err) });
  }

  private enqueueAll(): void {
    for (const ds of this.owners.list()) this.enqueue(ds);
  }

  protected podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp) return this.podDeleted(cur);
    const prev = controllerOf(old)?.uid !== controllerOf(cur)?.uid ? this.ownerOf(old) : undefined;
    if (prev) this.enqueue(prev);
    const ds = this.ownerOf(cur) as DaemonSet | undefined;
    if (ds) {
      this.enqueue(ds);
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueue(ds, minReady * 1000 + 1000);
      return;
    }
    if (!controllerOf(cur) && !deepEqual(old.metadata?.labels, cur.metadata?.labels)) for (const d of this.orphanOwners(cur)) this.enqueue(d);
  }

  /** A node came or changed in a way that may change where daemon pods belong. */
  private nodeChanged(old: Node | undefined, node: Node): void {
    if (old && deepEqual(old.metadata?.labels, node.metadata?.labels) && deepEqual(old.spec?.taints, node.spec?.taints) && old.spec?.unschedulable === node.spec?.unschedulable) return;
    for (const ds of this.owners.list() as DaemonSet[]) {
      const now = shouldRun(node, ds);
      const before = old ? shouldRun(old, ds) : { run: false, keep: false };
      if (now.run !== before.run || now.keep !== before.keep) this.enqueue(ds);
    }
  }

  protected async sync(key: string): Promise<void> {
    const cached = this.owners.get(key) as DaemonSet | undefined;
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    const selector = this.selectorOf(ds);
    if (!selector || selector.isEmpty()) {
      this.recorder.event(ds, "Warning", "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const client = this.ctx.client;
    const revisions = (await claim(this.revisions.listIn(namespace), { client, ref: CONTROLLER_REVISIONS, owner: ds, ownerRef: DAEMONSETS, selector })) as ControllerRevision[];
    const { current, old } = await currentRevision(client, ds, revisions);
    const hash = current.metadata?.labels?.[CONTROLLER_REVISION_HASH] ?? "";
    const nodes = this.nodes.list() as Node[];
    const pods = await this.claimPods(ds, selector);
    const deps: SyncDeps = {
      client,
      recorder: this.recorder,
      podControl: this.podControl,
      expectations: this.expectations,
      backoff: this.backoff,
      requeueAfter: (ms) => this.enqueueAfter(key, ms),
      now: () => this.clock.now(),
    };
    const pass = (forPods: Pod[]) => new DaemonSetSync(deps, ds, nodes, this.groupByNode(forPods), key);
    const satisfied = this.expectations.satisfied(key);
    let failure: unknown;
    if (satisfied) {
      try {
        await pass(pods).manage(hash);
        // Rolling update only once the creations and deletions just made have been seen.
        if (this.expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate") await pass(pods).rollingUpdate(hash);
        await cleanupHistory(client, ds, old, pods);
      } catch (err) {
        failure = err;
      }
    }
    // The status from the cache as it stands (new pods show up in the next pass).
    const status = pass(pods).status(hash, satisfied);
    const held = (ds.status ?? {}) as Record<string, unknown>;
    if (!STATUS_FIELDS.every((f) => (held[f] ?? 0) === (status[f] ?? 0))) await writeStatus(client, DAEMONSETS, ds, status);
    if (failure) throw failure;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const wait = nextAvailableCheck(pods, minReady, this.clock.now());
    if (wait !== undefined) this.enqueueAfter(key, wait);
  }

  private async claimPods(ds: DaemonSet, selector: LabelSelector): Promise<Pod[]> {
    return (await claim(this.pods.listIn(ds.metadata?.namespace ?? ""), { client: this.ctx.client, ref: PODS, owner: ds, ownerRef: DAEMONSETS, selector })) as Pod[];
  }

  private groupByNode(pods: Pod[]): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    for (const p of pods) {
      const node = targetNode(p);
      if (!node) continue;
      const list = out.get(node) ?? [];
      list.push(p);
      out.set(node, list);
    }
    return out;
  }
}
