/**
 * The disruption controller (kube-controller-manager's "disruption-controller"): keeps every
 * PodDisruptionBudget's status current — expectedPods, desiredHealthy (minAvailable, or the
 * expected count less maxUnavailable; percentages of the pods' controllers' scale),
 * currentHealthy (ready pods not being deleted and not just evicted), disruptionsAllowed, the
 * DisruptionAllowed condition and observedGeneration — which is what the pods/eviction
 * subresource (and so `kubectl drain`) spends. Evictions noted in status.disruptedPods are
 * dropped once the pod is gone, or after two minutes if it never went.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { BY_NAMESPACE, objectKey, splitKey } from "../../client/index.ts";
import { labelSelectorFromObject } from "../../apiserver/selectors/index.ts";
import { deepEqual } from "../common/equal.ts";
import { scaledValue } from "../common/int-or-percent.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { isPodReady } from "../common/pods.ts";
import { controllerOf } from "../common/controller-ref.ts";
import {
  as,
  copy,
  DEPLOYMENTS,
  errorMessage,
  isApiError,
  PDBS,
  PODS,
  REPLICASETS,
  REPLICATION_CONTROLLERS,
  rfc3339,
  STATEFULSETS,
  timeOf,
  type PodDisruptionBudget,
  type Pod,
} from "../common/types.ts";

/** How long an eviction is assumed to be under way (upstream's DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60_000;

export interface DisruptionControllerOptions {
  clock?: Clock;
  workers?: number;
}

type Condition = NonNullable<NonNullable<PodDisruptionBudget["status"]>["conditions"]>[number];

class SyncError extends Error {}

export class DisruptionController extends KeyedController {
  readonly name = "disruption-controller";
  private readonly pdbs: Informer;
  private readonly pods: Informer;
  private readonly owners: Record<string, Informer>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext, opts: DisruptionControllerOptions = {}) {
    super(ctx, opts.clock ?? realClock, opts.workers ?? 1);
    this.recorder = ctx.recorder("controllermanager");
    const enqueue = (obj: KubeObject) => this.queue.add(objectKey(obj));
    this.pdbs = this.watch(ctx.informers.informer(PDBS), { add: enqueue, update: (_, cur) => enqueue(cur) });
    const podChanged = (obj: KubeObject) => {
      for (const pdb of this.budgetsFor(as<Pod>(obj))) enqueue(pdb);
    };
    this.pods = this.watch(ctx.informers.informer(PODS), {
      add: podChanged,
      update: (old, cur) => {
        podChanged(old);
        podChanged(cur);
      },
      delete: podChanged,
    });
    this.owners = {
      ReplicaSet: this.watch(ctx.informers.informer(REPLICASETS), {}),
      Deployment: this.watch(ctx.informers.informer(DEPLOYMENTS), {}),
      ReplicationController: this.watch(ctx.informers.informer(REPLICATION_CONTROLLERS), {}),
      StatefulSet: this.watch(ctx.informers.informer(STATEFULSETS), {}),
    };
  }

  /** The budgets whose selector picks the pod (policy/v1: an empty selector picks every pod). */
  private budgetsFor(pod: Pod): KubeObject[] {
    return this.pdbs.byIndex(BY_NAMESPACE, pod.metadata?.namespace ?? "").filter((p) => {
      try {
        return labelSelectorFromObject(as<PodDisruptionBudget>(p).spec?.selector).matches(pod.metadata?.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  private podsFor(pdb: PodDisruptionBudget): Pod[] {
    const selector = labelSelectorFromObject(pdb.spec?.selector);
    return this.pods
      .byIndex(BY_NAMESPACE, pdb.metadata?.namespace ?? "")
      .map((p) => as<Pod>(p))
      .filter((p) => selector.matches(p.metadata?.labels ?? {}));
  }

  /** The scale of a pod's controller: a Deployment's for its ReplicaSets, else the owner's own. */
  private controllerScale(namespace: string, ref: { kind: string; name: string; uid: string }): { uid: string; replicas: number } | undefined {
    const find = (kind: string, name: string, uid?: string) => {
      const obj = this.owners[kind]?.get(`${namespace}/${name}`);
      return obj && (!uid || obj.metadata?.uid === uid) ? obj : undefined;
    };
    const owner = find(ref.kind, ref.name, ref.uid);
    if (!owner) return undefined;
    if (ref.kind === "ReplicaSet") {
      const dRef = controllerOf(owner);
      if (dRef?.kind === "Deployment") {
        const d = find("Deployment", dRef.name, dRef.uid);
        if (!d) return undefined;
        return { uid: d.metadata!.uid!, replicas: (d.spec as { replicas?: number } | undefined)?.replicas ?? 1 };
      }
    }
    return { uid: owner.metadata!.uid!, replicas: (owner.spec as { replicas?: number } | undefined)?.replicas ?? 1 };
  }

  /** upstream's getExpectedScale: the summed scale of the pods' controllers. */
  private expectedScale(pdb: PodDisruptionBudget, pods: Pod[]): number {
    const seen = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata?.name ?? "");
        continue;
      }
      const scale = this.controllerScale(pdb.metadata!.namespace!, ref);
      if (!scale) throw new SyncError(`found no controllers for pod "${pod.metadata?.name}"`);
      seen.set(scale.uid, scale.replicas);
    }
    if (unmanaged.length > 0) {
      this.recorder.event(pdb, "Warning", "UnmanagedPods", `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? {})}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }

  /** expectedPods and desiredHealthy from minAvailable or maxUnavailable. */
  private expectedCounts(pdb: PodDisruptionBudget, pods: Pod[]): { expected: number; desired: number } {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable != null) {
      const expected = this.expectedScale(pdb, pods);
      return { expected, desired: Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true)) };
    }
    if (spec.minAvailable != null) {
      if (typeof spec.minAvailable === "number" || /^\d+$/.test(spec.minAvailable)) return { expected: pods.length, desired: Number(spec.minAvailable) };
      const expected = this.expectedScale(pdb, pods);
      return { expected, desired: scaledValue(spec.minAvailable, expected, true) };
    }
    return { expected: pods.length, desired: 0 };
  }

  /** The evictions still expected to complete, and when the earliest of them times out. */
  private disruptedPods(pdb: PodDisruptionBudget, pods: Pod[], now: number): { map: Record<string, string>; recheckAt?: number } {
    const noted = pdb.status?.disruptedPods ?? {};
    const map: Record<string, string> = {};
    let recheckAt: number | undefined;
    for (const pod of pods) {
      const name = pod.metadata?.name ?? "";
      if (pod.metadata?.deletionTimestamp || !(name in noted)) continue;
      const expires = timeOf(noted[name]) + DELETION_TIMEOUT_MS;
      if (expires < now) {
        this.recorder.event(pod, "Warning", "NotDeleted", `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.name} to be deleted but it wasn't`);
        continue;
      }
      map[name] = noted[name]!;
      if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
    }
    return { map, recheckAt };
  }

  protected async sync(key: string): Promise<void> {
    const cached = this.pdbs.get(key);
    if (!cached) return;
    const pdb = copy<PodDisruptionBudget>(cached);
    pdb.apiVersion ??= "policy/v1";
    pdb.kind ??= "PodDisruptionBudget";
    const now = this.clock.now();
    let status: NonNullable<PodDisruptionBudget["status"]>;
    let failure: unknown;
    try {
      const pods = this.podsFor(pdb);
      if (pods.length === 0) this.recorder.event(pdb, "Normal", "NoPods", "No matching pods found");
      let counts: { expected: number; desired: number };
      try {
        counts = this.expectedCounts(pdb, pods);
      } catch (err) {
        this.recorder.event(pdb, "Warning", "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: ${errorMessage(err)}`);
        throw err;
      }
      const disrupted = this.disruptedPods(pdb, pods, now);
      if (disrupted.recheckAt !== undefined) this.enqueueAfter(key, disrupted.recheckAt - now);
      const healthy = pods.filter((p) => !p.metadata?.deletionTimestamp && !(p.metadata!.name! in disrupted.map) && isPodReady(p)).length;
      let allowed = healthy - counts.desired;
      if (counts.expected <= 0 || allowed <= 0) allowed = 0;
      status = {
        ...pdb.status,
        currentHealthy: healthy,
        desiredHealthy: counts.desired,
        expectedPods: counts.expected,
        disruptionsAllowed: allowed,
        disruptedPods: Object.keys(disrupted.map).length > 0 ? disrupted.map : undefined,
        observedGeneration: pdb.metadata?.generation,
        conditions: withCondition(pdb, allowed > 0 ? { status: "True", reason: "SufficientPods", message: "" } : { status: "False", reason: "InsufficientPods", message: "" }, now),
      };
    } catch (err) {
      // Fail safe: nothing may be disrupted while the budget cannot be computed; retried with backoff.
      failure = err;
      status = {
        ...pdb.status,
        disruptionsAllowed: 0,
        observedGeneration: pdb.metadata?.generation,
        conditions: withCondition(pdb, { status: "False", reason: "SyncFailed", message: errorMessage(err) }, now),
      };
    }
    if (!deepEqual(stripTimes(status), stripTimes(pdb.status ?? {}))) {
      pdb.status = status;
      try {
        await this.ctx.client.update(PDBS, splitKey(key).namespace, pdb, { subresource: "status" });
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      }
    }
    if (failure) throw failure;
  }
}

/** The DisruptionAllowed condition set (transition time kept while its status stays). */
function withCondition(pdb: PodDisruptionBudget, c: { status: string; reason: string; message: string }, now: number): Condition[] {
  const list = [...(pdb.status?.conditions ?? [])];
  const i = list.findIndex((x) => x.type === "DisruptionAllowed");
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: "DisruptionAllowed",
    status: c.status,
    reason: c.reason,
    message: c.message,
    observedGeneration: pdb.metadata?.generation,
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(now),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** Status compared without condition times, so an unchanged budget is not rewritten. */
function stripTimes(status: NonNullable<PodDisruptionBudget["status"]>): unknown {
  return { ...status, conditions: (status.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: undefined })) };
}
