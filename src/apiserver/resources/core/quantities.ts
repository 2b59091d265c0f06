/**
 * Canonical quantity text inside objects. kube-apiserver decodes every quantity and encodes it
 * back in canonical form, and rounds resource lists up to milli-units (SetDefaults_ResourceList),
 * so stored objects carry "1Gi" for "1024Mi" and "100m" for "0.1".
 */
import { canonicalQuantity, quantityText } from "../../validation/quantity.ts";
import type { ResourceList } from "./types.ts";

/** Rewrites a resource list's values in canonical, milli-rounded form; unparseable values stay for validation. */
export function canonicalizeResourceList(list: ResourceList | undefined | null): void {
  if (!list) return;
  for (const [k, v] of Object.entries(list)) {
    const text = quantityText(v);
    if (text !== undefined) list[k] = canonicalQuantity(text, true);
  }
}

/** A single quantity field in canonical form (no milli rounding), or undefined when absent. */
export function canonicalField(v: unknown): string | undefined {
  const text = quantityText(v);
  return text === undefined ? undefined : canonicalQuantity(text);
}
