/**
 * A patch can leave an object ill-typed (`{"spec":{"replicas":"many"}}`). Upstream finds out
 * when it turns the patched document back into the kind's Go struct, and answers 422 Invalid
 * with an empty kind and name and one cause on the field "patch":
 *
 *   JSON and merge patch: the patched JSON is decoded, so the message is the JSON decoder's,
 *     and the value shown is the patched document:
 *     ` "" is invalid: patch: Invalid value: "{...}": json: cannot unmarshal string into Go
 *     struct field DeploymentSpec.spec.replicas of type int32`
 *   strategic merge patch: the merged map is converted with FromUnstructured, so the message is
 *     the converter's, and the value shown is the patch itself as Go prints a map:
 *     ` "" is invalid: patch: Invalid value: "map[spec:map[replicas:many]]": unrecognized type: int32`
 *
 * (apiserver/pkg/endpoints/handlers/patch.go, jsonPatcher and applyPatchToObject.)
 */
import type { KubeObject } from "../../api/types.ts";
import type { Call } from "./call.ts";
import { ApiError, fieldErrorMessage, type FieldError } from "../../api/errors.ts";
import { typeMetaError } from "../../openapi/index.ts";
import { PATCH_TYPES } from "../../patch/index.ts";
import { bodyText } from "../../patch/json-decode.ts";
import { goValue } from "../../patch/go-format.ts";
import type { JsonValue } from "../../patch/json-value.ts";

/** Throws the upstream 422 if `patched` would not decode as the resource's kind. */
export function checkPatchedTypes(call: Call, contentType: string, body: Uint8Array, patched: KubeObject): void {
  const openapi = call.openapi;
  if (!openapi) return;
  const def = call.store.def;
  const gvk = { group: def.group, version: def.version, kind: call.store.kind };
  if (contentType === PATCH_TYPES.strategic) {
    const error = openapi.unstructuredTypeError(gvk, patched);
    // The patch body decoded before it was applied, so it parses here.
    if (error !== undefined) throw invalidPatch(goValue(JSON.parse(bodyText(body)) as JsonValue), error);
    return;
  }
  const typeMeta = typeMetaError(patched);
  if (typeMeta !== undefined) throw invalidPatch(JSON.stringify(patched), `couldn't get version/kind; json parse error: ${typeMeta}`);
  const error = openapi.typeErrors(gvk, patched);
  if (error !== undefined) throw invalidPatch(JSON.stringify(patched), error);
}

function invalidPatch(value: string, detail: string): ApiError {
  const fe: FieldError = { type: "FieldValueInvalid", field: "patch", value, detail };
  const cause = { reason: fe.type, message: fieldErrorMessage({ ...fe, field: "" }), field: fe.field };
  return new ApiError(422, "Invalid", ` "" is invalid: ${fieldErrorMessage(fe)}`, { causes: [cause] });
}
