/**
 * The strategic merge patch directives (apimachinery/pkg/util/strategicpatch) and the helpers
 * that keep them out of stored objects.
 */
import { deleteOwn, hasOwn, isJsonObject, setOwn, type JsonObject, type JsonValue } from "../json-value.ts";
import { smpErrors } from "./smp-errors.ts";

export const PATCH_DIRECTIVE = "$patch";
export const DELETE = "delete";
export const REPLACE = "replace";
export const MERGE = "merge";
export const RETAIN_KEYS = "$retainKeys";
export const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
export const SET_ELEMENT_ORDER = "$setElementOrder";

export function hasPatchDirective(v: JsonValue | undefined): v is JsonObject {
  return isJsonObject(v) && hasOwn(v, PATCH_DIRECTIVE);
}

/** Whether a key is a directive rather than data (it never belongs in a stored object). */
export function isDirectiveKey(key: string): boolean {
  return key === PATCH_DIRECTIVE || key === RETAIN_KEYS || key.startsWith(`${SET_ELEMENT_ORDER}/`) || key.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);
}

/** The field a "$prefix/field" key names; a malformed key is a 400. */
export function directiveTarget(key: string, prefix: typeof SET_ELEMENT_ORDER | typeof DELETE_FROM_PRIMITIVE_LIST): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER ? smpErrors.badSetElementOrderFormat() : smpErrors.badPrimitiveListFormat();
  }
  return key.slice(slash + 1);
}

/**
 * Upstream's removeDirectives: a map carrying `$patch` is dropped (undefined), everywhere below
 * `v`; other values are kept. Used where a patch value is taken without anything to merge into.
 */
export function removeDirectives(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) {
    const kept: JsonValue[] = [];
    for (const item of v) {
      const r = removeDirectives(item);
      if (r !== undefined) kept.push(r);
    }
    return kept;
  }
  if (!isJsonObject(v)) return v;
  if (hasOwn(v, PATCH_DIRECTIVE)) return undefined;
  for (const k of Object.keys(v)) {
    const r = removeDirectives(v[k]!);
    if (r === undefined) deleteOwn(v, k);
    else setOwn(v, k, r);
  }
  return v;
}
