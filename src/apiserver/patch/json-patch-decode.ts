/**
 * Decoding an RFC 6902 JSON patch body. kube-apiserver first decodes it strictly into a list
 * of {op, path, from, value} structs (fieldValidation defaults to Warn, which takes that path),
 * so shape errors are 400s worded by Go's decoder, prefixed "error decoding patch: ".
 */
import { badPatch, tooManyOperations } from "./patch-errors.ts";
import { cannotUnmarshal, cannotUnmarshalField, decodeJson } from "./json-decode.ts";
import { hasOwn, isJsonObject, type JsonValue } from "./json-value.ts";

/** Upstream's cap on operations in one JSON patch (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export interface Operation {
  op?: string;
  path?: string;
  from?: string;
  /** Absent when the operation has no "value" member, which some operations treat differently from null. */
  value?: JsonValue;
}

const STRING_FIELDS = new Set(["op", "path", "from"]);

function decodeError(message: string): never {
  throw badPatch(`error decoding patch: ${message}`);
}

function toOperation(item: JsonValue): Operation {
  if (item === null) return {};
  if (!isJsonObject(item)) decodeError(cannotUnmarshal(item, "handlers.jsonPatchOp"));
  const op: Operation = {};
  // Member order, as Go's decoder reports the first mistyped member it meets.
  for (const name of Object.keys(item)) {
    const v = item[name]!;
    if (!STRING_FIELDS.has(name) || v === null) continue;
    if (typeof v !== "string") decodeError(cannotUnmarshalField(v, "jsonPatchOp", name, "string"));
    op[name as "op" | "path" | "from"] = v;
  }
  if (hasOwn(item, "value")) op.value = item.value!;
  return op;
}

export function decodeJsonPatch(body: string | Uint8Array): Operation[] {
  const decoded = decodeJson(body);
  if (!decoded.ok) decodeError(decoded.message);
  const doc = decoded.value;
  if (doc === null) return [];
  if (!Array.isArray(doc)) decodeError(cannotUnmarshal(doc, "[]handlers.jsonPatchOp"));
  const ops = doc.map(toOperation);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) throw tooManyOperations(MAX_JSON_PATCH_OPERATIONS, ops.length);
  return ops;
}
