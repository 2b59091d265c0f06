/**
 * One pass of the StatefulSet controller over one set (upstream's stateful_set_control): pick
 * the current and update revisions, create missing pods at their ordinals (in order, each
 * waiting for its predecessors to be Running and Ready, unless podManagementPolicy is
 * Parallel), delete pods beyond the replicas from the highest ordinal down, then roll pods to
 * the update revision from the highest ordinal down to the partition, one at a time.
 */
import type { Client, EventRecorder } from "../../client/index.ts";
import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet } from "../common/types.ts";
import { createRevision, equalRevision, newRevision, nextRevision, renumberRevision, revisionTemplate, sortRevisions, templatePatch } from "../common/history.ts";
import { hashRevisionData } from "../common/hash.ts";
import { slowStartBatch } from "../common/slow-start.ts";
import { CONTROLLER_REVISIONS, PODS, PVCS, isApiError } from "../common/types.ts";
import * as id from "./identity.ts";

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
}

export interface UpdateDeps {
  client: Client;
  recorder: EventRecorder;
  now(): number;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The set as of a revision: its template replaced by the revision's (ApplyRevision). */
function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  const copy = structuredClone(set);
  copy.spec!.template = revisionTemplate(rev);
  return copy;
}

export class StatefulSetUpdate {
  constructor(
    private readonly deps: UpdateDeps,
    private readonly set: StatefulSet,
  ) {}

  private get ns(): string {
    return this.set.metadata?.namespace ?? "";
  }

  /** getStatefulSetRevisions: the update revision (made or found), the current one, the collision count. */
  async revisions(revs: ControllerRevision[]): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    const set = this.set;
    const sorted = sortRevisions([...revs]);
    const collision = { value: set.status?.collisionCount ?? 0 };
    const candidate = newRevision(set, set.spec?.template, nextRevision(sorted), hashRevisionData(templatePatch(set.spec?.template), collision.value), "");
    const equal = sorted.filter((r) => equalRevision(r, candidate));
    const last = sorted[sorted.length - 1];
    let update: ControllerRevision;
    if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) update = last!;
    else if (equal.length > 0) update = await renumberRevision(this.deps.client, equal[equal.length - 1]!, candidate.revision);
    else update = await createRevision(this.deps.client, set, set.spec?.template, candidate.revision, collision);
    const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount: collision.value };
  }

  /** updateStatefulSet: creates, deletes and replaces pods; returns the status it leads to. */
  async run(pods: Pod[], current: ControllerRevision, update: ControllerRevision, collisionCount: number): Promise<StatefulSetStatus> {
    const set = this.set;
    const currentSet = applyRevision(set, current);
    const updateSet = applyRevision(set, update);
    const currentName = current.metadata!.name!;
    const updateName = update.metadata!.name!;
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = this.deps.now();
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata?.generation,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: currentName,
      updateRevision: updateName,
      ...(collisionCount ? { collisionCount } : {}),
    };

    const start = id.startOrdinal(set);
    const want = id.replicasOf(set);
    const replicas: Array<Pod | undefined> = new Array(want).fill(undefined);
    const condemned: Pod[] = [];
    for (const p of pods) {
      const { ordinal } = id.parentAndOrdinal(p);
      if (id.inOrdinalRange(set, ordinal)) replicas[ordinal - start] = p;
      else if (ordinal >= 0) condemned.push(p);
    }
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition;
    const rolling = (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
    for (let i = 0; i < want; i++) {
      if (replicas[i]) continue;
      const ordinal = start + i;
      // Below the partition (or among the current replicas), new pods keep the current revision.
      const keepCurrent = rolling && (partition === undefined || partition === null ? ordinal < start + (set.status?.currentReplicas ?? 0) : ordinal < start + partition);
      replicas[i] = keepCurrent ? id.newPod(currentSet, ordinal, currentName) : id.newPod(updateSet, ordinal, updateName);
    }
    condemned.sort((a, b) => id.parentAndOrdinal(b).ordinal - id.parentAndOrdinal(a).ordinal);
    const all = [...(replicas as Pod[]), ...condemned];
    const firstUnhealthy = all.find((p) => !id.isHealthy(p));
    this.count(status, pods, currentName, updateName, minReady, now);

    if (set.metadata?.deletionTimestamp) return status;
    const monotonic = set.spec?.podManagementPolicy !== "Parallel";
    const live = replicas as Pod[];

    // Living replicas: created, repaired, replaced when finished.
    const processReplica = async (i: number): Promise<boolean> => {
      const pod = live[i]!;
      // Finished pods are deleted; the replacement is made once the deletion is seen.
      if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
        if (id.isTerminating(pod)) return true;
        const ref = `${this.ns}/${set.metadata?.name}`;
        if (pod.status.phase === "Failed") this.deps.recorder.event(set, "Warning", "RecreatingFailedPod", `StatefulSet ${ref} is recreating failed Pod ${pod.metadata?.name}`);
        else this.deps.recorder.event(set, "Normal", "RecreatingTerminatedPod", `StatefulSet ${ref} is recreating terminated Pod ${pod.metadata?.name}`);
        await this.deletePod(pod);
        return true;
      }
      if (!id.isCreated(pod)) {
        await this.createPod(pod);
        if (id.revisionOfPod(pod) === currentName) status.currentReplicas++;
        if (id.revisionOfPod(pod) === updateName) status.updatedReplicas++;
        status.replicas++;
        return monotonic;
      }
      if (pod.status?.phase === "Pending") await this.createClaims(pod);
      if (monotonic && (id.isTerminating(pod) || !id.isRunningAndReady(pod) || !id.isRunningAndAvailable(pod, minReady, now))) return true;
      if (id.identityMatches(set, pod) && id.storageMatches(set, pod)) return false;
      await this.updatePod(pod);
      return false;
    };
    if (await this.runForAll(live.length, processReplica, monotonic)) return status;

    // Pods past the replicas go, highest ordinal first.
    const processCondemned = async (i: number): Promise<boolean> => {
      const pod = condemned[i]!;
      if (id.isTerminating(pod)) return monotonic;
      if (monotonic && pod !== firstUnhealthy && (!id.isRunningAndReady(pod) || !id.isRunningAndAvailable(pod, minReady, now))) return true;
      await this.deletePod(pod);
      if (id.revisionOfPod(pod) === currentName) status.currentReplicas--;
      if (id.revisionOfPod(pod) === updateName) status.updatedReplicas--;
      return monotonic;
    };
    if (await this.runForAll(condemned.length, processCondemned, monotonic)) return status;

    if (set.spec?.updateStrategy?.type === "OnDelete") return status;
    // The rolling update: the highest ordinal not at the update revision goes; wait for unhealthy ones.
    const min = partition ?? 0;
    for (let target = live.length - 1; target >= min; target--) {
      const pod = live[target]!;
      if (id.revisionOfPod(pod) !== updateName && !id.isTerminating(pod)) {
        await this.deletePod(pod);
        status.currentReplicas--;
        return status;
      }
      if (!id.isHealthy(pod)) return status;
    }
    return status;
  }

  /** updateStatus's counts over the pods as they are. */
  private count(status: StatefulSetStatus, pods: Pod[], currentName: string, updateName: string, minReady: number, now: number): void {
    for (const p of pods) {
      if (id.isCreated(p)) status.replicas++;
      if (id.isRunningAndReady(p)) {
        status.readyReplicas++;
        if (id.isRunningAndAvailable(p, minReady, now)) status.availableReplicas++;
      }
      if (id.isCreated(p) && !id.isTerminating(p)) {
        if (id.revisionOfPod(p) === currentName) status.currentReplicas++;
        if (id.revisionOfPod(p) === updateName) status.updatedReplicas++;
      }
    }
  }

  /** In order, stopping at the first that says so; or all at once in slow-start batches (Parallel). */
  private async runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
    if (monotonic) {
      for (let i = 0; i < n; i++) if (await fn(i)) return true;
      return false;
    }
    const { error } = await slowStartBatch(n, 1, async (i) => void (await fn(i)));
    if (error) throw error;
    return false;
  }

  private podEvent(verb: string, pod: Pod, err?: unknown): void {
    const name = pod.metadata?.name;
    const set = this.set.metadata?.name;
    if (err === undefined) this.deps.recorder.event(this.set, "Normal", `Successful${verb[0]!.toUpperCase()}${verb.slice(1)}`, `${verb} Pod ${name} in StatefulSet ${set} successful`);
    else this.deps.recorder.event(this.set, "Warning", `Failed${verb[0]!.toUpperCase()}${verb.slice(1)}`, `${verb} Pod ${name} in StatefulSet ${set} failed error: ${messageOf(err)}`);
  }

  private async createPod(pod: Pod): Promise<void> {
    await this.createClaims(pod);
    try {
      await this.deps.client.create(PODS, this.ns, pod);
    } catch (err) {
      // Already there: the cache has not shown it yet; the next pass will.
      if (isApiError(err, 409)) throw err;
      this.podEvent("create", pod, err);
      throw err;
    }
    this.podEvent("create", pod);
  }

  private async deletePod(pod: Pod): Promise<void> {
    await this.ownClaimsOnScaleDown(pod);
    try {
      await this.deps.client.delete(PODS, this.ns, pod.metadata!.name!);
    } catch (err) {
      if (isApiError(err, 404)) return;
      this.podEvent("delete", pod, err);
      throw err;
    }
    this.podEvent("delete", pod);
  }

  private async updatePod(pod: Pod): Promise<void> {
    await this.createClaims(pod);
    try {
      await this.deps.client.update(PODS, this.ns, id.repairPod(this.set, pod));
    } catch (err) {
      this.podEvent("update", pod, err);
      throw err;
    }
    this.podEvent("update", pod);
  }

  /** Claims the pod needs and does not have yet; a claim being deleted blocks the pod. */
  private async createClaims(pod: Pod): Promise<void> {
    const { ordinal } = id.parentAndOrdinal(pod);
    const whenDeleted = this.set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted;
    for (const claim of id.claimsFor(this.set, ordinal).values()) {
      let existing: PersistentVolumeClaim | undefined;
      try {
        existing = (await this.deps.client.get(PVCS, this.ns, claim.metadata!.name!)) as PersistentVolumeClaim;
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      }
      if (existing?.metadata?.deletionTimestamp) throw new Error(`pvc ${claim.metadata!.name} is being deleted`);
      if (existing) continue;
      if (whenDeleted === "Delete") claim.metadata!.ownerReferences = [{ apiVersion: "apps/v1", kind: "StatefulSet", name: this.set.metadata!.name!, uid: this.set.metadata!.uid! }];
      const what = `Claim ${claim.metadata!.name} Pod ${pod.metadata?.name} in StatefulSet ${this.set.metadata?.name}`;
      try {
        await this.deps.client.create(PVCS, this.ns, claim);
        this.deps.recorder.event(this.set, "Normal", "SuccessfulCreate", `create ${what} success`);
      } catch (err) {
        if (isApiError(err, 409)) continue;
        this.deps.recorder.event(this.set, "Warning", "FailedCreate", `create Claim ${claim.metadata!.name} for Pod ${pod.metadata?.name} in StatefulSet ${this.set.metadata?.name} failed error: ${messageOf(err)}`);
        throw err;
      }
    }
  }

  /** whenScaled: Delete — a condemned pod's claims become its dependents, collected after it. */
  private async ownClaimsOnScaleDown(pod: Pod): Promise<void> {
    if (this.set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== "Delete") return;
    const { ordinal } = id.parentAndOrdinal(pod);
    if (id.inOrdinalRange(this.set, ordinal)) return;
    for (const claim of id.claimsFor(this.set, ordinal).values()) {
      try {
        const existing = (await this.deps.client.get(PVCS, this.ns, claim.metadata!.name!)) as PersistentVolumeClaim;
        const refs = existing.metadata?.ownerReferences ?? [];
        if (refs.some((r) => r.uid === pod.metadata?.uid)) continue;
        existing.metadata!.ownerReferences = [...refs, { apiVersion: "v1", kind: "Pod", name: pod.metadata!.name!, uid: pod.metadata!.uid! }];
        await this.deps.client.update(PVCS, this.ns, existing);
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      }
    }
  }

  /** Deletes revisions beyond revisionHistoryLimit that no pod and neither status revision uses. */
  async truncateHistory(pods: Pod[], revs: ControllerRevision[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const live = new Set([current.metadata?.name, update.metadata?.name, ...pods.map(id.revisionOfPod)]);
    const history = sortRevisions(revs.filter((r) => !live.has(r.metadata?.name)));
    const limit = this.set.spec?.revisionHistoryLimit ?? 10;
    for (const r of history.slice(0, Math.max(0, history.length - limit))) {
      try {
        await this.deps.client.delete(CONTROLLER_REVISIONS, this.ns, r.metadata!.name!);
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      }
    }
  }
}
