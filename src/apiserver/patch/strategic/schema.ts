/**
 * What the strategic merge patch needs to know about a type: for some fields, the
 * `patchStrategy` and `patchMergeKey` that k8s.io/api declares in struct tags. Fields are
 * addressed by their names from the object's root, list items being transparent:
 * ["spec", "containers", "ports"] is the ports list of every container of a Pod.
 */

/**
 * `merge` merges a list (by `mergeKey` for lists of objects, as a set for lists of scalars);
 * `replace` replaces a map wholesale; `retainKeys` only tells clients to send `$retainKeys`,
 * which the server honours wherever it appears.
 */
export type PatchStrategy = "merge" | "replace" | "retainKeys" | "merge,retainKeys";

export interface FieldPatchMeta {
  strategy?: PatchStrategy;
  mergeKey?: string;
}

/** Patch metadata of the field at `path`, or undefined when it has none (lists are then replaced). */
export type PatchSchema = (path: readonly string[]) => FieldPatchMeta | undefined;

/** Patch metadata keyed by dotted field path ("spec.containers.ports"). */
export type PatchMetaTable = Readonly<Record<string, FieldPatchMeta>>;

export function schemaFromTable(table: PatchMetaTable): PatchSchema {
  return (path) => {
    const key = path.join(".");
    return Object.hasOwn(table, key) ? table[key] : undefined;
  };
}

/** The strategy without `retainKeys`, which changes nothing on the server side. */
export function effectiveStrategy(meta: FieldPatchMeta | undefined): "merge" | "replace" | "" {
  switch (meta?.strategy) {
    case "merge":
    case "merge,retainKeys":
      return "merge";
    case "replace":
      return "replace";
    default:
      return "";
  }
}

/**
 * No API type declares patch metadata this deep; beyond it lookups stop, so a hostile,
 * deeply nested patch does not cost a path copy per level.
 */
const MAX_SCHEMA_DEPTH = 64;

/** Walks the schema as the merge descends into objects. */
export class SchemaCursor {
  constructor(
    private readonly schema: PatchSchema | undefined,
    readonly path: readonly string[] = [],
  ) {}

  meta(field: string): FieldPatchMeta | undefined {
    return this.schema?.([...this.path, field]);
  }

  child(field: string): SchemaCursor {
    if (!this.schema || this.path.length >= MAX_SCHEMA_DEPTH) return new SchemaCursor(undefined, this.path);
    return new SchemaCursor(this.schema, [...this.path, field]);
  }
}
