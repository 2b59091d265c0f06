/**
 * Pruning (upstream's structural pruning): fields a schema does not declare are dropped, in
 * place. x-kubernetes-preserve-unknown-fields keeps unknown fields but still prunes inside
 * declared ones; additionalProperties declares every key. apiVersion, kind and metadata of the
 * resource root and of embedded resources are left alone here (metadata is reduced to
 * ObjectMeta by ./embedded.ts).
 *
 * Also the decoder's removal of nulls the schema neither allows nor can default.
 */
import { asResourceRoot, fieldSchema, type Structural } from "./structural.ts";
import { isObject, type JsonObject } from "./types.ts";

const META_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/** Prunes a whole custom object; pushes the paths of dropped fields (sorted) to `unknown` if given. */
export function pruneObject(obj: unknown, root: Structural, unknown?: string[]): void {
  const found: string[] = [];
  prune(obj, asResourceRoot(root), "", unknown ? found : undefined);
  if (unknown) unknown.push(...found.sort());
}

/** Prunes a value below the root (defaults are pruned this way, against their own schema). */
export function pruneValue(x: unknown, s: Structural | undefined, isResourceRoot: boolean): void {
  prune(x, s && isResourceRoot ? asResourceRoot(s) : s, "", undefined);
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function prune(x: unknown, s: Structural | undefined, path: string, unknown: string[] | undefined): void {
  if (s?.preserveUnknownFields) {
    skipPrune(x, s, path, unknown);
    return;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) prune(x[i], s?.items, unknown ? `${path}[${i}]` : "", unknown);
    return;
  }
  if (!isObject(x)) return;
  if (!s) {
    for (const k of Object.keys(x)) {
      unknown?.push(join(path, k));
      delete x[k];
    }
    return;
  }
  for (const k of Object.keys(x)) {
    if (s.embeddedResource && META_FIELDS.has(k)) continue;
    const prop = s.properties?.get(k);
    if (prop) prune(x[k], prop, unknown ? join(path, k) : "", unknown);
    else if (s.additionalProperties) prune(x[k], s.additionalProperties.schema, unknown ? join(path, k) : "", unknown);
    else {
      if (!META_FIELDS.has(k) || path !== "") unknown?.push(join(path, k));
      delete x[k];
    }
  }
}

/** Under x-kubernetes-preserve-unknown-fields: unknown keys stay, declared ones are pruned as usual. */
function skipPrune(x: unknown, s: Structural | undefined, path: string, unknown: string[] | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) skipPrune(x[i], s.items, unknown ? `${path}[${i}]` : "", unknown);
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    if (s.embeddedResource && META_FIELDS.has(k)) continue;
    const prop = s.properties?.get(k);
    if (prop) prune(x[k], prop, unknown ? join(path, k) : "", unknown);
    else if (s.additionalProperties) prune(x[k], s.additionalProperties.schema, unknown ? join(path, k) : "", unknown);
  }
}

/** PruneNonNullableNullsWithoutDefaults: a null map value whose schema is neither nullable nor defaulted goes. */
export function dropNulls(x: unknown, s: Structural | undefined): void {
  if (Array.isArray(x)) {
    for (const item of x) dropNulls(item, s?.items);
    return;
  }
  if (!isObject(x)) return;
  const obj: JsonObject = x;
  for (const k of Object.keys(obj)) {
    const sub = fieldSchema(s, k);
    const v = obj[k];
    if (v === null && sub && !sub.nullable && sub.default === undefined) delete obj[k];
    else dropNulls(v, sub);
  }
}
