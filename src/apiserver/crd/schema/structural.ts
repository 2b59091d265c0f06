/**
 * The structural view of a schema (upstream's schema.Structural): the parts that say what an
 * object looks like (types, properties, items, additionalProperties, the x-kubernetes
 * extensions) separated from value validations. Pruning, defaulting, list-type checks, embedded
 * resources and CEL typing all walk this view; allOf/anyOf/oneOf/not stay raw schemas.
 *
 * Built with NewStructural's refusals: a schema using an unsupported keyword has no structural
 * view, only an error text.
 */
import { isObject, type JSONSchemaProps, type ValidationRule } from "./types.ts";

export interface AdditionalProperties {
  /** additionalProperties: {schema}; undefined for `true`/`false`. */
  schema?: Structural;
  allows: boolean;
}

export interface Structural {
  readonly raw: JSONSchemaProps;
  type: string;
  nullable: boolean;
  /** The default value; undefined when there is none (a JSON null default counts as none, as upstream). */
  default: unknown;
  properties?: Map<string, Structural>;
  additionalProperties?: AdditionalProperties;
  items?: Structural;
  preserveUnknownFields: boolean;
  embeddedResource: boolean;
  intOrString: boolean;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
  validations: ValidationRule[];
}

/** A string keyword, or "" when absent or mistyped. */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function schemasOf(v: unknown): JSONSchemaProps[] {
  return Array.isArray(v) ? v.filter(isObject).map((s) => s as JSONSchemaProps) : [];
}

export function schemaMapOf(v: unknown): Array<[string, JSONSchemaProps]> {
  if (!isObject(v)) return [];
  return Object.entries(v).filter((e): e is [string, JSONSchemaProps] => isObject(e[1]));
}

export function validationsOf(s: JSONSchemaProps): ValidationRule[] {
  const rules = s["x-kubernetes-validations"];
  return Array.isArray(rules) ? rules.filter(isObject).map((r) => r as unknown as ValidationRule) : [];
}

/** NewStructural's refusal of keywords structural schemas cannot have, or undefined. */
function unsupportedKeyword(s: JSONSchemaProps): string | undefined {
  if (str(s.id)) return "OpenAPIV3Schema 'id' is not supported";
  if (str(s.$schema)) return "OpenAPIV3Schema 'schema' is not supported";
  if (str(s.$ref)) return "OpenAPIV3Schema '$ref' is not supported";
  if (schemaMapOf(s.patternProperties).length) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (isObject(s.dependencies) && Object.keys(s.dependencies).length) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems !== undefined && s.additionalItems !== null) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (schemaMapOf(s.definitions).length) return "OpenAPIV3Schema 'definitions' is not supported";
  if (Array.isArray(s.items) && s.items.length > 0) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  if (s["x-kubernetes-preserve-unknown-fields"] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  return undefined;
}

/** NewStructural's check of the value-validation branches (allOf, anyOf, oneOf, not and their insides). */
function nestedError(s: JSONSchemaProps): string | undefined {
  const own = unsupportedKeyword(s);
  if (own) return own;
  for (const sub of [...schemasOf(s.allOf), ...schemasOf(s.anyOf), ...schemasOf(s.oneOf), ...(isObject(s.not) ? [s.not] : [])]) {
    const e = nestedError(sub);
    if (e) return e;
  }
  if (isObject(s.items)) {
    const e = nestedError(s.items);
    if (e) return e;
  }
  for (const [, p] of schemaMapOf(s.properties)) {
    const e = nestedError(p);
    if (e) return e;
  }
  if (isObject(s.additionalProperties)) return nestedError(s.additionalProperties);
  return undefined;
}

export type StructuralResult = { ok: true; schema: Structural } | { ok: false; error: string };

/** upstream's NewStructural. */
export function newStructural(s: JSONSchemaProps): StructuralResult {
  const error = unsupportedKeyword(s) ?? [...schemasOf(s.allOf), ...schemasOf(s.anyOf), ...schemasOf(s.oneOf), ...(isObject(s.not) ? [s.not] : [])].map(nestedError).find(Boolean);
  if (error) return { ok: false, error };
  const node: Structural = {
    raw: s,
    type: str(s.type),
    nullable: s.nullable === true,
    default: s.default === null ? undefined : s.default,
    preserveUnknownFields: s["x-kubernetes-preserve-unknown-fields"] === true,
    embeddedResource: s["x-kubernetes-embedded-resource"] === true,
    intOrString: s["x-kubernetes-int-or-string"] === true,
    validations: validationsOf(s),
  };
  const listType = s["x-kubernetes-list-type"];
  if (typeof listType === "string") node.listType = listType;
  const mapType = s["x-kubernetes-map-type"];
  if (typeof mapType === "string") node.mapType = mapType;
  const keys = s["x-kubernetes-list-map-keys"];
  if (Array.isArray(keys)) node.listMapKeys = keys.filter((k): k is string => typeof k === "string");
  if (isObject(s.items)) {
    const items = newStructural(s.items);
    if (!items.ok) return items;
    node.items = items.schema;
  }
  const props = schemaMapOf(s.properties);
  if (props.length) {
    node.properties = new Map();
    for (const [k, p] of props) {
      const sub = newStructural(p);
      if (!sub.ok) return sub;
      node.properties.set(k, sub.schema);
    }
  }
  if (isObject(s.additionalProperties)) {
    const sub = newStructural(s.additionalProperties);
    if (!sub.ok) return sub;
    node.additionalProperties = { schema: sub.schema, allows: true };
  } else if (typeof s.additionalProperties === "boolean") {
    node.additionalProperties = { allows: s.additionalProperties };
  }
  return { ok: true, schema: node };
}

/** The schema a map value falls under: its declared property, else additionalProperties. */
export function fieldSchema(s: Structural | undefined, key: string): Structural | undefined {
  if (!s) return undefined;
  return s.properties?.get(key) ?? s.additionalProperties?.schema;
}

/** A copy of `s` marked as an embedded resource, as upstream treats every resource root. */
export function asResourceRoot(s: Structural): Structural {
  return s.embeddedResource ? s : { ...s, embeddedResource: true };
}
