/**
 * Request bodies: JSON, YAML or Kubernetes protobuf decoded to one object shape, then checked
 * as kube-apiserver's decoding into Go structs would: JSON types first (a wrong type is a 400
 * whatever fieldValidation says, as upstream's decode error is), then fields the type does not
 * know, as fieldValidation asks (Strict: 400, Warn: Warning headers, Ignore: nothing), all with
 * kube-apiserver's wording.
 */
import type { KubeObject } from "../api/types.ts";
import type { OpenApi } from "../openapi/index.ts";
import type { Call } from "./handlers/call.ts";
import { errors } from "../api/errors.ts";
import { duplicateFields, duplicateFieldError, numberLiterals, strictDecodingError, typeMetaError, unknownFieldError } from "../openapi/index.ts";
import { decodeObject as decodeProtobuf } from "../protobuf/index.ts";
import { decodeObject, JSON_TYPE, parseMediaRanges, PROTOBUF_TYPE } from "./negotiate.ts";
import { fieldValidation } from "./handlers/call.ts";

export interface DecodedBody {
  obj: KubeObject;
  warnings: string[];
}

export function decodeRequestObject(call: Call, bytes: Uint8Array, openapi: OpenApi | undefined): DecodedBody {
  const contentType = call.req.headers.get("content-type");
  const type = parseMediaRanges(contentType)[0]?.type;
  const { store } = call;
  const protobuf = type === PROTOBUF_TYPE;
  const obj = protobuf ? decodeProtobuf(bytes, { apiVersion: store.apiVersion, kind: store.kind }) : decodeObject(contentType, bytes);
  const mode = fieldValidation(call);
  if (!openapi) return { obj, warnings: [] };
  const gvk = { group: store.def.group, version: store.def.version, kind: store.kind };
  // The text is only needed (and decoded once) for JSON bodies: duplicate keys and number literals.
  const json = type === undefined || type === "" || type === JSON_TYPE || type.endsWith("+json");
  const text = json ? new TextDecoder().decode(bytes) : undefined;
  checkTypes(call, bytes, obj, text, openapi);
  if (mode === "Ignore") return { obj, warnings: [] };
  const problems = [
    ...(protobuf || type === "application/yaml" ? [] : duplicateFields(text ?? new TextDecoder().decode(bytes)).map(duplicateFieldError)),
    ...openapi.unknownFields(gvk, obj).map(unknownFieldError),
  ];
  if (problems.length === 0) return { obj, warnings: [] };
  if (mode === "Strict") {
    const version = store.def.version;
    throw errors.badRequest(`${store.kind} in version "${version}" cannot be handled as a ${store.kind}: ${strictDecodingError(problems)}`);
  }
  return { obj, warnings: problems };
}

/**
 * The decode errors upstream raises before anything else looks at the object. apiVersion and
 * kind are read first, and a non-string there is "the object provided is unrecognized" with the
 * start of the body; then a wrong type anywhere is "<Kind> in version ... cannot be handled as".
 */
function checkTypes(call: Call, bytes: Uint8Array, obj: KubeObject, text: string | undefined, openapi: OpenApi): void {
  const { store } = call;
  const typeMeta = typeMetaError(obj);
  if (typeMeta !== undefined) {
    throw errors.badRequest(`the object provided is unrecognized (must be of type ${store.kind}): couldn't get version/kind; json parse error: ${typeMeta} (${summarizeBody(bytes)})`);
  }
  const gvk = { group: store.def.group, version: store.def.version, kind: store.kind };
  const typeError = openapi.typeErrors(gvk, obj, { numberLiterals: text === undefined ? undefined : numberLiterals(text) });
  if (typeError !== undefined) {
    throw errors.badRequest(`${store.kind} in version "${store.def.version}" cannot be handled as a ${store.kind}: ${typeError}`);
  }
}

/** Upstream's summary of a body it could not decode: up to 30 bytes, as text for JSON, else hex. */
function summarizeBody(bytes: Uint8Array): string {
  if (bytes.length === 0) return "<empty>";
  const head = bytes.subarray(0, 30);
  const more = bytes.length > 30 ? " ..." : "";
  if (bytes[0] === 0x7b /* { */) return new TextDecoder().decode(head) + more;
  return Buffer.from(head).toString("hex") + more;
}
