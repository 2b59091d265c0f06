/**
 * The OpenAPI service of the API server: builds /openapi/v2 and /openapi/v3 from the served
 * resources on first request and caches the serialised documents with their hashes. The cache
 * is dropped when the served resources change (checked by a cheap fingerprint on each call) or
 * a custom schema is registered, so CRDs appear without anyone having to remember to refresh.
 */
import { createHash } from "node:crypto";
import type { GroupVersionKind } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import { buildCatalog, operationRoots, type Catalog } from "./catalog.ts";
import { customKindDefinitions, type KindDefinitions } from "./custom-schemas.ts";
import { builtinDefinitionFor, builtinDefinitions } from "./definitions.ts";
import { builtinPatchExtensions } from "./patch-extensions.ts";
import { reachableDefinitions } from "./reachable.ts";
import { withFieldExtensions, type FieldExtensions } from "./render-common.ts";
import { gvkKey, type Schema } from "./schema.ts";
import { typeErrors, type TypeCheckOptions } from "./type-check.ts";
import { unknownFields, type SchemaTree } from "./unknown-fields.ts";
import { unstructuredTypeError } from "./unstructured-type-check.ts";
import { v2Document, type SwaggerDocument } from "./v2.ts";
import { v3Document, type OpenApiV3Document } from "./v3.ts";

export interface OpenApiOptions {
  /** info.version of the v2 document: the server's version ("v1.32.5"). */
  version?: string;
  /**
   * Extensions for definition properties that the generated definitions cannot carry
   * (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key, x-kubernetes-list-type, ...).
   * Defaults to the strategic merge patch metadata of the built-in kinds; null for none.
   */
  fieldExtensions?: FieldExtensions | null;
}

/** A serialised document and its hash (upstream's ETag: SHA-512 of the JSON, upper-case hex). */
export interface Rendered {
  json: string;
  hash: string;
  /** When this content was built (Last-Modified). */
  built: Date;
}

export interface V3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenApi {
  v2(): SwaggerDocument;
  v3Index(): V3Index;
  /** The document of "api/v1" or "apis/<group>/<version>", or undefined if nothing is served there. */
  v3(groupVersionPath: string): OpenApiV3Document | undefined;
  v2Rendered(): Rendered;
  v3IndexRendered(): Rendered;
  v3Rendered(groupVersionPath: string): Rendered | undefined;
  /** Describes a custom resource version with its CRD's openAPIV3Schema (JSONSchemaProps). */
  registerCustomSchema(gvk: GroupVersionKind, openAPIV3Schema: Schema): void;
  unregisterCustomSchema(gvk: GroupVersionKind): void;
  /** The schema of a kind (custom first, then built-in), or undefined if there is none. */
  schemaFor(gvk: GroupVersionKind): SchemaTree | undefined;
  /** JSON paths of the fields of `obj` that the kind's schema does not know (see unknown-fields.ts). */
  unknownFields(gvk: GroupVersionKind, obj: unknown): string[];
  /**
   * The error kube-apiserver's JSON decoder gives for `obj` as a built-in kind (see
   * type-check.ts), or undefined. Custom resources are never checked here: upstream decodes them
   * as unstructured JSON and leaves types to schema validation.
   */
  typeErrors(gvk: GroupVersionKind, obj: unknown, options?: TypeCheckOptions): string | undefined;
  /** The same for a strategic-merge-patched object, in the unstructured converter's words (see unstructured-type-check.ts). */
  unstructuredTypeError(gvk: GroupVersionKind, obj: unknown): string | undefined;
  /** Drops the cached documents. */
  invalidate(): void;
}

type ResourceSource = readonly ResourceDefinition[] | (() => readonly ResourceDefinition[]);

export function hashOf(json: string): string {
  return createHash("sha512").update(json).digest("hex").toUpperCase();
}

function render(doc: unknown): Rendered {
  const json = JSON.stringify(doc);
  return { json, hash: hashOf(json), built: new Date() };
}

/** What about the served resources shows in the documents; a change rebuilds them. */
function fingerprint(resources: readonly ResourceDefinition[]): string {
  return JSON.stringify(
    resources.map((r) => [
      r.group,
      r.version,
      r.kind,
      r.plural,
      r.namespaced,
      r.verbs ?? null,
      r.statusSubresource === true,
      r.scale !== undefined,
      (r.extraSubresources ?? []).map((s) => [s.name, s.kind, s.group ?? null, s.version ?? null, s.verbs]),
    ]),
  );
}

interface Cache {
  fingerprint: string;
  catalog: Catalog;
  v2?: Rendered;
  v3: Map<string, Rendered>;
  index?: Rendered;
}

export function createOpenApi(source: ResourceSource, options: OpenApiOptions = {}): OpenApi {
  const resources = typeof source === "function" ? source : () => source;
  const custom = new Map<string, KindDefinitions>();
  const fieldExtensions = options.fieldExtensions === undefined ? builtinPatchExtensions : (options.fieldExtensions ?? undefined);
  let cache: Cache | undefined;

  const current = (): Cache => {
    const served = resources();
    const fp = fingerprint(served);
    if (!cache || cache.fingerprint !== fp) cache = { fingerprint: fp, catalog: buildCatalog(served, custom), v3: new Map() };
    return cache;
  };

  const definitionsFor = (catalog: Catalog, roots: Iterable<string>): Record<string, Schema> => {
    const out: Record<string, Schema> = {};
    for (const name of reachableDefinitions(roots, catalog.definition)) {
      out[name] = withFieldExtensions(name, catalog.definition(name)!, fieldExtensions);
    }
    return out;
  };

  const v3Rendered = (gvPath: string): Rendered | undefined => {
    const c = current();
    const cached = c.v3.get(gvPath);
    if (cached) return cached;
    const paths = c.catalog.pathsByGroupVersion.get(gvPath);
    if (!paths) return undefined;
    const rendered = render(v3Document(paths, definitionsFor(c.catalog, operationRoots(paths))));
    c.v3.set(gvPath, rendered);
    return rendered;
  };

  const v2Rendered = (): Rendered => {
    const c = current();
    c.v2 ??= render(v2Document(c.catalog.allPaths, definitionsFor(c.catalog, operationRoots(c.catalog.allPaths)), options.version ?? "unversioned"));
    return c.v2;
  };

  const v3IndexRendered = (): Rendered => {
    const c = current();
    if (!c.index) {
      const paths: V3Index["paths"] = {};
      for (const gvPath of c.catalog.pathsByGroupVersion.keys()) {
        paths[gvPath] = { serverRelativeURL: `/openapi/v3/${gvPath}?hash=${v3Rendered(gvPath)!.hash}` };
      }
      c.index = render({ paths } satisfies V3Index);
    }
    return c.index;
  };

  // Validation runs on every write, so it resolves without the document catalog (and its fingerprint).
  const customDefinition = (name: string): Schema | undefined => {
    for (const k of custom.values()) {
      if (k.name === name) return k.schema;
      if (k.listName === name) return k.listSchema;
    }
    return undefined;
  };
  const resolve = (name: string): Schema | undefined => customDefinition(name) ?? builtinDefinitions().definitions[name];

  const schemaFor = (gvk: GroupVersionKind): SchemaTree | undefined => {
    const registered = custom.get(gvkKey(gvk));
    if (registered) return { name: registered.name, schema: registered.schema, resolve };
    const name = builtinDefinitionFor(gvk);
    const schema = name === undefined ? undefined : builtinDefinitions().definitions[name];
    return name === undefined || !schema ? undefined : { name, schema, resolve };
  };

  // Go structs exist only for the built-in kinds.
  const builtinTree = (gvk: GroupVersionKind): SchemaTree | undefined => (custom.has(gvkKey(gvk)) ? undefined : schemaFor(gvk));

  return {
    v2: () => JSON.parse(v2Rendered().json) as SwaggerDocument,
    v3Index: () => JSON.parse(v3IndexRendered().json) as V3Index,
    v3: (gvPath) => {
      const r = v3Rendered(gvPath);
      return r ? (JSON.parse(r.json) as OpenApiV3Document) : undefined;
    },
    v2Rendered,
    v3IndexRendered,
    v3Rendered,
    registerCustomSchema(gvk, openAPIV3Schema) {
      custom.set(gvkKey(gvk), customKindDefinitions(gvk, openAPIV3Schema));
      cache = undefined;
    },
    unregisterCustomSchema(gvk) {
      if (custom.delete(gvkKey(gvk))) cache = undefined;
    },
    schemaFor,
    unknownFields(gvk, obj) {
      const tree = schemaFor(gvk);
      return tree ? unknownFields(tree, obj) : [];
    },
    typeErrors(gvk, obj, options) {
      const tree = builtinTree(gvk);
      return tree ? typeErrors(tree, obj, options) : undefined;
    },
    unstructuredTypeError(gvk, obj) {
      const tree = builtinTree(gvk);
      return tree ? unstructuredTypeError(tree, obj) : undefined;
    },
    invalidate() {
      cache = undefined;
    },
  };
}
