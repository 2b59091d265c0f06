/**
 * The built-in API type definitions, generated from @kubernetes/client-node by
 * scripts/gen-openapi.ts into definitions.json.gz (gzip keeps the ~1 MB of JSON at ~180 kB in
 * the repository and the binary).
 *
 * Two ways to read them: `builtinDefinitions()` for what runs on every write (field validation,
 * typed merge, patch strategies) is inflated once, on the first write, and stays resident without
 * the `description` texts (two thirds of the file, ~2 MB of heap, read by no check);
 * `builtinDocumentDefinitions()` has them, for the OpenAPI documents (kubectl explain), and is
 * inflated for each document catalog rather than kept here.
 */
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import type { GroupVersionKind } from "../api/types.ts";
import definitionsPath from "./definitions.json.gz" with { type: "file" };
import { gvkKey, type DefinitionsFile, type Schema } from "./schema.ts";

export interface BuiltinDefinitions {
  source: DefinitionsFile["source"];
  /** Definition name -> schema (v2 form: refs are "#/definitions/<name>"). Shared: do not modify. */
  definitions: Readonly<Record<string, Schema>>;
  /** gvkKey -> definition name, from the x-kubernetes-group-version-kind extensions. */
  byGvk: ReadonlyMap<string, string>;
}

let resident: BuiltinDefinitions | undefined;

function inflate(reviver?: (key: string, value: unknown) => unknown): BuiltinDefinitions {
  const file = JSON.parse(gunzipSync(readFileSync(definitionsPath)).toString("utf8"), reviver) as DefinitionsFile;
  return { source: file.source, definitions: file.definitions, byGvk: indexByGvk(file.definitions) };
}

/** A schema's description text (a property named "description" is a schema, and is kept). */
const withoutDescriptions = (key: string, value: unknown) => (key === "description" && typeof value === "string" ? undefined : value);

/** The definitions without their description texts, for the checks run on writes. Shared: do not modify. */
export function builtinDefinitions(): BuiltinDefinitions {
  resident ??= inflate(withoutDescriptions);
  return resident;
}

/** The definitions with their descriptions, for the OpenAPI documents; a new copy each call. */
export function builtinDocumentDefinitions(): BuiltinDefinitions {
  return inflate();
}

/**
 * A definition can carry several GVKs (DeleteOptions is registered in every group-version); the
 * index keeps, for each GVK, the definition whose extension lists it alone if there is one.
 */
function indexByGvk(definitions: Record<string, Schema>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, schema] of Object.entries(definitions)) {
    const gvks = schema["x-kubernetes-group-version-kind"] ?? [];
    for (const gvk of gvks) {
      const key = gvkKey(gvk);
      if (!index.has(key) || gvks.length === 1) index.set(key, name);
    }
  }
  return index;
}

export function builtinDefinitionFor(gvk: GroupVersionKind): string | undefined {
  return builtinDefinitions().byGvk.get(gvkKey(gvk));
}
