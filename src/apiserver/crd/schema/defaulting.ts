/**
 * Structural defaulting (upstream's defaulting.Default): a missing field, or a null one whose
 * schema is not nullable, takes its schema's default; then defaulting descends into every field
 * and item that exists (including ones just defaulted, so nested defaults apply too). A null
 * item or map value whose schema is not nullable is replaced by that schema's default.
 *
 * Defaults are pruned against their own schema once, when the schema is compiled
 * (PruneDefaults), so a default never adds fields the schema does not declare.
 */
import { coerceEmbedded } from "./embedded.ts";
import { pruneValue } from "./prune.ts";
import type { Structural } from "./structural.ts";
import { deepCopy, hasKey, isObject, setKey } from "./types.ts";

const nonNullableNull = (v: unknown, s: Structural | undefined): boolean => v === null && s !== undefined && !s.nullable;

export function applyDefaults(x: unknown, s: Structural | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (nonNullableNull(x[i], s.items) && s.items!.default !== undefined) x[i] = deepCopy(s.items!.default);
      applyDefaults(x[i], s.items);
    }
    return;
  }
  if (!isObject(x)) return;
  if (s.properties) {
    for (const [k, prop] of s.properties) {
      if (prop.default === undefined) continue;
      if (!hasKey(x, k) || nonNullableNull(x[k], prop)) setKey(x, k, deepCopy(prop.default));
    }
  }
  const ap = s.additionalProperties?.schema;
  for (const k of Object.keys(x)) {
    const prop = s.properties?.get(k);
    if (prop) applyDefaults(x[k], prop);
    else if (s.additionalProperties) {
      if (nonNullableNull(x[k], ap) && ap!.default !== undefined) x[k] = deepCopy(ap!.default);
      applyDefaults(x[k], ap);
    }
  }
}

/** PruneDefaults: every default becomes a pruned, metadata-coerced copy of itself. */
export function pruneDefaults(s: Structural | undefined): void {
  if (!s) return;
  if (s.default !== undefined) {
    const d = deepCopy(s.default);
    coerceEmbedded(d, s, false, true);
    pruneValue(d, s, false);
    s.default = d;
  }
  pruneDefaults(s.additionalProperties?.schema);
  pruneDefaults(s.items);
  if (s.properties) for (const p of s.properties.values()) pruneDefaults(p);
}
