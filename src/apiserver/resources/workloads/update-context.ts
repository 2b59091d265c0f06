/**
 * Some upstream validations differ between create and update (events.k8s.io's strict create
 * rules, a Job's label requirements that depend on the stored Job, a CronJob's time zone), while
 * the store calls `validate` for both. The store always runs prepareForUpdate, and only on
 * updates, before `validate` on the same object: strategies record the stored object there and
 * look it up in `validate`.
 */
import type { KubeObject } from "../../api/types.ts";

const storedFor = new WeakMap<KubeObject, KubeObject>();

/** Call from prepareForUpdate. */
export function rememberUpdate(obj: KubeObject, old: KubeObject): void {
  storedFor.set(obj, old);
}

/** The stored object when `obj` is an update, undefined when it is a create. */
export function storedObjectOf(obj: KubeObject): KubeObject | undefined {
  return storedFor.get(obj);
}
