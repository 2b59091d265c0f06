/**
 * The Go type names kube-apiserver's JSON decoder prints in type errors ("... of type int32",
 * "of type []v1.Container", "of type v1.PullPolicy"), derived from the OpenAPI schema, with the
 * names the schema cannot carry (named string, slice and map types such as v1.Protocol or
 * v1.ResourceList) taken from go-field-types.json, which scripts/gen-go-field-types.ts makes
 * from the Go API types of Kubernetes 1.32.
 */
import { refName, type Schema } from "./schema.ts";
import fieldTypesFile from "./go-field-types.json" with { type: "json" };

export interface GoFieldTypesFile {
  "//": string;
  /** Definition name -> JSON field name -> Go type (top-level pointer removed), where the schema says otherwise. */
  fields: Record<string, Record<string, string>>;
  /** Named slice and map types -> their underlying type, to name elements and values. */
  named: Record<string, string>;
}

const table = fieldTypesFile as GoFieldTypesFile;

/** "io.k8s.api.core.v1.PodSpec" -> "PodSpec": reflect.Type.Name(), the struct in "Go struct field PodSpec.spec...". */
export function goStructName(definition: string): string {
  return definition.slice(definition.lastIndexOf(".") + 1);
}

/** "io.k8s.api.core.v1.PodSpec" -> "v1.PodSpec": reflect.Type.String() of a named type (package name, then type name). */
export function goNamedType(definition: string): string {
  const dot = definition.lastIndexOf(".");
  const pkgDot = definition.lastIndexOf(".", dot - 1);
  return definition.slice(pkgDot + 1);
}

/** The Go type of a struct field when the schema cannot name it, else undefined. */
export function goFieldType(definition: string, field: string): string | undefined {
  const fields = table.fields[definition];
  return fields && Object.hasOwn(fields, field) ? fields[field] : undefined;
}

/** The decoder dereferences pointers before it reports a type, so "*v1.T" is reported as "v1.T". */
function deref(goType: string): string {
  let t = goType;
  while (t.startsWith("*")) t = t.slice(1);
  return t;
}

/** The element type of a slice or the value type of a map, named or not ("[]v1.Capability" -> "v1.Capability"). */
export function goElementType(goType: string): string | undefined {
  let t = deref(goType);
  if (Object.hasOwn(table.named, t)) t = table.named[t]!;
  if (t.startsWith("[]")) return deref(t.slice(2));
  if (t.startsWith("map[")) {
    let depth = 0;
    for (let i = 3; i < t.length; i++) {
      if (t[i] === "[") depth++;
      else if (t[i] === "]" && --depth === 0) return deref(t.slice(i + 1));
    }
  }
  return undefined;
}

/** A reference resolver, as SchemaTree carries one. */
export type Resolve = (name: string) => Schema | undefined;

/**
 * Go's name for the type a schema describes, as far as the schema tells: scalars by type and
 * format, slices and maps by their items, structs by their definition's package and name.
 * A schema with no type at all is free-form (runtime.RawExtension and friends).
 */
export function goTypeOfSchema(schema: Schema, resolve: Resolve, depth = 0): string {
  if (depth > 64) return "interface {}";
  if (schema.$ref !== undefined) {
    const name = refName(schema.$ref);
    const target = resolve(name);
    if (!target) return "interface {}";
    if (target.type === "object" || target.properties || target.format === "date-time" || target.format === "int-or-string" || isQuantityDefinition(name)) return goNamedType(name);
    return goTypeOfSchema(target, resolve, depth + 1);
  }
  if (schema.allOf?.length === 1) return goTypeOfSchema(schema.allOf[0]!, resolve, depth + 1);
  switch (schema.type) {
    case "string":
      return schema.format === "byte" ? "[]uint8" : "string";
    case "integer":
      return schema.format === "int32" ? "int32" : "int64";
    case "number":
      return schema.format === "float" ? "float32" : "float64";
    case "boolean":
      return "bool";
    case "array":
      return `[]${schema.items ? goTypeOfSchema(schema.items, resolve, depth + 1) : "interface {}"}`;
    case "object":
      if (typeof schema.additionalProperties === "object" && !schema.properties) return `map[string]${goTypeOfSchema(schema.additionalProperties, resolve, depth + 1)}`;
      return "map[string]interface {}";
    default:
      return "interface {}";
  }
}

export const QUANTITY_DEFINITION = "io.k8s.apimachinery.pkg.api.resource.Quantity";
export const INT_OR_STRING_DEFINITION = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
export const TIME_DEFINITION = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
export const MICRO_TIME_DEFINITION = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";

function isQuantityDefinition(name: string): boolean {
  return name === QUANTITY_DEFINITION;
}
