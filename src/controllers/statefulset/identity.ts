/**
 * A StatefulSet pod's identity (upstream's stateful_set_utils): the name <set>-<ordinal>, the
 * hostname and subdomain, the pod-name and pod-index labels, and one PersistentVolumeClaim per
 * claim template named <template>-<set>-<ordinal>, mounted as the template's volume.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { PersistentVolumeClaim, Pod, StatefulSet } from "../common/types.ts";
import { newControllerRef } from "../common/controller-ref.ts";
import { CONTROLLER_REVISION_HASH } from "../common/history.ts";
import { podFromTemplate } from "../common/pod-control.ts";
import { isPodAvailable, isPodReady } from "../common/pods.ts";

export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

const ORDINAL = /^(.*)-([0-9]+)$/;

/** The parent name and ordinal a pod's name encodes; ordinal -1 when it encodes none. */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = ORDINAL.exec(pod.metadata?.name ?? "");
  if (!m) return { parent: "", ordinal: -1 };
  const ordinal = Number.parseInt(m[2]!, 10);
  return { parent: m[1]!, ordinal: Number.isSafeInteger(ordinal) ? ordinal : -1 };
}

export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata!.name}-${ordinal}`;
export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;

export function isMemberOf(set: StatefulSet, pod: KubeObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata?.name;
}

export function inOrdinalRange(set: StatefulSet, ordinal: number): boolean {
  return ordinal >= startOrdinal(set) && ordinal < startOrdinal(set) + replicasOf(set);
}

export function claimName(set: StatefulSet, template: string, ordinal: number): string {
  return `${template}-${set.metadata!.name}-${ordinal}`;
}

/** The claims a pod of this ordinal uses, keyed by template name (labels: the template's plus the selector's). */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const claim = structuredClone(t) as PersistentVolumeClaim;
    const name = t.metadata?.name ?? "";
    claim.apiVersion = "v1";
    claim.kind = "PersistentVolumeClaim";
    claim.metadata = { ...claim.metadata, name: claimName(set, name, ordinal), namespace: set.metadata?.namespace };
    claim.metadata.labels = { ...claim.metadata.labels, ...set.spec?.selector?.matchLabels };
    delete claim.status;
    out.set(name, claim);
  }
  return out;
}

export function revisionOfPod(pod: KubeObject): string {
  return pod.metadata?.labels?.[CONTROLLER_REVISION_HASH] ?? "";
}

/** Name, namespace and identity labels (updateIdentity); hostname and subdomain (initIdentity). */
function setIdentity(set: StatefulSet, pod: Pod, ordinal: number, init: boolean): void {
  const name = podName(set, ordinal);
  pod.metadata = { ...pod.metadata, name, namespace: set.metadata?.namespace };
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) };
  if (init) {
    pod.spec!.hostname = name;
    if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  }
}

/** The claim templates' volumes first, then the pod's other volumes (updateStorage). */
function setStorage(set: StatefulSet, pod: Pod, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  if (claims.size === 0) return;
  const volumes = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata!.name! } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v as (typeof volumes)[number]);
  pod.spec!.volumes = volumes as NonNullable<Pod["spec"]>["volumes"];
}

/** A new pod of `set` (whose template is the revision's) at `ordinal`, labelled with the revision name. */
export function newPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const pod = podFromTemplate(set.spec!.template, set, newControllerRef(set));
  setIdentity(set, pod, ordinal, true);
  setStorage(set, pod, ordinal);
  pod.metadata!.labels = { ...pod.metadata!.labels, [CONTROLLER_REVISION_HASH]: revision };
  return pod;
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[POD_NAME_LABEL] === pod.metadata?.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const { ordinal } = parentAndOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    if (volumes.get(name)?.persistentVolumeClaim?.claimName !== claim.metadata?.name) return false;
  }
  return true;
}

/** Restores identity labels and claim volumes on a pod that lost them (UpdateStatefulPod). */
export function repairPod(set: StatefulSet, pod: Pod): Pod {
  const copy = structuredClone(pod);
  const { ordinal } = parentAndOrdinal(copy);
  setIdentity(set, copy, ordinal, false);
  setStorage(set, copy, ordinal);
  return copy;
}

export const isCreated = (p: Pod): boolean => !!p.status?.phase;
export const isTerminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp;
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === "Running" && isPodReady(p);
export const isRunningAndAvailable = (p: Pod, minReadySeconds: number, now: number): boolean => p.status?.phase === "Running" && isPodAvailable(p, minReadySeconds, now);
export const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && !isTerminating(p);
