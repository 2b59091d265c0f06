/**
 * Comparisons the generic store needs: is an update a no-op (then nothing is written and the
 * resourceVersion stays), did anything outside metadata and status change (then generation grows),
 * and the split between an object's status and the rest for the /status subresource.
 */
import type { KubeObject } from "../api/types.ts";

/** Order-insensitive structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** Everything but metadata and status (upstream bumps generation when the spec changes). */
export function specChanged(next: KubeObject, old: KubeObject): boolean {
  const keys = new Set([...Object.keys(next), ...Object.keys(old)]);
  for (const k of keys) {
    if (k === "metadata" || k === "status" || k === "apiVersion" || k === "kind") continue;
    if (!deepEqual(next[k], old[k])) return true;
  }
  return false;
}

/**
 * Whether an update would store the same object: resourceVersion aside, and managedFields
 * compared without their timestamps, so a write whose only effect would be a newer time on an
 * unchanged entry is no write at all (upstream's IgnoreManagedFieldsTimestampsTransformer).
 */
export function semanticallyEqual(next: KubeObject, old: KubeObject): boolean {
  if (!sameManagedFields(next.metadata?.managedFields, old.metadata?.managedFields)) return false;
  const strip = (o: KubeObject) => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata ?? {};
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(next), strip(old));
}

/** Entry by entry, in order, each without its time. */
function sameManagedFields(a: unknown, b: unknown): boolean {
  const left = Array.isArray(a) ? a : [];
  const right = Array.isArray(b) ? b : [];
  if (left.length !== right.length) return false;
  const untimed = (entry: unknown) => {
    if (entry === null || typeof entry !== "object") return entry;
    const { time: _time, ...rest } = entry as Record<string, unknown>;
    return rest;
  };
  return left.every((entry, i) => deepEqual(untimed(entry), untimed(right[i])));
}

/** The main endpoint of a type with a status subresource cannot change the status. */
export function keepStatus(next: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete next.status;
  else next.status = structuredClone(old.status);
}

/**
 * A /status update changes only the status: the rest is the stored object's, except the
 * managedFields a server-side apply to /status computed (upstream's status strategies keep them
 * too; other writes record theirs afterwards from the stored ones).
 */
export function mergeStatusUpdate(incoming: KubeObject, old: KubeObject): KubeObject {
  const next = structuredClone(old);
  if (incoming.status === undefined) delete next.status;
  else next.status = incoming.status;
  const { managedFields: _stored, ...meta } = next.metadata ?? {};
  const managedFields = incoming.metadata?.managedFields;
  next.metadata = { ...meta, ...(managedFields ? { managedFields } : {}), resourceVersion: incoming.metadata?.resourceVersion };
  return next;
}
