/**
 * CRD status conditions, with upstream's rules (apihelpers SetCRDCondition): a condition's
 * lastTransitionTime moves only when its status changes; reason and message always follow.
 */
import type { CustomResourceDefinition, CustomResourceDefinitionCondition, ConditionType } from "./types.ts";
import { rfc3339 } from "../registry/object-meta.ts";

export function findCondition(crd: CustomResourceDefinition, type: ConditionType): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(crd: CustomResourceDefinition, type: ConditionType): boolean {
  return findCondition(crd, type)?.status === "True";
}

/** Sets (or adds) a condition on `crd`, which must be a private copy. */
export function setCondition(crd: CustomResourceDefinition, condition: CustomResourceDefinitionCondition, now = Date.now()): void {
  const status = (crd.status ??= { acceptedNames: { plural: "", kind: "" }, storedVersions: null });
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === condition.type);
  const time = rfc3339(now);
  if (!existing) {
    conditions.push({ ...condition, lastTransitionTime: time });
    return;
  }
  if (existing.status !== condition.status || !existing.lastTransitionTime) existing.lastTransitionTime = time;
  existing.status = condition.status;
  existing.reason = condition.reason;
  existing.message = condition.message;
}

/** Same type, status, reason and message (upstream's IsCRDConditionEquivalent; the time is ignored). */
export function conditionEquivalent(a: CustomResourceDefinitionCondition | undefined, b: CustomResourceDefinitionCondition | undefined): boolean {
  if (!a || !b) return a === b;
  return a.type === b.type && a.status === b.status && (a.reason ?? "") === (b.reason ?? "") && (a.message ?? "") === (b.message ?? "");
}
