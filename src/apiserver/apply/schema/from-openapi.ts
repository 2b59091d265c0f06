/**
 * Type nodes from OpenAPI definitions, following the rules upstream's schema conversion applies
 * to the models it serves (kube-openapi schemaconv):
 *
 *   - lists: x-kubernetes-list-type (atomic | set | map with x-kubernetes-list-map-keys), else
 *     x-kubernetes-patch-strategy merge (a map by the patch merge key, or a set), else atomic;
 *   - objects: x-kubernetes-map-type atomic, else granular; properties are fields, and other
 *     keys are typed by additionalProperties, untyped when the object declares no properties or
 *     preserves unknown fields, and not allowed otherwise;
 *   - no type at all: any shape, decided by the value;
 *   - Quantity is a scalar and RawExtension untyped and atomic, whatever their schemas say.
 *
 * The built-in definitions here do not carry the list and map extensions, so for them the
 * semantics come from builtin-ssa.json (read from the same Go markers kube-openapi reads).
 * Nodes are built lazily and cached, per schema object, so a recursive schema (JSONSchemaProps)
 * is fine and a re-registered custom schema is not served stale.
 */
import type { JsonValue } from "../../patch/json-value.ts";
import { refName, type Schema } from "../../openapi/schema.ts";
import { builtinSemantics, type DefinitionSemantics, type FieldSemantics } from "./builtin-ssa.ts";
import { BOOLEAN, DEDUCED, NUMERIC, SCALAR, STRING, UNTYPED_ATOMIC, type ListType, type MapType, type TypeNode } from "./type-node.ts";

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";

export type DefinitionResolver = (name: string) => Schema | undefined;

/** Where a property sits, for the built-in semantics table. */
interface Owner {
  semantics: DefinitionSemantics | undefined;
  property: string;
}

export class TypeCompiler {
  private readonly definitions = new Map<string, { schema: Schema; node: TypeNode }>();
  private readonly atomicOverrides = new Map<string, { base: TypeNode; node: TypeNode }>();
  private readonly inline = [new WeakMap<Schema, TypeNode>(), new WeakMap<Schema, TypeNode>()];

  constructor(private readonly resolve: DefinitionResolver) {}

  /** The node of a named definition; untyped (deduced) when the name is unknown. */
  definition(name: string): TypeNode {
    if (name === QUANTITY) return SCALAR;
    if (name === RAW_EXTENSION) return UNTYPED_ATOMIC;
    const schema = this.resolve(name);
    if (!schema) return DEDUCED;
    const cached = this.definitions.get(name);
    if (cached && cached.schema === schema) return cached.node;
    const node: TypeNode = {};
    // Cached before it is filled in, so recursive references find it.
    this.definitions.set(name, { schema, node });
    Object.assign(node, this.build(schema, schemaPreserves(schema), builtinSemantics(name)));
    return node;
  }

  /** The node of a schema that is not a named definition (a custom resource's root, say). */
  schema(schema: Schema): TypeNode {
    return this.node(schema, schemaPreserves(schema), undefined);
  }

  private node(schema: Schema, preserve: boolean, owner: Owner | undefined): TypeNode {
    const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]!.$ref : undefined);
    const override = mapOverride(schema, owner);
    if (ref !== undefined) return this.withMapOverride(this.definition(refName(ref)), refName(ref), override);
    // A built-in property's semantics come from its owner, so its node is not shared by schema.
    if (owner?.semantics) return overridden(this.build(schema, preserve || schemaPreserves(schema), undefined, owner), override);
    const cache = this.inline[preserve ? 1 : 0]!;
    let node = cache.get(schema);
    if (!node) {
      node = this.build(schema, preserve || schemaPreserves(schema), undefined, owner);
      cache.set(schema, node);
    }
    return node;
  }

  private build(schema: Schema, preserve: boolean, own: DefinitionSemantics | undefined, owner?: Owner): TypeNode {
    switch (schema.type) {
      case "object":
        return { map: this.mapType(schema, preserve, own) };
      case "array":
        return { list: this.listType(schema, preserve, owner) };
      case undefined:
        return { scalar: "untyped", list: this.listType(schema, preserve, owner), map: this.mapType(schema, preserve, own) };
      case "integer":
      case "number":
        return NUMERIC;
      case "boolean":
        return BOOLEAN;
      case "string":
        // Formats such as int-or-string and date-time hold more than plain strings.
        return schema.format === undefined || schema.format === "" || schema.format === "byte" ? STRING : SCALAR;
      default:
        return SCALAR;
    }
  }

  private mapType(schema: Schema, preserve: boolean, own: DefinitionSemantics | undefined): MapType {
    const properties = schema.properties ?? {};
    const fields = new Map<string, TypeNode>();
    const additional = schema.additionalProperties;
    let element: TypeNode | undefined | null = null;
    const compiler = this;
    return {
      atomic: own?.atomic === true || schema["x-kubernetes-map-type"] === "atomic",
      field(name) {
        if (!Object.hasOwn(properties, name)) return undefined;
        let node = fields.get(name);
        if (!node) {
          node = compiler.node(properties[name]!, preserve, { semantics: own, property: name });
          fields.set(name, node);
        }
        return node;
      },
      element() {
        if (element === null) {
          if (additional === undefined) element = preserve || Object.keys(properties).length === 0 ? DEDUCED : undefined;
          else if (typeof additional === "object") element = compiler.node(additional, preserve, undefined);
          else element = additional ? DEDUCED : undefined;
        }
        return element;
      },
    };
  }

  private listType(schema: Schema, preserve: boolean, owner: Owner | undefined): ListType {
    const { atomic, keys } = listSemantics(schema, owner);
    const items = schema.items;
    let element: TypeNode | undefined;
    const compiler = this;
    const elementNode = (): TypeNode => (element ??= items ? compiler.node(items, preserve, undefined) : UNTYPED_ATOMIC);
    return {
      atomic,
      keys,
      element: elementNode,
      keyDefault(name) {
        if (!items) return undefined;
        const ref = items.$ref ?? (items.allOf?.length === 1 ? items.allOf[0]!.$ref : undefined);
        const itemSchema = ref ? compiler.resolve(refName(ref)) : items;
        const builtinDefault = ref ? builtinSemantics(refName(ref))?.defaults?.[name] : undefined;
        return (builtinDefault ?? itemSchema?.properties?.[name]?.default) as JsonValue | undefined;
      },
    };
  }

  /** A definition's node with its map made atomic (or granular) for one property. */
  private withMapOverride(base: TypeNode, name: string, override: "atomic" | "granular" | undefined): TypeNode {
    if (!override || !base.map || base.map.atomic === (override === "atomic")) return base;
    const key = `${name}\u0000${override}`;
    const cached = this.atomicOverrides.get(key);
    if (cached && cached.base === base) return cached.node;
    const node = overridden(base, override);
    this.atomicOverrides.set(key, { base, node });
    return node;
  }
}

/** `base` with its map made atomic or granular. */
function overridden(base: TypeNode, override: "atomic" | "granular" | undefined): TypeNode {
  const map = base.map;
  if (!override || !map || map.atomic === (override === "atomic")) return base;
  return { ...base, map: { atomic: override === "atomic", field: (name) => map.field(name), element: () => map.element() } };
}

function schemaPreserves(schema: Schema): boolean {
  return schema["x-kubernetes-preserve-unknown-fields"] === true;
}

function builtinField(owner: Owner | undefined): FieldSemantics | undefined {
  const fields = owner?.semantics?.fields;
  return fields && Object.hasOwn(fields, owner!.property) ? fields[owner!.property] : undefined;
}

function mapOverride(schema: Schema, owner: Owner | undefined): "atomic" | "granular" | undefined {
  const builtin = builtinField(owner);
  if (builtin && "map" in builtin) return builtin.map;
  const ext = schema["x-kubernetes-map-type"];
  return ext === "atomic" || ext === "granular" ? ext : undefined;
}

function listSemantics(schema: Schema, owner: Owner | undefined): { atomic: boolean; keys: string[] } {
  if (owner?.semantics) {
    // Built-in definitions: the table is complete; a list it does not name is atomic.
    const builtin = builtinField(owner);
    if (builtin && "list" in builtin) return builtin.list === "map" ? { atomic: false, keys: builtin.keys } : { atomic: false, keys: [] };
    return { atomic: true, keys: [] };
  }
  const listType = schema["x-kubernetes-list-type"];
  if (listType === "set") return { atomic: false, keys: [] };
  if (listType === "map") {
    const keys = schema["x-kubernetes-list-map-keys"];
    return { atomic: false, keys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [] };
  }
  if (listType !== undefined) return { atomic: true, keys: [] };
  const strategy = schema["x-kubernetes-patch-strategy"];
  if (strategy === "merge" || strategy === "merge,retainKeys") {
    const key = schema["x-kubernetes-patch-merge-key"];
    return { atomic: false, keys: typeof key === "string" ? [key] : [] };
  }
  return { atomic: true, keys: [] };
}
