/**
 * The ReplicaSet controller (upstream's pkg/controller/replicaset), which also runs
 * ReplicationControllers: keeps spec.replicas pods of the template alive. It creates missing
 * pods in slow-start batches, deletes surplus pods in upstream's preference order (unscheduled,
 * pending, not ready, doubled up on a node, recently ready, newer first), adopts matching
 * orphans, and writes the counts kubectl and the Deployment controller read. Expectations keep
 * a lagging cache from causing double creations.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer, InformerHandlers } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import type { Pod, PodTemplateSpec } from "../common/types.ts";
import { BY_OWNER_UID, objectKey, runWorkers, splitKey, WorkQueue } from "../../client/index.ts";
import { claim, controllerOf } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { Expectations } from "../common/expectations.ts";
import { newControllerRef } from "../common/controller-ref.ts";
import { PodControl, isNamespaceTerminating, podFromTemplate } from "../common/pod-control.ts";
import { availableIn, isPodActive, isPodReady, podsToDelete } from "../common/pods.ts";
import { slowStartBatch } from "../common/slow-start.ts";
import { writeStatus } from "../common/status-writer.ts";
import { PODS } from "../common/types.ts";
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A failed create or delete, for the ReplicaFailure condition. */
class ManageError extends Error {
  constructor(
    readonly reason: ManageFailure["reason"],
    override readonly cause: unknown,
  ) {
    super(messageOf(cause));
  }
}

export class ReplicaSetController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue();
  private readonly expectations = new Expectations();
  private readonly owners: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly log: Logger;
  private readonly ownerHandlers: InformerHandlers;
  private readonly podHandlers: InformerHandlers;
  private workers: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaKind,
    private readonly opts: ReplicaSetControllerOptions = {},
  ) {
    this.name = kind.controller;
    this.log = ctx.log;
    this.recorder = ctx.recorder(kind.component);
    this.podControl = new PodControl(ctx.client, this.recorder);
    this.owners = ctx.informers.informer(kind.ref);
    this.pods = ctx.informers.informer(PODS);
    this.ownerHandlers = {
      add: (o) => this.enqueue(o),
      update: (_, o) => this.enqueue(o),
      delete: (o) => {
        this.expectations.delete(objectKey(o));
        this.enqueue(o);
      },
    };
    this.podHandlers = {
      add: (p) => this.podAdded(p as Pod),
      update: (old, cur) => this.podUpdated(old as Pod, cur as Pod),
      delete: (p) => this.podDeleted(p as Pod),
    };
  }

  async start(): Promise<void> {
    this.owners.on(this.ownerHandlers);
    this.pods.on(this.podHandlers);
    await Promise.all([this.owners.start(), this.pods.start()]);
    this.workers = runWorkers(this.queue, this.opts.workers ?? 5, (key) => this.sync(key), (key, err) =>
      this.log.v(2).info("sync failed; retrying", { [this.kind.kind]: key, err: messageOf(err) }),
    );
  }

  async stop(): Promise<void> {
    this.owners.off(this.ownerHandlers);
    this.pods.off(this.podHandlers);
    this.queue.shutdown();
    await this.workers;
  }

  private enqueue(o: KubeObject, afterMs = 0): void {
    if (afterMs > 0) this.queue.addAfter(objectKey(o), afterMs);
    else this.queue.add(objectKey(o));
  }

  /** The owner a controller reference names, if it is one of ours and still the same object. */
  private resolve(namespace: string, ref: ReturnType<typeof controllerOf>): KubeObject | undefined {
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const owner = this.owners.get(`${namespace}/${ref.name}`);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** Owners whose selector matches an orphan pod (they may adopt it). */
  private ownersMatching(p: Pod): KubeObject[] {
    return this.owners.listIn(p.metadata?.namespace ?? "").filter((o) => this.kind.selector(o)?.matches(p.metadata?.labels) ?? false);
  }

  private podAdded(p: Pod): void {
    if (p.metadata?.deletionTimestamp) return this.podDeleted(p);
    const owner = this.resolve(p.metadata?.namespace ?? "", controllerOf(p));
    if (owner) {
      this.expectations.creationObserved(objectKey(owner));
      return this.enqueue(owner);
    }
    if (!controllerOf(p)) for (const o of this.ownersMatching(p)) this.enqueue(o);
  }

  private podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = !deepEqual(old.metadata?.labels, cur.metadata?.labels);
    if (cur.metadata?.deletionTimestamp) {
      // Being deleted counts as deleted: the replacement need not wait for the grace period.
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const ns = cur.metadata?.namespace ?? "";
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const prev = this.resolve(ns, oldRef);
      if (prev) this.enqueue(prev);
    }
    if (curRef) {
      const owner = this.resolve(ns, curRef);
      if (!owner) return;
      this.enqueue(owner);
      // Becoming ready starts the minReadySeconds clock: look again when it runs out.
      const minReady = specOf(owner).minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueue(owner, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.ownersMatching(cur)) this.enqueue(o);
  }

  private podDeleted(p: Pod): void {
    const owner = this.resolve(p.metadata?.namespace ?? "", controllerOf(p));
    if (!owner) return;
    this.expectations.deletionObserved(objectKey(owner), objectKey(p));
    this.enqueue(owner);
  }

  private async sync(key: string): Promise<void> {
    const owner = this.owners.get(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const selector = this.kind.selector(owner);
    if (!selector) {
      this.log.v(2).info("selector selects nothing; not syncing", { [this.kind.kind]: key });
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const active = this.pods.listIn(splitKey(key).namespace).filter((p) => isPodActive(p as Pod));
    const pods = (await claim(active, { client: this.ctx.client, ref: PODS, owner, ownerRef: this.kind.ref, selector })) as Pod[];
    let failure: ManageFailure | undefined;
    let failureErr: unknown;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manage(key, owner, pods);
      } catch (err) {
        failureErr = err;
        failure = err instanceof ManageError ? { reason: err.reason, message: err.message } : { reason: "FailedCreate", message: messageOf(err) };
      }
    }
    const now = Date.now();
    const minReady = specOf(owner).minReadySeconds ?? 0;
    const status = calculateStatus(owner, pods, failure, minReady, now);
    if (!statusEqual(status, (owner.status ?? {}) as ReplicaStatus)) await writeStatus(this.ctx.client, this.kind.ref, owner, status);
    if (failureErr) throw failureErr;
    // Pods ready but not yet available: look again when the first becomes available.
    const waits = pods.map((p) => availableIn(p, minReady, now)).filter((w): w is number => w !== undefined);
    if (waits.length) this.queue.addAfter(key, Math.min(...waits) + 10);
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
    const victims = podsToDelete(pods, this.relatedPods(owner, pods), count, Date.now());
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
