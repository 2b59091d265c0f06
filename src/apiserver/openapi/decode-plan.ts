/**
 * A kind's schema compiled, once, into what a Go decoder would make of each field: a struct with
 * a field table, a map, a slice, a scalar, or one of the apimachinery types with their own
 * UnmarshalJSON. The type checks (type-check.ts, unstructured-type-check.ts) walk objects
 * against this on every write, so $refs are resolved and names worked out here, not per value.
 */
import { goFieldType, goStructName, INT_OR_STRING_DEFINITION, MICRO_TIME_DEFINITION, QUANTITY_DEFINITION, TIME_DEFINITION } from "./go-types.ts";
import { refName, type Schema } from "./schema.ts";
import type { SchemaTree } from "./unknown-fields.ts";

export type PlanKind = "any" | "struct" | "map" | "slice" | "string" | "bytes" | "int32" | "int64" | "float" | "bool" | "quantity" | "intOrString" | "time" | "microTime";

export interface PlanField {
  plan: Plan;
  /** The Go type when the schema cannot name it (go-field-types.json). */
  goType: string | undefined;
}

export interface Plan {
  kind: PlanKind;
  /** The resolved schema and the definition it came from, for Go type names in errors. */
  schema: Schema;
  definition: string | undefined;
  /** struct: Go's name for it ("PodSpec") and its JSON fields. */
  structName: string;
  fields: Map<string, PlanField> | undefined;
  /** slice items or map values. */
  element: Plan | undefined;
}

type Resolve = SchemaTree["resolve"];

interface Compiler {
  resolve: Resolve;
  byName: Map<string, Plan>;
  bySchema: WeakMap<Schema, Plan>;
}

// One compiler per resolver, since the resolver decides what a $ref means. Only built-in kinds
// are planned, and their definitions never change, so plans are kept for the process.
const compilers = new WeakMap<Resolve, Compiler>();

/** The plan of a whole kind: its definition, by name. */
export function kindPlan(tree: SchemaTree): Plan {
  let c = compilers.get(tree.resolve);
  if (!c) compilers.set(tree.resolve, (c = { resolve: tree.resolve, byName: new Map(), bySchema: new WeakMap() }));
  return compileRef(c, tree.name, 0);
}

function compileRef(c: Compiler, name: string, depth: number): Plan {
  const cached = c.byName.get(name);
  if (cached) return cached;
  const target = c.resolve(name);
  if (!target) return anyPlan;
  if (target.$ref !== undefined && depth < 32) return compileRef(c, refName(target.$ref), depth + 1);
  return build(c, target, name, (plan) => c.byName.set(name, plan));
}

function compile(c: Compiler, schema: Schema): Plan {
  if (schema.$ref !== undefined) return compileRef(c, refName(schema.$ref), 0);
  // v3 writes a described $ref as a lone allOf.
  if (schema.allOf?.length === 1 && !schema.properties && !schema.items && schema.additionalProperties === undefined) return compile(c, schema.allOf[0]!);
  return c.bySchema.get(schema) ?? build(c, schema, undefined, (plan) => c.bySchema.set(schema, plan));
}

/** Registers the plan before compiling its children, so recursive types end. */
function build(c: Compiler, s: Schema, definition: string | undefined, register: (plan: Plan) => void): Plan {
  const kind = kindOf(s, definition);
  const plan: Plan = { kind, schema: s, definition, structName: "", fields: undefined, element: undefined };
  register(plan);
  if (kind === "struct") {
    plan.structName = definition === undefined ? "" : goStructName(definition);
    const fields = new Map<string, PlanField>();
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      fields.set(key, { plan: compile(c, child), goType: definition === undefined ? undefined : goFieldType(definition, key) });
    }
    plan.fields = fields;
  } else if (kind === "slice") {
    plan.element = s.items ? compile(c, s.items) : anyPlan;
  } else if (kind === "map") {
    plan.element = compile(c, s.additionalProperties as Schema);
  }
  return plan;
}

function kindOf(s: Schema, definition: string | undefined): PlanKind {
  switch (definition) {
    case QUANTITY_DEFINITION:
      return "quantity";
    case INT_OR_STRING_DEFINITION:
      return "intOrString";
    case TIME_DEFINITION:
      return "time";
    case MICRO_TIME_DEFINITION:
      return "microTime";
  }
  if (s.format === "int-or-string" || s["x-kubernetes-int-or-string"] === true) return "intOrString";
  switch (s.type) {
    case "string":
      return s.format === "byte" ? "bytes" : "string";
    case "integer":
      return s.format === "int32" ? "int32" : "int64";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    case "array":
      return "slice";
    case "object":
      if (s.properties) return "struct";
      return typeof s.additionalProperties === "object" ? "map" : "any";
    default:
      // No type: free-form (RawExtension, FieldsV1, apiextensions JSON), unless it lists fields.
      return s.properties ? "struct" : "any";
  }
}

const anyPlan: Plan = { kind: "any", schema: {}, definition: undefined, structName: "", fields: undefined, element: undefined };
