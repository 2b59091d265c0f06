/**
 * Status handling shared by the workload strategies: a create starts from an empty status and
 * an update through the main endpoint keeps the stored one (upstream's PrepareForCreate /
 * PrepareForUpdate of every type with a status subresource).
 */
import type { KubeObject } from "../../api/types.ts";

/** Go writes the zero status struct, so a new object reads back with `status: {}`. */
export function resetStatus(obj: KubeObject): void {
  obj.status = {};
}

export function keepOldStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = structuredClone(old.status);
}
