/** The swagger 2.0 document served at /openapi/v2. */
import type { OperationSpec, PathSpec, Payload } from "./operation-spec.ts";
import { PARAMS, type ParamName } from "./parameters.ts";
import { patchMediaTypes, RESPONSE_TEXT, responseMediaTypes, SECURITY_SCHEME } from "./render-common.ts";
import { V2_REF_PREFIX, type Schema } from "./schema.ts";

export interface SwaggerDocument {
  swagger: "2.0";
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, Schema>;
  securityDefinitions: { BearerToken: typeof SECURITY_SCHEME };
  security: Array<{ BearerToken: string[] }>;
}

export function v2Document(paths: PathSpec[], definitions: Record<string, Schema>, version: string): SwaggerDocument {
  const out: SwaggerDocument["paths"] = {};
  for (const p of paths) {
    const item: Record<string, unknown> = { parameters: p.params.map(v2Param) };
    for (const op of p.operations) item[op.method] = v2Operation(op, p.tag);
    out[p.path] = item;
  }
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version },
    paths: out,
    definitions,
    securityDefinitions: { BearerToken: SECURITY_SCHEME },
    security: [{ BearerToken: [] }],
  };
}

function v2Param(name: ParamName): Record<string, unknown> {
  const p = PARAMS[name];
  const out: Record<string, unknown> = { name, in: p.in, type: p.type, description: p.description };
  if ("required" in p) out.required = p.required;
  if (p.in === "query") out.uniqueItems = true;
  return out;
}

function payloadSchema(payload: Payload): Schema {
  return "definition" in payload ? { $ref: V2_REF_PREFIX + payload.definition } : { type: "string" };
}

function v2Operation(op: OperationSpec, tag: string): Record<string, unknown> {
  const parameters = op.params.map(v2Param);
  if (op.body) parameters.push({ name: "body", in: "body", required: op.method !== "delete", schema: { $ref: V2_REF_PREFIX + op.body } });
  const responses: Record<string, unknown> = {};
  let text = false;
  for (const [code, payload] of Object.entries(op.responses)) {
    text ||= "text" in payload;
    responses[code] = { description: RESPONSE_TEXT[code] ?? "OK", schema: payloadSchema(payload) };
  }
  responses["401"] = { description: RESPONSE_TEXT["401"] };
  return {
    description: op.description,
    consumes: op.method === "patch" ? patchMediaTypes(op) : ["*/*"],
    produces: responseMediaTypes(op, text),
    schemes: ["https"],
    tags: [tag],
    operationId: op.operationId,
    parameters,
    responses,
    "x-kubernetes-action": op.action,
    "x-kubernetes-group-version-kind": { ...op.gvk },
  };
}
