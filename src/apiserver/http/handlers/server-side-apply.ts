/**
 * PATCH with `application/apply-patch+yaml`: server-side apply. The body (YAML, or JSON, which
 * is YAML too) is the manager's whole configuration of the object; it is merged into the live
 * object (created when missing) by field ownership, see src/apiserver/apply/. Also the checks
 * of PatchOptions every PATCH gets (upstream's ValidatePatchOptions).
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { fieldManagerProblems } from "../../apply/manager/manager-name.ts";
import { applyToObject } from "../../apply/store-fields.ts";
import { decodeJson } from "../../patch/json-decode.ts";
import { isJsonObject, type JsonObject, type JsonValue } from "../../patch/json-value.ts";
import { PATCH_TYPES } from "../../patch/index.ts";
import { objectResponse } from "../respond.ts";
import { dryRunProblems, invalidOptions } from "./call.ts";

/** The PatchOptions problems of a request: fieldManager (required for apply), force (apply only), dryRun. */
export function checkPatchOptions(call: Call, contentType: string): void {
  const apply = contentType === PATCH_TYPES.apply;
  const manager = call.query.get("fieldManager") ?? "";
  const problems: FieldError[] = [];
  if (apply && manager === "") problems.push({ type: "FieldValueRequired", field: "fieldManager", detail: "is required for apply patch" });
  if (!apply && call.query.has("force")) problems.push({ type: "FieldValueForbidden", field: "force", detail: "may not be specified for non-apply patch" });
  problems.push(...fieldManagerProblems(manager), ...dryRunProblems(call.query.getAll("dryRun")));
  if (problems.length > 0) throw invalidOptions(call, problems);
}

/** `force` as upstream's parameter codec reads a bool: absent, "0" or "false" (any case) is false. */
function forceParam(query: URLSearchParams): boolean {
  const values = query.getAll("force");
  if (values.length === 0) return false;
  return !(values[0] === "0" || values[0]!.toLowerCase() === "false");
}

/** The configuration: a JSON or YAML object. Anything else fails as decoding into a map does. */
function decodeConfiguration(body: Uint8Array): JsonObject {
  const text = new TextDecoder().decode(body);
  let value: JsonValue;
  if (/^\s*[{[]/.test(text)) {
    const decoded = decodeJson(text);
    if (!decoded.ok) throw errors.badRequest(`error decoding YAML: ${decoded.message}`);
    value = decoded.value;
  } else {
    try {
      value = (text.trim() === "" ? null : Bun.YAML.parse(text)) as JsonValue;
    } catch (err) {
      throw errors.badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
  }
  if (value === null) return {};
  if (!isJsonObject(value)) throw errors.badRequest(`error decoding YAML: json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value === "string" ? "string" : typeof value === "boolean" ? "bool" : "number"} into Go value of type map[string]interface {}`);
  return value;
}

/** The applied object must name the object of the URL, in its namespace (upstream's checkName). */
function checkIdentity(obj: KubeObject, call: Call): void {
  const meta = (obj.metadata ??= {});
  const namespace = call.store.def.namespaced ? call.info.namespace : "";
  if (!meta.namespace) {
    if (namespace) meta.namespace = namespace;
  } else if (meta.namespace !== namespace) {
    if (namespace === "") delete meta.namespace;
    else throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  const name = meta.name ?? "";
  if (name !== call.info.name) throw errors.badRequest(`the name of the object (${name}) does not match the name on the URL (${call.info.name})`);
}

export async function handleApplyPatch(call: Call, body: Uint8Array): Promise<Response> {
  const status = call.info.subresource === "status";
  const dryRun = call.query.getAll("dryRun").length > 0;
  const force = forceParam(call.query);
  const config = decodeConfiguration(body);
  const def = call.store.def;
  const { object, created } = await call.store.readModifyWrite(
    call.info.namespace,
    call.info.name,
    call.ctx,
    { dryRun, subresource: status ? "status" : undefined, applied: true },
    (current) => {
      // A subresource never creates its object.
      if (!current && status) throw errors.notFound(call.store.target(call.info.name));
      const applied = applyToObject(call.store.fieldTypes, def, current, structuredClone(config), call.ctx, { force, subresource: status ? "status" : undefined });
      if (!current && applied.metadata?.uid) throw errors.conflict(call.store.target(call.info.name), `uid mismatch: the provided object specified uid ${applied.metadata.uid}, and no existing object was found`);
      checkIdentity(applied, call);
      return applied;
    },
    !status,
  );
  return objectResponse(object, call.rep, created ? 201 : 200);
}
