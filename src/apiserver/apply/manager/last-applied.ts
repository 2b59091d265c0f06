/**
 * kubectl's last-applied-configuration annotation, as the server treats it for server-side
 * apply by the manager "kubectl":
 *   - fields that the last client-side apply set, and that still hold those values, may be taken
 *     over without conflict (someone moving from `kubectl apply` to `kubectl apply
 *     --server-side` is the same actor);
 *   - when the object has the annotation, it is kept up to date with the applied configuration,
 *     so going back to client-side apply still works.
 */
import type { KubeObject } from "../../api/types.ts";
import { isJsonObject, type JsonObject, type JsonValue } from "../../patch/json-value.ts";
import type { FieldSet } from "../fieldpath/field-set.ts";
import { goJsonString } from "../fieldpath/json-order.ts";
import type { TypeNode } from "../schema/type-node.ts";
import { compareValues } from "../typed/compare.ts";
import { toFieldSet } from "../typed/to-field-set.ts";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** The manager whose applies keep the annotation (kubectl's default for --server-side). */
export const KUBECTL_MANAGER = "kubectl";
/** Upstream's TotalAnnotationSizeLimitB. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

function lastAppliedOf(obj: KubeObject): string | undefined {
  const value = obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The fields the last client-side apply set that still have its values, or undefined when there
 * is no usable annotation (then no conflict is excused).
 */
export function fieldsStillAsLastApplied(type: TypeNode, live: JsonObject, liveObject: KubeObject, apiVersion: string): FieldSet | undefined {
  const text = lastAppliedOf(liveObject);
  if (text === undefined) return undefined;
  let lastApplied: JsonValue;
  try {
    lastApplied = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!isJsonObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  try {
    const set = toFieldSet(type, lastApplied);
    const changed = compareValues(type, lastApplied, live);
    return set.difference(changed.modified).difference(changed.added).difference(changed.removed);
  } catch {
    return undefined;
  }
}

/** Go's json.Marshal of a decoded object: keys sorted at every level. */
function sortedJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (isJsonObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${goJsonString(k)}:${sortedJson(v[k]!)}`).join(",")}}`;
  }
  if (typeof v === "string") return goJsonString(v);
  return JSON.stringify(v);
}

/** After an apply by "kubectl": rewrites the annotation (if the object has one) to the configuration applied. */
export function refreshLastApplied(result: KubeObject, config: JsonObject): void {
  if (lastAppliedOf(result) === undefined) return;
  const copy = structuredClone(config);
  const meta = copy.metadata;
  if (isJsonObject(meta) && isJsonObject(meta.annotations ?? null)) delete (meta.annotations as JsonObject)[LAST_APPLIED_ANNOTATION];
  const annotations: Record<string, string> = { ...result.metadata!.annotations, [LAST_APPLIED_ANNOTATION]: `${sortedJson(copy)}\n` };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += k.length + v.length;
  // Too big to keep: upstream drops the annotation rather than fail the apply.
  if (size > ANNOTATIONS_MAX_BYTES) delete annotations[LAST_APPLIED_ANNOTATION];
  result.metadata = { ...result.metadata, annotations };
}
