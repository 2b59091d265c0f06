/**
 * Fields of an object its schema does not know, for fieldValidation=Strict|Warn. kube-apiserver
 * reports them while decoding with JSON paths like `spec.containers[0].imagee`, in document
 * order, and words them `unknown field "<path>"` (and `duplicate field "<path>"`): a Strict
 * request fails with 400 "... strict decoding error: unknown field "a", unknown field "b"", a
 * Warn request gets one Warning header per field.
 */
import { refName, type Schema } from "./schema.ts";

/** A definition plus the means to follow its $refs. */
export interface SchemaTree {
  /** The definition name (io.k8s.api.core.v1.Pod). */
  name: string;
  schema: Schema;
  /** The definition a $ref names, or undefined. */
  resolve(ref: string): Schema | undefined;
}

const EMBEDDED_RESOURCE_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

export function unknownFields(tree: SchemaTree, value: unknown): string[] {
  const out: string[] = [];
  walk(tree, tree.schema, value, "", out, 0);
  return out;
}

/** Follows $refs (and a lone allOf wrapper around one, as v3 writes refs with a description). */
function resolved(tree: SchemaTree, schema: Schema): Schema {
  let s = schema;
  for (let hops = 0; hops < 32; hops++) {
    if (s.$ref !== undefined) {
      const target = tree.resolve(refName(s.$ref));
      if (!target) return {};
      s = target;
    } else if (s.allOf?.length === 1 && !s.properties && !s.items && s.additionalProperties === undefined) {
      s = s.allOf[0]!;
    } else {
      return s;
    }
  }
  return s;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function walk(tree: SchemaTree, schema: Schema, value: unknown, path: string, out: string[], depth: number): void {
  // Bodies are bounded by the JSON decoder's nesting limit; this guards the recursion itself.
  if (depth > 10000 || value === null || typeof value !== "object") return;
  const s = resolved(tree, schema);
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(tree, s.items!, v, `${path}[${i}]`, out, depth + 1));
    return;
  }
  const obj = value as Record<string, unknown>;
  const properties = s.properties;
  const additional = s.additionalProperties;
  // No properties and no value schema: a free-form object (RawExtension, JSON, an open CRD).
  if (!properties && additional === undefined) return;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  for (const key of Object.keys(obj)) {
    const child = join(path, key);
    // Own-property lookups only: a body key such as "constructor" must not find Object.prototype.
    if (properties && Object.hasOwn(properties, key)) {
      walk(tree, properties[key]!, obj[key], child, out, depth + 1);
    } else if (typeof additional === "object") {
      walk(tree, additional, obj[key], child, out, depth + 1);
    } else if (additional === true || preserve || (embedded && EMBEDDED_RESOURCE_FIELDS.has(key))) {
      continue;
    } else {
      out.push(child);
    }
  }
}

export function unknownFieldError(path: string): string {
  return `unknown field "${path}"`;
}

export function duplicateFieldError(path: string): string {
  return `duplicate field "${path}"`;
}

/** The text kube-apiserver puts after "<Kind> in version "<v>" cannot be handled as a <Kind>: ". */
export function strictDecodingError(fieldErrors: string[]): string {
  return `strict decoding error: ${fieldErrors.join(", ")}`;
}
