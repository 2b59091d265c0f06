/**
 * What the documents are made of at one moment: the served resources, the definitions of their
 * kinds (built-in, registered custom schemas, or open stand-ins), and their operations grouped
 * by group-version.
 */
import type { GroupVersionKind } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import { customKindDefinitions, type KindDefinitions } from "./custom-schemas.ts";
import { builtinDefinitionFor, builtinDocumentDefinitions } from "./definitions.ts";
import type { PathSpec } from "./operation-spec.ts";
import { groupVersionPath, resourcePaths } from "./operations.ts";
import { gvkKey, type Schema } from "./schema.ts";

export interface Catalog {
  /** Definition by name: extra (custom) definitions first, then built-in ones. */
  definition(name: string): Schema | undefined;
  /** Group-version path ("api/v1", "apis/apps/v1") -> the paths of its resources, sorted. */
  pathsByGroupVersion: Map<string, PathSpec[]>;
  /** Every path of every group-version, sorted. */
  allPaths: PathSpec[];
}

export function buildCatalog(resources: readonly ResourceDefinition[], custom: ReadonlyMap<string, KindDefinitions>): Catalog {
  const builtin = builtinDocumentDefinitions().definitions;
  const extra = new Map<string, Schema>();
  const addKind = (k: KindDefinitions) => {
    extra.set(k.name, k.schema);
    extra.set(k.listName, k.listSchema);
  };
  for (const k of custom.values()) addKind(k);

  const definitionOf = (gvk: GroupVersionKind): string | undefined => custom.get(gvkKey(gvk))?.name ?? builtinDefinitionFor(gvk);
  const byGv = new Map<string, PathSpec[]>();
  for (const def of resources) {
    const gvk: GroupVersionKind = { group: def.group, version: def.version, kind: def.kind };
    const registered = custom.get(gvkKey(gvk));
    const builtinName = registered ? undefined : builtinDefinitionFor(gvk);
    let object: string;
    let list: string | undefined;
    if (registered) {
      object = registered.name;
      list = registered.listName;
    } else if (builtinName) {
      object = builtinName;
      list = builtinDefinitionFor({ ...gvk, kind: `${def.kind}List` });
    } else {
      // A served kind nobody described: an open schema keeps explain and the PATCH lookup working.
      const open = customKindDefinitions(gvk, undefined);
      addKind(open);
      object = open.name;
      list = open.listName;
    }
    const key = groupVersionPath(def.group, def.version);
    const paths = byGv.get(key) ?? [];
    paths.push(...resourcePaths(def, { object, list, builtin: builtinName !== undefined, definitionOf }));
    byGv.set(key, paths);
  }
  const byPath = (a: PathSpec, b: PathSpec) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const pathsByGroupVersion = new Map([...byGv.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.sort(byPath)] as const));
  return {
    definition: (name) => extra.get(name) ?? builtin[name],
    pathsByGroupVersion,
    allPaths: [...pathsByGroupVersion.values()].flat().sort(byPath),
  };
}

/** Definitions the operations of `paths` refer to: bodies and responses. */
export function operationRoots(paths: PathSpec[]): Set<string> {
  const roots = new Set<string>();
  for (const p of paths) {
    for (const op of p.operations) {
      if (op.body) roots.add(op.body);
      for (const r of Object.values(op.responses)) if ("definition" in r) roots.add(r.definition);
    }
  }
  return roots;
}
