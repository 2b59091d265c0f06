/**
 * Equality as upstream's apiequality.Semantic sees it on wire objects: quantities compare by
 * value, and an empty list equals an absent one.
 */
import { deepEqual } from "../../registry/object-diff.ts";

/** JSON with empty lists and nulls dropped, so that [] and absent compare equal. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined && n !== null) out[k] = n;
    }
    return out;
  }
  return v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(normalize(a), normalize(b));
}

/** Paths (a.b[0].c) where two JSON values differ, for the detail of "may not change" errors. */
export function differingPaths(a: unknown, b: unknown, path = ""): string[] {
  const na = normalize(a);
  const nb = normalize(b);
  if (deepEqual(na, nb)) return [];
  const bothObjects = na && nb && typeof na === "object" && typeof nb === "object";
  if (!bothObjects || Array.isArray(na) !== Array.isArray(nb)) return [path || "."];
  if (Array.isArray(na) && Array.isArray(nb)) {
    if (na.length !== nb.length) return [path];
    return na.flatMap((x, i) => differingPaths(x, nb[i], `${path}[${i}]`));
  }
  const ra = na as Record<string, unknown>;
  const rb = nb as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  return keys.flatMap((k) => differingPaths(ra[k], rb[k], path ? `${path}.${k}` : k));
}
