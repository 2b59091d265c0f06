/**
 * The built-in API type definitions, generated from @kubernetes/client-node by
 * scripts/gen-openapi.ts into definitions.json.gz (gzip keeps the ~1 MB of JSON at ~180 kB in
 * the repository and the binary). Inflated once, on first use.
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

let loaded: BuiltinDefinitions | undefined;

export function builtinDefinitions(): BuiltinDefinitions {
  if (!loaded) {
    const file = JSON.parse(gunzipSync(readFileSync(definitionsPath)).toString("utf8")) as DefinitionsFile;
    loaded = { source: file.source, definitions: file.definitions, byGvk: indexByGvk(file.definitions) };
  }
  return loaded;
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
