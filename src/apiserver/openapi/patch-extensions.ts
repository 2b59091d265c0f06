/**
 * x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key for the documents. The models do
 * not carry them; the strategic merge patch engine keeps them per kind as dotted field paths
 * (patch/strategic/builtin-types.ts). Walking each path through the definitions turns that into
 * (definition, property) pairs. kubectl's client-side apply reads them from /openapi/v3 to build
 * its strategic merge patches: without them it would replace whole lists (containers, env, ...)
 * and could not express deletions of list items.
 */
import { builtinPatchTable, isBuiltinKind } from "../patch/strategic/builtin-types.ts";
import type { PatchMetaTable } from "../patch/strategic/schema.ts";
import { builtinDefinitions } from "./definitions.ts";
import type { FieldExtensions } from "./render-common.ts";
import { refName, type Schema } from "./schema.ts";

type Extensions = Partial<Record<`x-${string}`, unknown>>;

/** The definition a property leads to: its $ref, or that of its items or map values. */
function nextDefinition(s: Schema | undefined): string | undefined {
  const target = s?.$ref ?? s?.items?.$ref ?? (typeof s?.additionalProperties === "object" ? s.additionalProperties.$ref : undefined);
  return target === undefined ? undefined : refName(target);
}

/** (definition, property) -> extensions, for the paths of `table` starting at definition `root`. */
export function extensionsFromTable(root: string, table: PatchMetaTable, definitions: Readonly<Record<string, Schema>>, into: Map<string, Extensions>): void {
  for (const [path, meta] of Object.entries(table)) {
    const segments = path.split(".");
    let current: string | undefined = root;
    for (const [i, segment] of segments.entries()) {
      const def: Schema | undefined = current === undefined ? undefined : definitions[current];
      const prop = def?.properties && Object.hasOwn(def.properties, segment) ? def.properties[segment] : undefined;
      if (!prop) break;
      if (i < segments.length - 1) {
        current = nextDefinition(prop);
        continue;
      }
      const ext: Extensions = {};
      if (meta.mergeKey) ext["x-kubernetes-patch-merge-key"] = meta.mergeKey;
      if (meta.strategy) ext["x-kubernetes-patch-strategy"] = meta.strategy;
      into.set(`${current}\u0000${segment}`, ext);
    }
  }
}

let builtin: Map<string, Extensions> | undefined;

/** Patch metadata of every built-in kind the generated definitions describe. */
export const builtinPatchExtensions: FieldExtensions = (definition, property) => {
  if (!builtin) {
    builtin = new Map();
    const { definitions } = builtinDefinitions();
    for (const [name, schema] of Object.entries(definitions)) {
      const gvks = schema["x-kubernetes-group-version-kind"] ?? [];
      // DeleteOptions and WatchEvent list every group; real kinds list one GVK.
      if (gvks.length !== 1 || !isBuiltinKind(gvks[0]!.group, gvks[0]!.kind)) continue;
      extensionsFromTable(name, builtinPatchTable(gvks[0]!.kind), definitions, builtin);
    }
  }
  return builtin.get(`${definition}\u0000${property}`);
};
