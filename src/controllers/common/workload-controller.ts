/**
 * What the workload controllers (Deployment, StatefulSet, DaemonSet, ReplicaSet and
 * ReplicationController) share on top of KeyedController: an informer of their own kind whose
 * events queue the owner, the pods informer, an event recorder, and the owner lookups upstream
 * repeats in each (resolveControllerRef; owners whose selector matches an orphan). Controllers
 * that create pods themselves also keep expectations (PodCreatingController).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { LabelSelector } from "../../apiserver/selectors/index.ts";
import type { EventRecorder, Informer, ResourceRef } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { objectKey } from "../../client/index.ts";
import { controllerOf } from "./controller-ref.ts";
import { Expectations } from "./expectations.ts";
import { KeyedController } from "./keyed-controller.ts";
import { ownersSelecting, resolveControllerRef, specSelector } from "./owners.ts";
import { PODS, type OwnerReference, type Pod } from "./types.ts";

export interface WorkloadKind {
  /** The kind controller references name. */
  kind: string;
  ref: ResourceRef;
  /** The events' source component. */
  component: string;
  /** The owner's selector when it is not a parsed spec.selector (a ReplicationController's label map). */
  selector?(owner: KubeObject): LabelSelector | undefined;
}

export abstract class WorkloadController extends KeyedController {
  protected readonly owners: Informer;
  protected readonly pods: Informer;
  protected readonly recorder: EventRecorder;

  constructor(
    ctx: ControllerContext,
    protected readonly workload: WorkloadKind,
    workers: number,
  ) {
    super(ctx, undefined, workers);
    this.recorder = ctx.recorder(workload.component);
    this.owners = this.watch(ctx.informers.informer(workload.ref), { add: (o) => this.enqueue(o), update: (_, o) => this.enqueue(o), delete: (o) => this.ownerDeleted(o) });
    // Subclasses watch pods for the events they care about.
    this.pods = ctx.informers.informer(PODS);
  }

  /** An owner was deleted: its sync finds it gone. */
  protected ownerDeleted(owner: KubeObject): void {
    this.enqueue(owner);
  }

  protected enqueue(owner: KubeObject, afterMs = 0): void {
    this.enqueueAfter(objectKey(owner), afterMs);
  }

  /** The owner's selector, or undefined when it cannot be used (it selects nothing then). */
  protected selectorOf(owner: KubeObject): LabelSelector | undefined {
    return (this.workload.selector ?? specSelector)(owner);
  }

  /** The cached owner a controller reference (by default the object's own) names, if it is one of ours and still the same object. */
  protected ownerOf(obj: KubeObject, ref: OwnerReference | undefined = controllerOf(obj)): KubeObject | undefined {
    return resolveControllerRef(this.owners, this.workload.kind, obj.metadata?.namespace ?? "", ref);
  }

  /** Owners whose selector matches an orphan (they may adopt it). */
  protected orphanOwners(obj: KubeObject): KubeObject[] {
    return ownersSelecting(this.owners, obj, (o) => this.selectorOf(o));
  }
}

/**
 * A workload controller that creates and deletes pods itself (ReplicaSet, DaemonSet): pod
 * creations and deletions it sees settle its expectations, and a pod being deleted counts as
 * deleted (its replacement need not wait out the grace period).
 */
export abstract class PodCreatingController extends WorkloadController {
  protected readonly expectations = new Expectations();

  constructor(ctx: ControllerContext, workload: WorkloadKind, workers: number) {
    super(ctx, workload, workers);
    this.watch(this.pods, { add: (p) => this.podAdded(p as Pod), update: (old, cur) => this.podUpdated(old as Pod, cur as Pod), delete: (p) => this.podDeleted(p as Pod) });
  }

  protected abstract podUpdated(old: Pod, cur: Pod): void;

  protected override ownerDeleted(owner: KubeObject): void {
    this.expectations.delete(objectKey(owner));
    this.enqueue(owner);
  }

  protected podAdded(p: Pod): void {
    if (p.metadata?.deletionTimestamp) return this.podDeleted(p);
    const owner = this.ownerOf(p);
    if (owner) {
      this.expectations.creationObserved(objectKey(owner));
      return this.enqueue(owner);
    }
    if (!controllerOf(p)) for (const o of this.orphanOwners(p)) this.enqueue(o);
  }

  protected podDeleted(p: Pod): void {
    const owner = this.ownerOf(p);
    if (!owner) return;
    this.expectations.deletionObserved(objectKey(owner), objectKey(p));
    this.enqueue(owner);
  }
}
