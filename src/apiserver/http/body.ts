/**
 * Request bodies: JSON, YAML or Kubernetes protobuf decoded to one object shape, then checked
 * for fields the type does not know, as fieldValidation asks (Strict: 400, Warn: Warning
 * headers, Ignore: nothing) with kube-apiserver's wording.
 */
import type { KubeObject } from "../api/types.ts";
import type { OpenApi } from "../openapi/index.ts";
import type { Call } from "./handlers/call.ts";
import { errors } from "../api/errors.ts";
import { duplicateFields, duplicateFieldError, strictDecodingError, unknownFieldError } from "../openapi/index.ts";
import { decodeObject as decodeProtobuf } from "../protobuf/index.ts";
import { decodeObject, parseMediaRanges, PROTOBUF_TYPE } from "./negotiate.ts";
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
  if (mode === "Ignore" || !openapi) return { obj, warnings: [] };
  const gvk = { group: store.def.group, version: store.def.version, kind: store.kind };
  const problems = [
    ...(protobuf || type === "application/yaml" ? [] : duplicateFields(new TextDecoder().decode(bytes)).map(duplicateFieldError)),
    ...openapi.unknownFields(gvk, obj).map(unknownFieldError),
  ];
  if (problems.length === 0) return { obj, warnings: [] };
  if (mode === "Strict") {
    const version = store.def.version;
    throw errors.badRequest(`${store.kind} in version "${version}" cannot be handled as a ${store.kind}: ${strictDecodingError(problems)}`);
  }
  return { obj, warnings: problems };
}
