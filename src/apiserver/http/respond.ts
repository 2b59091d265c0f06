/**
 * Writing responses: an object, a list or a Status, in the negotiated representation.
 */
import type { KubeList, KubeObject } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import type { Output } from "./negotiate.ts";
import type { IncludeObject } from "./table.ts";
import { ApiError, errors, type Status } from "../api/errors.ts";
import { encodeObject as encodeProtobuf, supportsProtobuf } from "../protobuf/index.ts";
import { JSON_TYPE, PROTOBUF_TYPE, YAML_TYPE } from "./negotiate.ts";
import { partialMetadata, toTable } from "./table.ts";

export function contentTypeOf(out: Output): string {
  switch (out.kind) {
    case "protobuf":
      return PROTOBUF_TYPE;
    case "yaml":
      return YAML_TYPE;
    case "table":
      return `application/json;as=Table;v=${out.version};g=meta.k8s.io`;
    case "partial":
      return `application/json;as=PartialObjectMetadata;v=${out.version};g=meta.k8s.io`;
    default:
      return JSON_TYPE;
  }
}

function serialize(value: unknown, out: Output): string | Uint8Array {
  if (out.kind === "protobuf") return encodeProtobuf(value as KubeObject);
  return out.kind === "yaml" ? Bun.YAML.stringify(value, null, 2) : JSON.stringify(value);
}

export interface Representation {
  output: Output;
  def: ResourceDefinition;
  include: IncludeObject;
  warnings?: string[];
}

function headers(contentType: string, warnings?: string[]): Headers {
  const h = new Headers({ "Content-Type": contentType, "Cache-Control": "no-cache, private" });
  for (const w of warnings ?? []) h.append("Warning", `299 - ${JSON.stringify(w)}`);
  return h;
}

/** One object, as JSON/YAML, a one-row Table, or PartialObjectMetadata. */
export function objectResponse(obj: KubeObject, rep: Representation, status = 200): Response {
  let body: unknown = obj;
  if (rep.output.kind === "table") body = toTable(rep.def, [obj], { include: rep.include, version: rep.output.version, listMeta: { resourceVersion: obj.metadata?.resourceVersion } });
  else if (rep.output.kind === "partial") body = partialMetadata(obj, rep.output.version);
  return new Response(serialize(body, rep.output), { status, headers: headers(contentTypeOf(rep.output), rep.warnings) });
}

export function listResponse(list: KubeList, rep: Representation): Response {
  let body: unknown = list;
  if ((rep.output.kind === "json" || rep.output.kind === "yaml") && supportsProtobuf(list.apiVersion, list.kind)) {
    // A built-in type's list is a typed Go list upstream: its items carry no apiVersion/kind (the
    // protobuf form has none either). Custom resources (no protobuf schema) keep them, as there.
    body = { ...list, items: list.items.map(({ apiVersion: _v, kind: _k, ...item }) => item) };
  } else if (rep.output.kind === "table") body = toTable(rep.def, list.items, { include: rep.include, version: rep.output.version, listMeta: list.metadata });
  else if (rep.output.kind === "partial") {
    body = { kind: "PartialObjectMetadataList", apiVersion: `meta.k8s.io/${rep.output.version}`, metadata: list.metadata, items: list.items.map((o) => partialMetadata(o, rep.output.kind === "partial" ? rep.output.version : "v1")) };
  }
  const ct = rep.output.kind === "partial" ? `application/json;as=PartialObjectMetadataList;v=${rep.output.version};g=meta.k8s.io` : contentTypeOf(rep.output);
  return new Response(serialize(body, rep.output), { headers: headers(ct, rep.warnings) });
}

export function statusResponse(status: Status, code: number, extraHeaders?: Record<string, string>): Response {
  const h = headers(JSON_TYPE);
  for (const [k, v] of Object.entries(extraHeaders ?? {})) h.set(k, v);
  return new Response(JSON.stringify(status), { status: code, headers: h });
}

/** Any thrown error as a Status response; unknown errors become 500 InternalError. */
export function errorResponse(err: unknown): Response {
  const apiErr = err instanceof ApiError ? err : errors.internal(err);
  return statusResponse(apiErr.toStatus(), apiErr.code, apiErr.headers);
}

/**
 * What kube-apiserver answers for a path no route serves (404) or a method the path's routes do
 * not take (405): go-restful's errors as a generic Status with empty details.
 */
export function routeNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
}

export function successStatus(details?: Status["details"]): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" };
  if (details) s.details = details;
  return s;
}

export function jsonResponse(value: unknown, contentType = JSON_TYPE, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { "Content-Type": contentType, ...extra } });
}
