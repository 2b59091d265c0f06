/**
 * The subset of OpenAPI / JSON Schema that Kubernetes definitions use, shared by the generator
 * (scripts/gen-openapi.ts), the document builders and the unknown-field walker.
 */
import type { GroupVersionKind } from "../api/types.ts";

export type SchemaType = "object" | "array" | "string" | "integer" | "number" | "boolean";

export interface Schema {
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  not?: Schema;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  [extension: `x-${string}`]: unknown;
}

/** The generated data file (src/apiserver/openapi/definitions.json.gz), once inflated. */
export interface DefinitionsFile {
  /** A note for humans: where the file comes from and how to regenerate it. */
  "//": string;
  source: { package: string; version: string; specVersion: string };
  /** Definition name (io.k8s.api.core.v1.Pod) -> schema; references are "#/definitions/<name>". */
  definitions: Record<string, Schema>;
}

export const V2_REF_PREFIX = "#/definitions/";
export const V3_REF_PREFIX = "#/components/schemas/";

/** The definition name a `$ref` points at, for either document flavour. */
export function refName(ref: string): string {
  if (ref.startsWith(V2_REF_PREFIX)) return ref.slice(V2_REF_PREFIX.length);
  if (ref.startsWith(V3_REF_PREFIX)) return ref.slice(V3_REF_PREFIX.length);
  return ref;
}

export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}
