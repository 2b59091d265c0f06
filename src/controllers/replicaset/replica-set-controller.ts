/**
 * The ReplicaSet controller (upstream's pkg/controller/replicaset), which also runs
 * ReplicationControllers: keeps spec.replicas pods of the template alive. It creates missing
 * pods in slow-start batches, deletes surplus pods in upstream's preference order (unscheduled,
 * pending, not ready, doubled up on a node, recently ready, newer first), adopts matching
 * orphans, and writes the counts kubectl and the Deployment controller read. Expectations keep
 * a lagging cache from causing double creations.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { ControllerContext } from "../context.ts";
import type { Pod, PodTemplateSpec } from "../common/types.ts";
import { BY_OWNER_UID, objectKey, splitKey } from "../../client/index.ts";
import { claim, controllerOf, newControllerRef } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { PodControl, isNamespaceTerminating, podFromTemplate } from "../common/pod-control.ts";
import { isPodActive, isPodReady, nextAvailableCheck, podsToDelete } from "../common/pods.ts";
import { slowStartBatch } from "../common/slow-start.ts";
import { writeStatus } from "../common/status-writer.ts";
import { errorMessage, PODS } from "../common/types.ts";
import { PodCreatingController } from "../common/workload-controller.ts";
import type { ReplicaKind } from "./kinds.ts";
import { calculateStatus, statusEqual, type ManageFailure, type ReplicaStatus } from "./status.ts";

/** Upstream's BurstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;

export interface ReplicaSetControllerOptions {
  /** --concurrent-replicaset-syncs (5). */
  workers?: number;
}

interface ReplicaSpec {
  replicas?: number;
  minReadySeconds?: number;
  template?: PodTemplateSpec;
}

const specOf = (o: KubeObject) => (o.spec ?? {}) as ReplicaSpec;

/** A failed create or delete, for the ReplicaFailure condition. */
class ManageError extends Error {
  constructor(
    readonly reason: ManageFailure["reason"],
    override readonly cause: unknown,
  ) {
    super(errorMessage(cause));
  }
}

export class ReplicaSetController extends PodCreatingController {
  readonly name: string;
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext, kind: ReplicaKind, opts: ReplicaSetControllerOptions = {}) {
    super(ctx, kind, opts.workers ?? 5);
    this.name = kind.controller;
    this.podControl = new PodControl(ctx.client, this.recorder);
  }

  protected override syncFailed(key: string, err: unknown): void {
    this.log.v(2).info("sync failed; retrying", { [this.workload.kind]: key, err: errorMessage(err) });
  }

  protected podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = !deepEqual(old.metadata?.labels, cur.metadata?.labels);
    if (cur.metadata?.deletionTimestamp) {
      // Being deleted counts as deleted: the replacement need not wait for the grace period.
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const prev = this.ownerOf(cur, oldRef);
      if (prev) this.enqueue(prev);
    }
    if (curRef) {
      const owner = this.ownerOf(cur, curRef);
      if (!owner) return;
      this.enqueue(owner);
      // Becoming ready starts the minReadySeconds clock: look again when it runs out.
      const minReady = specOf(owner).minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueue(owner, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.orphanOwners(cur)) this.enqueue(o);
  }

  protected async sync(key: string): Promise<void> {
    const owner = this.owners.get(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const selector = this.selectorOf(owner);
    if (!selector) {
      this.log.v(2).info("selector selects nothing; not syncing", { [this.workload.kind]: key });
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const active = this.pods.listIn(splitKey(key).namespace).filter((p) => isPodActive(p as Pod));
    const pods = (await claim(active, { client: this.ctx.client, ref: PODS, owner, ownerRef: this.workload.ref, selector })) as Pod[];
    let failure: ManageFailure | undefined;
    let failureErr: unknown;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manage(key, owner, pods);
      } catch (err) {
        failureErr = err;
        failure = err instanceof ManageError ? { reason: err.reason, message: err.message } : { reason: "FailedCreate", message: errorMessage(err) };
      }
    }
    const now = this.clock.now();
    const minReady = specOf(owner).minReadySeconds ?? 0;
    const status = calculateStatus(owner, pods, failure, minReady, now);
    if (!statusEqual(status, (owner.status ?? {}) as ReplicaStatus)) await writeStatus(this.ctx.client, this.workload.ref, owner, status);
    if (failureErr) throw failureErr;
    // Pods ready but not yet available: look again when the first becomes available.
    const wait = nextAvailableCheck(pods, minReady, now);
    if (wait !== undefined) this.enqueueAfter(key, wait);
  }

  /** Creates or deletes pods so that spec.replicas exist. */
  private async manage(key: string, owner: KubeObject, pods: Pod[]): Promise<void> {
    const want = specOf(owner).replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) return this.createPods(key, owner, Math.min(-diff, BURST_REPLICAS));
    if (diff > 0) return this.deletePods(key, owner, pods, Math.min(diff, BURST_REPLICAS));
  }

  private async createPods(key: string, owner: KubeObject, count: number): Promise<void> {
    const template = specOf(owner).template;
    if (!template) return;
    this.expectations.expectCreations(key, count);
    const ref = newControllerRef(owner);
    const { successes, error } = await slowStartBatch(count, 1, async () => {
      try {
        await this.podControl.create(owner, podFromTemplate(template, owner, ref, `${owner.metadata!.name}-`));
      } catch (err) {
        // Creation in a namespace being deleted is refused; nothing to retry (upstream ignores it too).
        if (!isNamespaceTerminating(err)) throw err;
      }
    });
    // Creations that never happened will never be observed.
    for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
    if (error) throw new ManageError("FailedCreate", error);
  }

  private async deletePods(key: string, owner: KubeObject, pods: Pod[], count: number): Promise<void> {
    const victims = podsToDelete(pods, this.relatedPods(owner, pods), count, this.clock.now());
    this.expectations.expectDeletions(key, victims.map(objectKey));
    const ns = owner.metadata?.namespace ?? "";
    const results = await Promise.allSettled(victims.map((p) => this.podControl.delete(owner, ns, p.metadata!.name!)));
    let firstErr: unknown;
    results.forEach((r, i) => {
      if (r.status === "fulfilled") return;
      this.expectations.deletionObserved(key, objectKey(victims[i]!));
      firstErr ??= r.reason;
    });
    if (firstErr) throw new ManageError("FailedDelete", firstErr);
  }

  /**
   * Pods of the owner's siblings (ReplicaSets of the same Deployment) and its own: which nodes
   * they crowd decides which pods go first.
   */
  private relatedPods(owner: KubeObject, own: Pod[]): Pod[] {
    const parent = controllerOf(owner);
    if (!parent) return own;
    const siblings = this.owners.byIndex(BY_OWNER_UID, parent.uid);
    return siblings.flatMap((s) => this.pods.byIndex(BY_OWNER_UID, s.metadata!.uid!)) as Pod[];
  }
}
