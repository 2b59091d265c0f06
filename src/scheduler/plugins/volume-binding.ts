/**
 * VolumeBinding, the scheduler's part of storage: a pod's claims must exist and not be going
 * away; bound claims need their volume's node affinity to admit the node; unbound claims of an
 * Immediate class wait for the volume controller; unbound WaitForFirstConsumer claims need an
 * available volume that fits on the node, or a class that provisions dynamically. PreBind records
 * the choice in the API (the volume's claimRef, or the claim's selected-node annotation) for the
 * volume controller to finish; kts has no volume controller yet, so the pod is bound without
 * waiting for it.
 */
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../api.ts";
import { PVCS, PVS } from "../api.ts";
import type { ClusterEvent, CycleState, FilterPlugin, Handle, PreBindPlugin, PreFilterPlugin, ReservePlugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { quantityValue } from "../resources.ts";
import { compileLabelSelector, compileNodeSelectorTerm } from "../selectors.ts";
import { type Result, SKIP, Status } from "../status.ts";

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
export const ERR_REASON_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
const ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
const SELECTED_NODE = "volume.kubernetes.io/selected-node";
const NO_PROVISIONER = "kubernetes.io/no-provisioner";
const STATE_KEY = "PreFilterVolumeBinding";

interface State {
  bound: PersistentVolumeClaim[];
  /** Unbound WaitForFirstConsumer claims, with whether their class provisions dynamically. */
  delayed: Array<{ claim: PersistentVolumeClaim; dynamic: boolean }>;
  /** Per node: the volume chosen for each delayed claim (undefined: provision). */
  chosen: Map<string, Array<PersistentVolume | undefined>>;
}

/** Claim names of the pod's volumes (generic ephemeral volumes are "<pod>-<volume>"). */
function claimNames(pod: PodInfo): string[] {
  const out: string[] = [];
  for (const v of pod.pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.name}-${v.name}`);
  }
  return out;
}

function storageOf(list: Record<string, unknown> | undefined): number {
  return quantityValue(list?.storage ?? "0");
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = "VolumeBinding";
  readonly events: ClusterEvent[] = [
    "PersistentVolumeClaim/Add",
    "PersistentVolumeClaim/Update",
    "PersistentVolume/Add",
    "PersistentVolume/Update",
    "StorageClass/Add",
    "StorageClass/Update",
    "Node/Add",
    "Node/UpdateNodeLabel",
  ];
  /** Volumes promised to pods whose binding is in flight. */
  private readonly assumed = new Set<string>();

  constructor(private readonly handle: Handle) {}

  preFilter(state: CycleState, pod: PodInfo): Result {
    const names = claimNames(pod);
    if (names.length === 0) return SKIP;
    const claims = this.handle.lister("persistentvolumeclaims");
    const classes = this.handle.lister("storageclasses");
    const s: State = { bound: [], delayed: [], chosen: new Map() };
    for (const name of names) {
      const claim = claims.get(pod.namespace, name) as PersistentVolumeClaim | undefined;
      if (!claim) return Status.unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (claim.metadata?.deletionTimestamp) return Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      if (claim.spec?.volumeName) {
        s.bound.push(claim);
        continue;
      }
      const cls = classes.get("", claim.spec?.storageClassName ?? "") as StorageClass | undefined;
      if (cls?.volumeBindingMode !== "WaitForFirstConsumer") return Status.unresolvable(ERR_UNBOUND_IMMEDIATE);
      s.delayed.push({ claim, dynamic: !!cls.provisioner && cls.provisioner !== NO_PROVISIONER });
    }
    state.write(STATE_KEY, s);
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Result {
    const s = state.read<State>(STATE_KEY);
    if (!s || !node.node) return null;
    const volumes = this.handle.lister("persistentvolumes");
    for (const claim of s.bound) {
      const pv = volumes.get("", claim.spec!.volumeName!) as PersistentVolume | undefined;
      if (!pv) return Status.unresolvable(ERR_REASON_PV_NOT_EXIST);
      if (!pvFitsNode(pv, node)) return Status.unresolvable(ERR_REASON_NODE_CONFLICT);
    }
    if (s.delayed.length === 0) return null;
    const taken = new Set<string>();
    const chosen: Array<PersistentVolume | undefined> = [];
    for (const { claim, dynamic } of s.delayed) {
      const pv = this.findVolume(claim, node, taken);
      if (pv) taken.add(pv.metadata!.name!);
      else if (!dynamic) return Status.unschedulable(ERR_REASON_BIND_CONFLICT);
      chosen.push(pv);
    }
    s.chosen.set(node.name, chosen);
    return null;
  }

  /** The smallest available volume that satisfies the claim on this node. */
  private findVolume(claim: PersistentVolumeClaim, node: NodeInfo, taken: Set<string>): PersistentVolume | undefined {
    const want = storageOf(claim.spec?.resources?.requests as Record<string, unknown> | undefined);
    const cls = claim.spec?.storageClassName ?? "";
    const modes = claim.spec?.accessModes ?? [];
    const selector = claim.spec?.selector ? compileLabelSelector(claim.spec.selector) : undefined;
    let best: PersistentVolume | undefined;
    let bestSize = Infinity;
    for (const pv of this.handle.lister("persistentvolumes").list("") as PersistentVolume[]) {
      const name = pv.metadata?.name ?? "";
      if (taken.has(name) || this.assumed.has(name) || pv.spec?.claimRef || pv.metadata?.deletionTimestamp) continue;
      if ((pv.spec?.storageClassName ?? "") !== cls) continue;
      if ((pv.spec?.volumeMode ?? "Filesystem") !== (claim.spec?.volumeMode ?? "Filesystem")) continue;
      if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue;
      if (selector && !selector.matches(pv.metadata?.labels)) continue;
      const size = storageOf(pv.spec?.capacity as Record<string, unknown> | undefined);
      if (size < want || size >= bestSize || !pvFitsNode(pv, node)) continue;
      best = pv;
      bestSize = size;
    }
    return best;
  }

  reserve(state: CycleState, _pod: PodInfo, node: string): Result {
    for (const pv of state.read<State>(STATE_KEY)?.chosen.get(node) ?? []) if (pv) this.assumed.add(pv.metadata!.name!);
    return null;
  }

  unreserve(state: CycleState, _pod: PodInfo, node: string): void {
    for (const pv of state.read<State>(STATE_KEY)?.chosen.get(node) ?? []) if (pv) this.assumed.delete(pv.metadata!.name!);
  }

  async preBind(state: CycleState, pod: PodInfo, node: string): Promise<Result> {
    const s = state.read<State>(STATE_KEY);
    if (!s || s.delayed.length === 0) return null;
    const chosen = s.chosen.get(node) ?? [];
    try {
      for (let i = 0; i < s.delayed.length; i++) {
        const claim = s.delayed[i]!.claim;
        const pv = chosen[i];
        if (pv) {
          const claimRef = { kind: "PersistentVolumeClaim", apiVersion: "v1", namespace: pod.namespace, name: claim.metadata!.name, uid: claim.metadata!.uid, resourceVersion: claim.metadata!.resourceVersion };
          await this.handle.client.patch(PVS, "", pv.metadata!.name!, "application/merge-patch+json", { spec: { claimRef } });
        } else {
          await this.handle.client.patch(PVCS, pod.namespace, claim.metadata!.name!, "application/merge-patch+json", { metadata: { annotations: { [SELECTED_NODE]: node } } });
        }
      }
    } catch (err) {
      return Status.error(err);
    } finally {
      for (const pv of chosen) if (pv) this.assumed.delete(pv.metadata!.name!);
    }
    return null;
  }
}

function pvFitsNode(pv: PersistentVolume, node: NodeInfo): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => compileNodeSelectorTerm(t)(node.node!));
}
