/**
 * One pass of the Deployment controller over one Deployment (upstream's sync.go, rolling.go,
 * recreate.go and progress.go): find or create the new ReplicaSet, move replicas from old
 * ReplicaSets to it as the strategy allows, scale proportionally when the Deployment is resized
 * mid-rollout, prune history, and write the status and conditions kubectl reads.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, EventRecorder } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Deployment, Pod, ReplicaSet } from "../common/types.ts";
import { newControllerRef, isControlledBy } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { computeHash } from "../common/hash.ts";
import { DEPLOYMENTS, REPLICASETS, isApiError } from "../common/types.ts";
import { writeStatus } from "../common/status-writer.ts";
import * as u from "./util.ts";

export interface RolloutDeps {
  client: Client;
  recorder: EventRecorder;
  log: Logger;
  /** Looks at the Deployment again after `ms` (progress deadlines). */
  requeueAfter(ms: number): void;
  now(): number;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Rollout {
  private d: Deployment;

  constructor(
    private readonly deps: RolloutDeps,
    deployment: Deployment,
    /** The ReplicaSets this Deployment controls. */
    private rsList: ReplicaSet[],
    /** Its pods by ReplicaSet UID (for Recreate). */
    private readonly podMap: Map<string, Pod[]>,
  ) {
    this.d = structuredClone(deployment);
    // Cached objects are shared with other controllers: this pass works on copies.
    this.rsList = rsList.map((rs) => structuredClone(rs));
  }

  private get ns(): string {
    return this.d.metadata?.namespace ?? "";
  }

  /** The whole decision, as syncDeployment makes it. */
  async run(): Promise<void> {
    const d = this.d;
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly();
    await this.checkPausedConditions();
    if (d.spec?.paused) return this.syncScaleOnly();
    if (this.isScalingEvent()) return this.syncScaleOnly();
    if (d.spec?.strategy?.type === "Recreate") return this.rolloutRecreate();
    return this.rolloutRolling();
  }

  // ---- ReplicaSets and revisions ----

  private split(): { newRs: ReplicaSet | undefined; old: ReplicaSet[] } {
    const newRs = u.findNewReplicaSet(this.d, this.rsList);
    return { newRs, old: this.rsList.filter((rs) => rs !== newRs) };
  }

  /** getAllReplicaSetsAndSyncRevision: old ReplicaSets and the new one (made when `create`). */
  private async replicaSets(create: boolean): Promise<{ newRs: ReplicaSet | undefined; old: ReplicaSet[] }> {
    const { newRs, old } = this.split();
    const revision = u.maxRevision(old) + 1;
    if (newRs) return { newRs: await this.syncExistingNewRs(newRs, revision), old };
    if (!create) return { newRs: undefined, old };
    return { newRs: await this.createNewRs(old, revision), old };
  }

  private async syncExistingNewRs(rs: ReplicaSet, revision: number): Promise<ReplicaSet> {
    const copy = structuredClone(rs);
    const annotationsChanged = u.setNewReplicaSetAnnotations(this.d, copy, revision, true);
    const minReady = this.d.spec?.minReadySeconds ?? 0;
    const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== minReady;
    let current = rs;
    if (annotationsChanged || minReadyChanged) {
      copy.spec!.minReadySeconds = minReady;
      current = (await this.deps.client.update(REPLICASETS, this.ns, copy)) as ReplicaSet;
      this.replaceRs(current);
    }
    let statusChanged = false;
    const status = structuredClone(this.d.status ?? {});
    if (u.hasProgressDeadline(this.d) && !u.getCondition(status, "Progressing")) {
      u.setCondition(status, u.newCondition("Progressing", "True", u.FOUND_NEW_RS, `Found new replica set "${current.metadata?.name}"`, this.deps.now()));
      statusChanged = true;
    }
    await this.setRevision(current.metadata?.annotations?.[u.REVISION] ?? "");
    if (statusChanged) await this.updateStatus(status);
    return current;
  }

  private async createNewRs(old: ReplicaSet[], revision: number): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const hash = computeHash(d.spec?.template, d.status?.collisionCount ?? undefined);
    const template = structuredClone(d.spec!.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [u.POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...selector.matchLabels, [u.POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: `${d.metadata!.name}-${hash}`, namespace: this.ns, ownerReferences: [newControllerRef(d)], labels: template.metadata.labels },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec!.replicas = u.newRsReplicas(d, [...old, rs], rs);
    u.setNewReplicaSetAnnotations(d, rs, revision, false);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = (await this.deps.client.create(REPLICASETS, this.ns, rs)) as ReplicaSet;
    } catch (err) {
      if (!isApiError(err, 409)) return this.createFailed(rs, err);
      // Same name: ours from an earlier pass the cache has not shown yet, or a hash collision.
      const existing = (await this.deps.client.get(REPLICASETS, this.ns, rs.metadata!.name!)) as ReplicaSet;
      if (!isControlledBy(existing, d) || !u.equalIgnoreHash(existing.spec?.template, d.spec?.template)) {
        const status = structuredClone(d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await this.updateStatus(status);
        throw new Error(`hash collision for the new ReplicaSet of deployment ${this.ns}/${d.metadata?.name}; trying again with collisionCount ${status.collisionCount}`);
      }
      created = existing;
      alreadyExisted = true;
    }
    this.rsList.push(created);
    if (!alreadyExisted && (created.spec?.replicas ?? 0) > 0) {
      this.deps.recorder.event(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${created.metadata?.name} from 0 to ${created.spec?.replicas}`);
    }
    await this.setRevision(String(revision));
    if (!alreadyExisted && u.hasProgressDeadline(d)) {
      const status = structuredClone(this.d.status ?? {});
      u.setCondition(status, u.newCondition("Progressing", "True", u.NEW_RS_CREATED, `Created new replica set "${created.metadata?.name}"`, this.deps.now()));
      await this.updateStatus(status);
    }
    return created;
  }

  private async createFailed(rs: ReplicaSet, err: unknown): Promise<never> {
    const msg = `Failed to create new replica set "${rs.metadata?.name}": ${messageOf(err)}`;
    if (u.hasProgressDeadline(this.d)) {
      const status = structuredClone(this.d.status ?? {});
      u.setCondition(status, u.newCondition("Progressing", "False", u.FAILED_RS_CREATE, msg, this.deps.now()));
      await this.updateStatus(status);
    }
    this.deps.recorder.event(this.d, "Warning", u.FAILED_RS_CREATE, msg);
    throw err;
  }

  /**
   * The Deployment carries its newest ReplicaSet's revision (SetDeploymentRevision), written with
   * an update as upstream does (its controller role may update Deployments, not patch them); a
   * conflict retries the sync.
   */
  private async setRevision(revision: string): Promise<void> {
    if (!revision || this.d.metadata?.annotations?.[u.REVISION] === revision) return;
    const next = structuredClone(this.d);
    next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [u.REVISION]: revision } };
    const updated = (await this.deps.client.update(DEPLOYMENTS, this.ns, next as unknown as KubeObject)) as Deployment;
    // Keep the status this pass works on; take the server's metadata.
    this.d = { ...this.d, metadata: updated.metadata };
  }

  private replaceRs(rs: ReplicaSet): void {
    this.rsList = this.rsList.map((x) => (x.metadata?.uid === rs.metadata?.uid ? rs : x));
  }

  // ---- scaling ----

  /** A resize of the Deployment (its ReplicaSets' desired-replicas annotation disagrees). */
  private isScalingEvent(): boolean {
    const { newRs, old } = this.split();
    for (const rs of u.activeReplicaSets([...old, newRs])) {
      const desired = rs.metadata?.annotations?.[u.DESIRED_REPLICAS];
      if (desired === undefined) continue;
      if (Number.parseInt(desired, 10) !== u.replicasOf(this.d)) return true;
    }
    return false;
  }

  private async syncScaleOnly(): Promise<void> {
    const { newRs, old } = await this.replicaSets(false);
    await this.scale(newRs, old);
    if (this.d.spec?.paused) await this.cleanup(old);
    await this.syncStatus([...old, ...(newRs ? [newRs] : [])], newRs);
  }

  /** Spreads a resize over the active ReplicaSets in proportion to their size (upstream's scale). */
  private async scale(newRs: ReplicaSet | undefined, old: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const want = u.replicasOf(d);
    const only = u.activeOrLatest(newRs, old);
    if (only) {
      if (u.rsReplicas(only) !== want) await this.scaleRs(only, want);
      return;
    }
    if (u.isSaturated(d, newRs)) {
      for (const rs of u.activeReplicaSets(old)) await this.scaleRs(rs, 0);
      return;
    }
    if (!u.isRollingUpdate(d)) return;
    const all = u.activeReplicaSets([...old, newRs]);
    const allowed = want > 0 ? want + u.maxSurge(d) : 0;
    const toAdd = allowed - u.sumSpec(all);
    // Adding: larger first, newer first among equals; removing: larger first, older first.
    all.sort((a, b) => {
      const size = u.rsReplicas(b) - u.rsReplicas(a);
      if (size !== 0) return size;
      return toAdd > 0 ? -u.byCreation(a, b) : u.byCreation(a, b);
    });
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of all) {
      const p = toAdd !== 0 ? this.proportion(rs, toAdd, added) : 0;
      sizes.set(rs, u.rsReplicas(rs) + p);
      added += p;
    }
    if (all.length > 0 && added !== toAdd) sizes.set(all[0]!, Math.max(0, sizes.get(all[0]!)! + toAdd - added));
    for (const rs of all) await this.scaleRs(rs, sizes.get(rs)!, toAdd > 0 ? "up" : "down");
  }

  /** GetProportion: this ReplicaSet's share of a resize, bounded by what is left to hand out. */
  private proportion(rs: ReplicaSet, toAdd: number, added: number): number {
    if (u.rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    const fraction = this.fraction(rs);
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private fraction(rs: ReplicaSet): number {
    const d = this.d;
    if (u.replicasOf(d) === 0) return -u.rsReplicas(rs);
    const deploymentReplicas = u.replicasOf(d) + u.maxSurge(d);
    const annotated = Number.parseInt(rs.metadata?.annotations?.[u.MAX_REPLICAS] ?? "", 10);
    const base = Number.isFinite(annotated) ? annotated : (d.status?.replicas ?? 0);
    if (base === 0) return 0;
    const size = (u.rsReplicas(rs) * deploymentReplicas) / base;
    // Go's math.Round: halves away from zero.
    return Math.sign(size) * Math.round(Math.abs(size)) - u.rsReplicas(rs);
  }

  /** Sets a ReplicaSet's replicas and the replica annotations; records "Scaled up/down". */
  private async scaleRs(rs: ReplicaSet, to: number, op?: "up" | "down"): Promise<boolean> {
    const d = this.d;
    const from = u.rsReplicas(rs);
    const max = u.replicasOf(d) + u.maxSurge(d);
    const sizeChanged = from !== to;
    if (!sizeChanged && !u.replicasAnnotationsNeedUpdate(rs, u.replicasOf(d), max)) return false;
    const copy = structuredClone(rs);
    copy.spec!.replicas = to;
    u.setReplicasAnnotations(copy, u.replicasOf(d), max);
    const updated = (await this.deps.client.update(REPLICASETS, this.ns, copy)) as ReplicaSet;
    this.replaceRs(updated);
    Object.assign(rs, updated);
    if (sizeChanged) {
      const direction = op ?? (from < to ? "up" : "down");
      this.deps.recorder.event(d, "Normal", "ScalingReplicaSet", `Scaled ${direction} replica set ${rs.metadata?.name} from ${from} to ${to}`);
    }
    return sizeChanged;
  }

  // ---- RollingUpdate ----

  private async rolloutRolling(): Promise<void> {
    const { newRs, old } = await this.replicaSets(true);
    const all = [...old, ...(newRs ? [newRs] : [])];
    if (newRs && (await this.reconcileNewRs(all, newRs))) return this.syncRolloutStatus(all, newRs);
    if (await this.reconcileOldRss(all, u.activeReplicaSets(old), newRs)) return this.syncRolloutStatus(all, newRs);
    if (u.isComplete(this.d, this.d.status ?? {})) await this.cleanup(old);
    await this.syncRolloutStatus(all, newRs);
  }

  private async reconcileNewRs(all: ReplicaSet[], newRs: ReplicaSet): Promise<boolean> {
    const want = u.replicasOf(this.d);
    if (u.rsReplicas(newRs) === want) return false;
    if (u.rsReplicas(newRs) > want) return this.scaleRs(newRs, want);
    return this.scaleRs(newRs, u.newRsReplicas(this.d, all, newRs));
  }

  /** Scales old ReplicaSets down as far as maxUnavailable allows, unhealthy replicas first. */
  private async reconcileOldRss(all: ReplicaSet[], old: ReplicaSet[], newRs: ReplicaSet | undefined): Promise<boolean> {
    if (u.sumSpec(old) === 0) return false;
    const minAvailable = u.replicasOf(this.d) - u.maxUnavailable(this.d);
    const newUnavailable = u.rsReplicas(newRs) - (newRs?.status?.availableReplicas ?? 0);
    const maxScaledDown = u.sumSpec(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = await this.cleanupUnhealthy(old, maxScaledDown);
    const scaled = await this.scaleDownOld([...old, ...(newRs ? [newRs] : [])], old);
    return cleaned + scaled > 0;
  }

  /** Old replicas that are not available go first: removing them costs no availability. */
  private async cleanupUnhealthy(old: ReplicaSet[], max: number): Promise<number> {
    let total = 0;
    for (const rs of [...old].sort(u.byCreation)) {
      if (total >= max) break;
      const spec = u.rsReplicas(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (spec === 0 || spec === available) continue;
      const down = Math.min(max - total, spec - available);
      await this.scaleRs(rs, spec - down);
      total += down;
    }
    return total;
  }

  private async scaleDownOld(all: ReplicaSet[], old: ReplicaSet[]): Promise<number> {
    const minAvailable = u.replicasOf(this.d) - u.maxUnavailable(this.d);
    const available = u.sumAvailable(all);
    if (available <= minAvailable) return 0;
    const budget = available - minAvailable;
    let total = 0;
    for (const rs of [...old].sort(u.byCreation)) {
      if (total >= budget) break;
      const spec = u.rsReplicas(rs);
      if (spec === 0) continue;
      const down = Math.min(spec, budget - total);
      await this.scaleRs(rs, spec - down);
      total += down;
    }
    return total;
  }

  // ---- Recreate ----

  private async rolloutRecreate(): Promise<void> {
    let { newRs, old } = await this.replicaSets(false);
    let all = [...old, ...(newRs ? [newRs] : [])];
    let scaledDown = false;
    for (const rs of u.activeReplicaSets(old)) if (await this.scaleRs(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(all, newRs);
    if (this.oldPodsRunning(newRs, old)) return this.syncRolloutStatus(all, newRs);
    if (!newRs) {
      ({ newRs, old } = await this.replicaSets(true));
      all = [...old, ...(newRs ? [newRs] : [])];
    }
    if (newRs) await this.scaleRs(newRs, u.replicasOf(this.d));
    if (u.isComplete(this.d, this.d.status ?? {})) await this.cleanup(old);
    await this.syncRolloutStatus(all, newRs);
  }

  /** Recreate waits until no old pod runs (finished pods do not count). */
  private oldPodsRunning(newRs: ReplicaSet | undefined, old: ReplicaSet[]): boolean {
    if (u.sumStatus(old) > 0) return true;
    for (const [uid, pods] of this.podMap) {
      if (newRs && newRs.metadata?.uid === uid) continue;
      if (pods.some((p) => p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded")) return true;
    }
    return false;
  }

  // ---- history ----

  /** Deletes the oldest unused ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(old: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = old.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => u.revisionOf(a) - u.revisionOf(b) || u.byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || u.rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.deps.client.delete(REPLICASETS, this.ns, rs.metadata!.name!);
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      }
    }
  }

  // ---- status ----

  private async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!u.hasProgressDeadline(d)) return;
    const held = u.getCondition(d.status, "Progressing");
    if (held?.reason === u.TIMED_OUT) return;
    const paused = !!d.spec?.paused;
    const status = structuredClone(d.status ?? {});
    if (paused && held?.reason !== u.PAUSED) {
      u.setCondition(status, u.newCondition("Progressing", "Unknown", u.PAUSED, "Deployment is paused", this.deps.now()));
    } else if (!paused && held?.reason === u.PAUSED) {
      u.setCondition(status, u.newCondition("Progressing", "Unknown", u.RESUMED, "Deployment is resumed", this.deps.now()));
    } else return;
    await this.updateStatus(status);
  }

  private async syncStatusOnly(): Promise<void> {
    const { newRs, old } = await this.replicaSets(false);
    await this.syncStatus([...old, ...(newRs ? [newRs] : [])], newRs);
  }

  private calculateStatus(all: ReplicaSet[], newRs: ReplicaSet | undefined): u.DeploymentStatus {
    const d = this.d;
    const available = u.sumAvailable(all);
    const unavailable = Math.max(0, u.sumSpec(all) - available);
    const status: u.DeploymentStatus = {
      observedGeneration: d.metadata?.generation,
      replicas: u.sumStatus(all),
      updatedReplicas: u.sumStatus(newRs ? [newRs] : []),
      readyReplicas: u.sumReady(all),
      availableReplicas: available,
      unavailableReplicas: unavailable,
      ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
      conditions: structuredClone(d.status?.conditions ?? []),
    };
    const now = this.deps.now();
    if (available >= u.replicasOf(d) - u.maxUnavailable(d)) {
      u.setCondition(status, u.newCondition("Available", "True", u.MIN_AVAILABLE, "Deployment has minimum availability.", now));
    } else {
      u.setCondition(status, u.newCondition("Available", "False", u.MIN_UNAVAILABLE, "Deployment does not have minimum availability.", now));
    }
    return status;
  }

  private async syncStatus(all: ReplicaSet[], newRs: ReplicaSet | undefined): Promise<void> {
    const status = this.calculateStatus(all, newRs);
    if (!statusEqual(this.d.status, status)) await this.updateStatus(status);
  }

  /** The status plus the Progressing condition (upstream's syncRolloutStatus). */
  private async syncRolloutStatus(all: ReplicaSet[], newRs: ReplicaSet | undefined): Promise<void> {
    const d = this.d;
    const now = this.deps.now();
    const status = this.calculateStatus(all, newRs);
    if (!u.hasProgressDeadline(d)) u.removeCondition(status, "Progressing");
    const held = u.getCondition(d.status, "Progressing");
    const done = status.replicas === status.updatedReplicas && held?.reason === u.NEW_RS_AVAILABLE;
    if (u.hasProgressDeadline(d) && !done) {
      const name = newRs?.metadata?.name;
      if (u.isComplete(d, status)) {
        const msg = name ? `ReplicaSet "${name}" has successfully progressed.` : "Deployment has successfully progressed.";
        u.setCondition(status, u.newCondition("Progressing", "True", u.NEW_RS_AVAILABLE, msg, now));
      } else if (u.isProgressing(d, status)) {
        const msg = name ? `ReplicaSet "${name}" is progressing.` : "Deployment is progressing.";
        const c = u.newCondition("Progressing", "True", u.RS_UPDATED, msg, now);
        // Progress refreshes lastUpdateTime (the deadline clock) but not the transition time.
        if (held?.status === "True") c.lastTransitionTime = held.lastTransitionTime;
        u.removeCondition(status, "Progressing");
        u.setCondition(status, c);
      } else if (u.isTimedOut(d, status, now)) {
        const msg = name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
        u.setCondition(status, u.newCondition("Progressing", "False", u.TIMED_OUT, msg, now));
      }
    }
    const failure = this.replicaFailure(all, newRs);
    if (failure) u.setCondition(status, failure);
    else u.removeCondition(status, "ReplicaFailure");
    if (statusEqual(d.status, status)) return this.requeueStuck(status);
    await this.updateStatus(status);
  }

  /** A ReplicaSet that cannot create pods makes the Deployment say so (ReplicaFailure). */
  private replicaFailure(all: ReplicaSet[], newRs: ReplicaSet | undefined): u.DeploymentCondition | undefined {
    for (const rs of [...(newRs ? [newRs] : []), ...all]) {
      const c = rs.status?.conditions?.find((x) => x.type === "ReplicaFailure" && x.status === "True");
      if (!c) continue;
      const now = this.deps.now();
      const out = u.newCondition("ReplicaFailure", c.status, c.reason ?? "", c.message ?? "", now);
      if (c.lastTransitionTime) out.lastTransitionTime = c.lastTransitionTime;
      out.lastUpdateTime = out.lastTransitionTime;
      return out;
    }
    return undefined;
  }

  /** Looks again when the progress deadline would pass (requeueStuckDeployment). */
  private requeueStuck(status: u.DeploymentStatus): void {
    const d = this.d;
    const c = u.getCondition(status, "Progressing");
    if (!u.hasProgressDeadline(d) || !c) return;
    if (u.isComplete(d, status) || c.reason === u.TIMED_OUT) return;
    const deadline = Date.parse(String(c.lastUpdateTime)) + (d.spec!.progressDeadlineSeconds ?? 0) * 1000;
    const after = deadline - this.deps.now();
    this.deps.requeueAfter(after < 1000 ? 0 : after + 1000);
  }

  private async updateStatus(status: u.DeploymentStatus): Promise<void> {
    const updated = (await writeStatus(this.deps.client, DEPLOYMENTS, this.d, status)) as Deployment | undefined;
    if (updated) this.d = updated;
  }
}

/** Status equality as upstream compares (conditions included, times and all). */
function statusEqual(a: u.DeploymentStatus | undefined, b: u.DeploymentStatus): boolean {
  const norm = (s: u.DeploymentStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    collisionCount: s?.collisionCount ?? 0,
    conditions: s?.conditions ?? [],
  });
  return deepEqual(norm(a), norm(b));
}
