/**
 * The PATCH entry point: picks the engine by Content-Type, decodes and checks the body the way
 * kube-apiserver does (its default field validation, Warn, decodes patches strictly), applies
 * the patch to a copy of the current object and returns the new object.
 */
import type { KubeObject } from "../api/types.ts";
import { cannotUnmarshal, decodeJson } from "./json-decode.ts";
import { applyJsonPatch } from "./json-patch.ts";
import { decodeJsonPatch } from "./json-patch-decode.ts";
import { isJsonObject, jsonKind, type JsonObject, type JsonValue } from "./json-value.ts";
import { mergeObjects } from "./merge-patch.ts";
import { badPatch, PATCH_TYPES, patchedNotAnObject, unsupportedPatchType } from "./patch-errors.ts";
import { builtinPatchSchema } from "./strategic/builtin-types.ts";
import type { PatchSchema } from "./strategic/schema.ts";
import { strategicMerge } from "./strategic/strategic-merge.ts";

/** A resource named by API group and kind; built-in kinds get their strategic merge schema. */
export interface PatchTarget {
  group: string;
  kind: string;
}

/** How the strategic merge patch learns a type's list semantics; none means no strategic patches (CRDs). */
export type PatchSchemaSource = PatchSchema | PatchTarget | undefined;

export function resolvePatchSchema(source: PatchSchemaSource): PatchSchema | undefined {
  if (typeof source === "function" || source === undefined) return source;
  return builtinPatchSchema(source.group, source.kind);
}

/**
 * The patch types a resource accepts, in upstream's order. Server-side apply is served by the
 * PATCH handler (http/handlers/server-side-apply.ts), not by these engines.
 */
export function supportedPatchTypes(strategic: boolean): string[] {
  return strategic ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply] : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];
}

/** The media type without parameters, cut at the first ";" as upstream does. */
function mediaType(contentType: string | undefined): string {
  const value = (contentType ?? "").trim();
  const semicolon = value.indexOf(";");
  return semicolon > 0 ? value.slice(0, semicolon) : value;
}

/** Stored objects are plain JSON, so a structured clone is a faithful, independent copy. */
function copyOf(current: KubeObject): JsonObject {
  return structuredClone(current) as JsonObject;
}

function asObject(result: JsonValue): KubeObject {
  if (!isJsonObject(result)) throw patchedNotAnObject(JSON.stringify(result), jsonKind(result));
  return result as KubeObject;
}

/** A merge or strategic patch body must be a JSON object (or null). */
function decodeObjectPatch(body: string | Uint8Array, errorPrefix: string): JsonObject | null {
  const decoded = decodeJson(body);
  if (!decoded.ok) throw badPatch(errorPrefix + decoded.message);
  const v = decoded.value;
  if (v !== null && !isJsonObject(v)) throw badPatch(errorPrefix + cannotUnmarshal(v, "map[string]interface {}"));
  return v;
}

function mergePatch(current: KubeObject, body: string | Uint8Array): KubeObject {
  const patch = decodeObjectPatch(body, "error decoding patch: ");
  if (patch === null) throw badPatch("Invalid JSON Patch");
  return asObject(mergeObjects(copyOf(current), patch));
}

function strategicPatch(current: KubeObject, body: string | Uint8Array, schema: PatchSchema): KubeObject {
  const patch = decodeObjectPatch(body, "");
  const original = copyOf(current);
  return asObject(patch === null ? original : strategicMerge(original, patch, schema));
}

/**
 * Applies a PATCH body to `current` and returns the patched object; `current` is not modified.
 * Throws ApiError with upstream's status for a bad body (400), a patch that cannot apply (422),
 * too many operations (413) or a content type the resource does not accept (415).
 */
export function applyPatch(contentType: string | undefined, current: KubeObject, body: string | Uint8Array, schemaSource?: PatchSchemaSource): KubeObject {
  const schema = resolvePatchSchema(schemaSource);
  switch (mediaType(contentType)) {
    case PATCH_TYPES.json:
      return asObject(applyJsonPatch(copyOf(current), decodeJsonPatch(body)));
    case PATCH_TYPES.merge:
      return mergePatch(current, body);
    case PATCH_TYPES.strategic:
      if (schema) return strategicPatch(current, body, schema);
      break;
  }
  throw unsupportedPatchType(supportedPatchTypes(schema !== undefined));
}
