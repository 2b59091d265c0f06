/**
 * The type server-side apply walks a resource's objects with, from the OpenAPI schemas the
 * server serves (custom resources included, once their CRD registers a schema there) or, without
 * an OpenAPI service, from the built-in definitions alone.
 */
import type { JsonObject } from "../../patch/json-value.ts";
import type { GroupVersionKind } from "../../api/types.ts";
import { apiVersionOf } from "../../api/types.ts";
import type { OpenApi } from "../../openapi/index.ts";
import { builtinDefinitionFor, builtinDefinitions } from "../../openapi/index.ts";
import { gvkKey, type Schema } from "../../openapi/schema.ts";
import { builtinZeroObject } from "./builtin-ssa.ts";
import { TypeCompiler } from "./from-openapi.ts";
import { DEDUCED, type TypeNode } from "./type-node.ts";

export interface ResourceTypes {
  root: TypeNode;
  /** The object a create is compared against: the kind's zero value, as upstream's empty object. */
  zero(): JsonObject;
}

const builtinResolve = (name: string): Schema | undefined => builtinDefinitions().definitions[name];

export class FieldTypeCatalog {
  private openapi: OpenApi | undefined;
  private resolveViaOpenApi: ((name: string) => Schema | undefined) | undefined;
  private readonly compiler = new TypeCompiler((name) => (this.resolveViaOpenApi ?? builtinResolve)(name));

  /** Serve custom resources' schemas too, as the OpenAPI service has them. */
  useOpenApi(openapi: OpenApi): void {
    this.openapi = openapi;
    this.cache.clear();
  }

  forResource(gvk: GroupVersionKind): ResourceTypes {
    const tree = this.openapi?.schemaFor(gvk);
    // Every write asks: answer from the cache while the kind's schema is the same object.
    const key = gvkKey(gvk);
    const cached = this.cache.get(key);
    if (cached && cached.schema === tree?.schema) return cached.types;
    if (tree) this.resolveViaOpenApi ??= tree.resolve;
    const builtin = builtinDefinitionFor(gvk);
    const name = tree?.name ?? builtin;
    const root = name === undefined ? DEDUCED : this.compiler.definition(name);
    // A custom resource starts from an object with only its type, as upstream's unstructured one.
    const zero = name !== undefined && name === builtin ? () => builtinZeroObject(name) : undefined;
    const types: ResourceTypes = { root, zero: () => zero?.() ?? { apiVersion: apiVersionOf(gvk), kind: gvk.kind } };
    this.cache.set(key, { schema: tree?.schema, types });
    return types;
  }

  private readonly cache = new Map<string, { schema: Schema | undefined; types: ResourceTypes }>();
}
