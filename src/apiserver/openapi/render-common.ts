/** Pieces both document flavours share: media types, response descriptions, field extensions. */
import type { OperationSpec } from "./operation-spec.ts";
import type { Schema } from "./schema.ts";

/** Extensions to add to one property of one definition (patch strategy, merge key, list type, ...). */
export type FieldExtensions = (definition: string, property: string) => Partial<Record<`x-${string}`, unknown>> | undefined;

export const OBJECT_MEDIA_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
export const STREAM_MEDIA_TYPES = ["application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"];
export const TEXT_MEDIA_TYPES = ["text/plain", "application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

export const RESPONSE_TEXT: Record<string, string> = { "200": "OK", "201": "Created", "202": "Accepted", "401": "Unauthorized" };

/** The media types a PATCH accepts; strategic merge patch only where the server knows the type's merge keys. */
export function patchMediaTypes(op: OperationSpec): string[] {
  const types = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];
  if (op.strategicMerge) types.push("application/strategic-merge-patch+json");
  return types;
}

export function responseMediaTypes(op: OperationSpec, text: boolean): string[] {
  if (text) return TEXT_MEDIA_TYPES;
  return op.stream ? [...OBJECT_MEDIA_TYPES, ...STREAM_MEDIA_TYPES] : OBJECT_MEDIA_TYPES;
}

/** `schema` with `extensions` merged into its properties; the input is left as it is. */
export function withFieldExtensions(name: string, schema: Schema, extensions: FieldExtensions | undefined): Schema {
  if (!extensions || !schema.properties) return schema;
  let properties: Record<string, Schema> | undefined;
  for (const [prop, propSchema] of Object.entries(schema.properties)) {
    const ext = extensions(name, prop);
    if (!ext) continue;
    properties ??= { ...schema.properties };
    properties[prop] = { ...propSchema, ...ext };
  }
  return properties ? { ...schema, properties } : schema;
}

export const SECURITY_SCHEME = {
  type: "apiKey",
  name: "authorization",
  in: "header",
  description: "A bearer token: 'Authorization: Bearer <token>'.",
} as const;
