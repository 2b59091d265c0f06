/**
 * Deployment bookkeeping shared by the rollout strategies (upstream's deployment/util): revision
 * and replica annotations on ReplicaSets, surge and unavailability bounds, which ReplicaSet is
 * new, replica arithmetic over ReplicaSets, and the Deployment's conditions.
 */
import type { Deployment, PodTemplateSpec, ReplicaSet } from "../common/types.ts";
import { deepEqual } from "../common/equal.ts";
import { scaledValue } from "../common/int-or-percent.ts";
import { rfc3339, timeOf } from "../common/types.ts";

export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const ROLLBACK_TO = "deprecated.deployment.rollback.to";
/** Deployment annotations not copied onto its ReplicaSets. */
const NOT_COPIED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);
const MAX_REVISION_HISTORY_CHARS = 2000;

export const NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
export const TIMED_OUT = "ProgressDeadlineExceeded";
export const PAUSED = "DeploymentPaused";
export const RESUMED = "DeploymentResumed";
export const RS_UPDATED = "ReplicaSetUpdated";
export const NEW_RS_CREATED = "NewReplicaSetCreated";
export const FOUND_NEW_RS = "FoundNewReplicaSet";
export const FAILED_RS_CREATE = "ReplicaSetCreateError";
export const MIN_AVAILABLE = "MinimumReplicasAvailable";
export const MIN_UNAVAILABLE = "MinimumReplicasUnavailable";

export type DeploymentStatus = NonNullable<Deployment["status"]>;
export type DeploymentCondition = NonNullable<DeploymentStatus["conditions"]>[number];

export const replicasOf = (d: Deployment): number => d.spec?.replicas ?? 1;
export const rsReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = obj?.metadata?.annotations?.[REVISION];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** ResolveFenceposts: surge rounds up, unavailability down; never both zero. */
function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const want = replicasOf(d);
  const surge = scaledValue((ru?.maxSurge as number | string | undefined) ?? "25%", want, true);
  let unavailable = scaledValue((ru?.maxUnavailable as number | string | undefined) ?? "25%", want, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicasOf(d));
}

/** Templates equal but for the pod-template-hash label (EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
    return c;
  };
  return deepEqual(strip(a), strip(b));
}

/** Oldest first; ties by name (ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp);
  return d !== 0 ? d : (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");
}

/** The ReplicaSet whose template is the Deployment's (the oldest, should there be several). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function activeReplicaSets(rss: Array<ReplicaSet | undefined>): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && rsReplicas(rs) > 0);
}

export const sumSpec = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + rsReplicas(rs), 0);
export const sumStatus = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + (rs?.status?.availableReplicas ?? 0), 0);

/** The ReplicaSet to scale when only one is active (or the newest when none is). */
export function activeOrLatest(newRs: ReplicaSet | undefined, old: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRs && old.length === 0) return undefined;
  const all = [...old, ...(newRs ? [newRs] : [])].sort((a, b) => -byCreation(a, b));
  const active = activeReplicaSets(all);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRs ?? all[0];
  return undefined;
}

/** The new ReplicaSet runs all replicas and is fully available (IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number.parseInt(rs.metadata?.annotations?.[DESIRED_REPLICAS] ?? "", 10);
  if (!Number.isFinite(desired)) return false;
  return rsReplicas(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** How many replicas the new ReplicaSet may have now (NewRSNewReplicas). */
export function newRsReplicas(d: Deployment, all: Array<ReplicaSet | undefined>, newRs: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const total = sumSpec(all);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (total >= maxTotal) return rsReplicas(newRs);
  const up = Math.min(maxTotal - total, replicasOf(d) - rsReplicas(newRs));
  return rsReplicas(newRs) + up;
}

/** Sets desired- and max-replicas; true when they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  const changed = a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
  a[DESIRED_REPLICAS] = String(desired);
  a[MAX_REPLICAS] = String(max);
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision (moving
 * the old one into revision-history) and, for a ReplicaSet being created, the replica annotations.
 * True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision = a[REVISION];
  const oldN = oldRevision === undefined ? 0 : Number.parseInt(oldRevision, 10);
  if (!(oldN >= newRevision)) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(",") : [];
      history.push(oldRevision);
      while (history.join(",").length > MAX_REVISION_HISTORY_CHARS && history.length > 1) history.shift();
      a[REVISION_HISTORY] = history.join(",");
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** The rollout is done: all replicas updated and available, the latest spec observed (DeploymentComplete). */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Something moved since the last status (DeploymentProgressing). */
export function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/** No progress for progressDeadlineSeconds since the Progressing condition last changed (DeploymentTimedOut). */
export function isTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, "Progressing");
  if (!c) return false;
  if (c.reason === NEW_RS_AVAILABLE) return false;
  if (c.reason === TIMED_OUT) return true;
  return timeOf(c.lastUpdateTime) + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 < now;
}

export function getCondition(s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now) as unknown as DeploymentCondition["lastUpdateTime"];
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason changes nothing; same status keeps the transition time. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const held = getCondition(s, c.type);
  if (held && held.status === c.status && held.reason === c.reason) return;
  if (held && held.status === c.status) c.lastTransitionTime = held.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  s.conditions = (s.conditions ?? []).filter((x) => x.type !== type);
}
