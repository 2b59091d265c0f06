/**
 * How the garbage collector names objects and their owners: an owner reference's coordinates
 * (apiVersion, kind, name, uid) plus the namespace the object lives in. Two references to the
 * same uid that disagree on the other coordinates are treated as different owners, as upstream
 * does, so a wrong reference cannot keep a dependent alive (nor delete it) by uid alone.
 */
import type { KubeObject, ObjectMeta } from "../../apiserver/api/types.ts";

export type OwnerReference = NonNullable<ObjectMeta["ownerReferences"]>[number];

export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";

export interface Identity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** "" for cluster-scoped objects (and for owners assumed cluster-scoped). */
  namespace: string;
}

export function identityOf(obj: KubeObject, apiVersion: string, kind: string): Identity {
  const meta = obj.metadata ?? {};
  return { apiVersion, kind, name: meta.name ?? "", uid: meta.uid ?? "", namespace: meta.namespace ?? "" };
}

/** The identity an owner reference names, in the namespace of the object holding it. */
export function identityOfReference(ref: OwnerReference, namespace: string): Identity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.namespace === b.namespace;
}

/** A reference matches an identity's coordinates (namespace aside). */
export function referenceMatches(ref: OwnerReference, id: Identity): boolean {
  return ref.uid === id.uid && ref.name === id.name && ref.kind === id.kind && ref.apiVersion === id.apiVersion;
}

export function identityKey(id: Identity): string {
  return `${id.apiVersion}|${id.kind}|${id.namespace}|${id.name}|${id.uid}`;
}

export function describe(id: Identity): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name} (${id.uid})`;
}

/** Upstream's ordering of identities (kind, apiVersion, namespace, name, uid), for picking alternates deterministically. */
export function identityLess(a: Identity, b: Identity): boolean {
  for (const k of ["kind", "apiVersion", "namespace", "name", "uid"] as const) if (a[k] !== b[k]) return a[k] < b[k];
  return false;
}

export function isBeingDeleted(obj: KubeObject | undefined): boolean {
  return Boolean(obj?.metadata?.deletionTimestamp);
}

export function hasFinalizer(obj: KubeObject | undefined, finalizer: string): boolean {
  return (obj?.metadata?.finalizers ?? []).includes(finalizer);
}

export function blocksOwner(ref: OwnerReference): boolean {
  return ref.blockOwnerDeletion === true;
}

/** Owner references added, removed, and changed (same uid, other fields differ) between two lists. */
export function referencesDiff(
  before: OwnerReference[],
  after: OwnerReference[],
): { added: OwnerReference[]; removed: OwnerReference[]; changed: Array<{ old: OwnerReference; now: OwnerReference }> } {
  const old = new Map(before.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: Array<{ old: OwnerReference; now: OwnerReference }> = [];
  for (const r of after) {
    const prev = old.get(r.uid);
    if (!prev) added.push(r);
    else {
      old.delete(r.uid);
      if (JSON.stringify(prev) !== JSON.stringify(r)) changed.push({ old: prev, now: r });
    }
  }
  return { added, removed: [...old.values()], changed };
}
