/**
 * The garbage collector's two finalizers, as a DELETE sets them (upstream's
 * deletionFinalizersForGarbageCollection): `orphan` asks the collector to detach the object's
 * dependents before it goes, `foregroundDeletion` asks it to delete them first. Which one an
 * object gets follows, in order: the request's propagation policy, a GC finalizer the object
 * already carries, then the type's default policy.
 */
import type { KubeObject } from "../api/types.ts";
import type { ResourceDefinition } from "./definition.ts";

export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";

export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

function firstGcFinalizer(finalizers: string[]): string | undefined {
  return finalizers.find((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER);
}

function shouldOrphan(policy: PropagationPolicy | undefined, finalizers: string[], typeDefault: ResourceDefinition["garbageCollectionPolicy"]): boolean {
  if (typeDefault === "Unsupported") return false;
  if (policy) return policy === "Orphan";
  const present = firstGcFinalizer(finalizers);
  if (present) return present === ORPHAN_FINALIZER;
  return typeDefault === "OrphanDependents";
}

function shouldDeleteDependents(policy: PropagationPolicy | undefined, finalizers: string[], typeDefault: ResourceDefinition["garbageCollectionPolicy"]): boolean {
  if (typeDefault === "Unsupported") return false;
  if (policy) return policy === "Foreground";
  return firstGcFinalizer(finalizers) === FOREGROUND_FINALIZER;
}

/**
 * The object's finalizers after a DELETE with `policy`, or undefined when they stay as they are
 * (compared as sets, as upstream does). Other finalizers keep their order; the GC one goes last.
 */
export function deletionFinalizers(def: Pick<ResourceDefinition, "garbageCollectionPolicy">, obj: KubeObject, policy: PropagationPolicy | undefined): string[] | undefined {
  const current = obj.metadata?.finalizers ?? [];
  const next = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (shouldOrphan(policy, current, def.garbageCollectionPolicy)) next.push(ORPHAN_FINALIZER);
  if (shouldDeleteDependents(policy, current, def.garbageCollectionPolicy)) next.push(FOREGROUND_FINALIZER);
  const before = new Set(current);
  const after = new Set(next);
  if (before.size === after.size && [...after].every((f) => before.has(f))) return undefined;
  return next;
}
