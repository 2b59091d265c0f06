/**
 * meta.k8s.io Table output for `kubectl get`: the type's printer columns, one row per object, and
 * each row's object as PartialObjectMetadata (kubectl needs it for -A, --show-labels and -L).
 */
import type { KubeObject, ListMeta } from "../api/types.ts";
import type { PrinterColumn, ResourceDefinition } from "../registry/definition.ts";
import { DEFAULT_COLUMNS } from "../resources/printing.ts";

export type IncludeObject = "None" | "Metadata" | "Object";

export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: Array<Omit<PrinterColumn, "cell">>;
  rows: Array<{ cells: unknown[]; object?: KubeObject }>;
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === "None" || value === "Object" ? value : "Metadata";
}

export function partialMetadata(obj: KubeObject, version = "v1"): KubeObject {
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function toTable(
  def: ResourceDefinition,
  objects: KubeObject[],
  opts: { include: IncludeObject; listMeta?: ListMeta; version?: string; now?: number; noHeaders?: boolean },
): Table {
  const columns = def.printerColumns?.length ? def.printerColumns : DEFAULT_COLUMNS;
  const now = opts.now ?? Date.now();
  const version = opts.version ?? "v1";
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noHeaders ? [] : columns.map(({ name, type, format, description, priority }) => ({ name, type, format, description, priority })),
    rows: objects.map((obj) => {
      const row: Table["rows"][number] = { cells: columns.map((c) => cellOf(c, obj, now)) };
      if (opts.include === "Metadata") row.object = partialMetadata(obj, version);
      else if (opts.include === "Object") row.object = obj;
      return row;
    }),
  };
}

function cellOf(column: PrinterColumn, obj: KubeObject, now: number): unknown {
  try {
    return column.cell(obj, now) ?? null;
  } catch {
    // A printer must never fail a whole list over one odd object.
    return null;
  }
}
