/**
 * OpenAPI 3.0 documents, one per group-version, as served at /openapi/v3/<api/v1 | apis/g/v>.
 *
 * Schemas are the v2 definitions converted as kube-openapi converts them: refs point into
 * components/schemas, a $ref with sibling keywords (a field's description) is wrapped in allOf,
 * and IntOrString and Quantity become the oneOf unions v3 can express.
 */
import type { OperationSpec, PathSpec, Payload } from "./operation-spec.ts";
import { PARAMS, type ParamName } from "./parameters.ts";
import { patchMediaTypes, RESPONSE_TEXT, responseMediaTypes, SECURITY_SCHEME } from "./render-common.ts";
import { refName, V3_REF_PREFIX, type Schema } from "./schema.ts";

export interface OpenApiV3Document {
  openapi: "3.0.0";
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema>; securitySchemes: { BearerToken: typeof SECURITY_SCHEME } };
  security: Array<{ BearerToken: string[] }>;
}

const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

export function v3Document(paths: PathSpec[], definitions: Record<string, Schema>): OpenApiV3Document {
  const out: OpenApiV3Document["paths"] = {};
  for (const p of paths) {
    const item: Record<string, unknown> = { parameters: p.params.map(v3Param) };
    for (const op of p.operations) item[op.method] = v3Operation(op, p.tag);
    out[p.path] = item;
  }
  const schemas: Record<string, Schema> = {};
  for (const [name, def] of Object.entries(definitions)) schemas[name] = v3Definition(name, def);
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths: out,
    components: { schemas, securitySchemes: { BearerToken: SECURITY_SCHEME } },
    security: [{ BearerToken: [] }],
  };
}

export function v3Definition(name: string, def: Schema): Schema {
  if (name === INT_OR_STRING) {
    return { description: def.description, format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] };
  }
  if (name === QUANTITY) return { description: def.description, oneOf: [{ type: "string" }, { type: "number" }] };
  return v3Schema(def);
}

/** A v2 schema in v3 form; the input is not changed. */
export function v3Schema(s: Schema): Schema {
  if (s.$ref !== undefined) {
    const { $ref, ...siblings } = s;
    const ref: Schema = { $ref: V3_REF_PREFIX + refName($ref) };
    return Object.keys(siblings).length === 0 ? ref : { ...convertChildren(siblings), allOf: [ref] };
  }
  return convertChildren(s);
}

function convertChildren(s: Schema): Schema {
  const out: Schema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, v3Schema(v)]));
  if (s.items) out.items = v3Schema(s.items);
  if (typeof s.additionalProperties === "object") out.additionalProperties = v3Schema(s.additionalProperties);
  if (s.allOf) out.allOf = s.allOf.map(v3Schema);
  if (s.oneOf) out.oneOf = s.oneOf.map(v3Schema);
  if (s.anyOf) out.anyOf = s.anyOf.map(v3Schema);
  if (s.not) out.not = v3Schema(s.not);
  return out;
}

function v3Param(name: ParamName): Record<string, unknown> {
  const p = PARAMS[name];
  const schema: Record<string, unknown> = { type: p.type };
  if (p.in === "query") schema.uniqueItems = true;
  const out: Record<string, unknown> = { name, in: p.in, description: p.description, schema };
  if ("required" in p) out.required = p.required;
  return out;
}

function content(mediaTypes: string[], schema: Schema): Record<string, { schema: Schema }> {
  return Object.fromEntries(mediaTypes.map((t) => [t, { schema }]));
}

function payloadSchema(payload: Payload): Schema {
  return "definition" in payload ? { $ref: V3_REF_PREFIX + payload.definition } : { type: "string" };
}

function v3Operation(op: OperationSpec, tag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    description: op.description,
    operationId: op.operationId,
    parameters: op.params.map(v3Param),
  };
  if (op.body) {
    const body: Schema = { $ref: V3_REF_PREFIX + op.body };
    const mediaTypes = op.method === "patch" ? patchMediaTypes(op) : ["*/*"];
    out.requestBody = op.method === "delete" ? { content: content(mediaTypes, body) } : { content: content(mediaTypes, body), required: true };
  }
  const responses: Record<string, unknown> = {};
  for (const [code, payload] of Object.entries(op.responses)) {
    responses[code] = { description: RESPONSE_TEXT[code] ?? "OK", content: content(responseMediaTypes(op, "text" in payload), payloadSchema(payload)) };
  }
  responses["401"] = { description: RESPONSE_TEXT["401"] };
  out.responses = responses;
  out.tags = [tag];
  out["x-kubernetes-action"] = op.action;
  out["x-kubernetes-group-version-kind"] = { ...op.gvk };
  return out;
}
