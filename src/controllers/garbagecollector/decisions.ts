/**
 * What the garbage collector does with an object that has owners, given what it found out about
 * each owner (upstream's attemptToDeleteItem, as a pure function):
 * - while one owner is solid (exists and is not deleting in the foreground), the object stays,
 *   and references to absent owners or to owners deleting in the foreground are removed;
 * - when an owner deletes in the foreground and the object has dependents of its own, it is
 *   deleted in the foreground too (so the deletion walks down the chain);
 * - otherwise it is deleted, honouring an orphan or foregroundDeletion finalizer it already has.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import { FOREGROUND_FINALIZER, hasFinalizer, isBeingDeleted, ORPHAN_FINALIZER, type OwnerReference } from "./identity.ts";

export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

export interface ClassifiedOwners {
  /** Exist and are not waiting for their dependents' deletion. */
  solid: OwnerReference[];
  /** Do not exist (404, or another object with that name). */
  dangling: OwnerReference[];
  /** Exist, are being deleted, and hold the foregroundDeletion finalizer. */
  waiting: OwnerReference[];
}

export type Decision =
  | { kind: "keep" }
  | { kind: "removeReferences"; uids: string[] }
  /** `unblockFirst`: a dependent also waits on its dependents; a blocking reference could deadlock the cycle. */
  | { kind: "deleteForeground"; unblockFirst: boolean }
  | { kind: "delete"; policy: PropagationPolicy };

/** Sorts an owner into its class, from the owner as read from the API server (undefined: absent). */
export function classifyOwner(owner: KubeObject | undefined, ref: OwnerReference): keyof ClassifiedOwners {
  if (!owner || owner.metadata?.uid !== ref.uid) return "dangling";
  return isBeingDeleted(owner) && hasFinalizer(owner, FOREGROUND_FINALIZER) ? "waiting" : "solid";
}

export function decide(latest: KubeObject, owners: ClassifiedOwners, dependents: { count: number; anyDeletingDependents: boolean }): Decision {
  if (owners.solid.length > 0) {
    const stale = [...owners.dangling, ...owners.waiting];
    return stale.length === 0 ? { kind: "keep" } : { kind: "removeReferences", uids: stale.map((r) => r.uid) };
  }
  if (owners.waiting.length > 0 && dependents.count > 0) return { kind: "deleteForeground", unblockFirst: dependents.anyDeletingDependents };
  if (hasFinalizer(latest, ORPHAN_FINALIZER)) return { kind: "delete", policy: "Orphan" };
  if (hasFinalizer(latest, FOREGROUND_FINALIZER)) return { kind: "delete", policy: "Foreground" };
  return { kind: "delete", policy: "Background" };
}

/** The owner references left once those of `uids` are removed. */
export function withoutReferences(refs: OwnerReference[], uids: Iterable<string>): OwnerReference[] {
  const drop = new Set(uids);
  return refs.filter((r) => !drop.has(r.uid));
}

/** Every blocking reference made non-blocking (to break a foreground-deletion cycle). */
export function unblocked(refs: OwnerReference[]): OwnerReference[] {
  return refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}
