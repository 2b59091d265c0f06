/**
 * Helpers for Table cells, matching upstream's printers (k8s.io/apimachinery duration.HumanDuration
 * and the conventions of pkg/printers/internalversion).
 */
import type { KubeObject } from "../api/types.ts";
import type { PrinterColumn } from "../registry/definition.ts";
import { rfc3339 } from "../registry/object-meta.ts";

/** "5s", "3m2s", "4h5m", "2d3h", "45d", "3y20d" — upstream's HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The AGE cell: time since a timestamp, or "<unknown>". */
export function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return "<unknown>";
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

export const nameColumn: PrinterColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  priority: 0,
  cell: (obj: KubeObject) => obj.metadata?.name ?? "",
};

export const ageColumn: PrinterColumn = {
  name: "Age",
  type: "string",
  format: "",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  priority: 0,
  cell: (obj: KubeObject, now: number) => age(obj.metadata?.creationTimestamp, now),
};

/**
 * CREATED AT of upstream's default table convertor (CRDs, RBAC roles): the creation time as an
 * RFC 3339 date in UTC, second precision; Go's zero time when it is missing.
 */
export const createdAtColumn: PrinterColumn = {
  name: "Created At",
  type: "date",
  format: "",
  description: ageColumn.description,
  priority: 0,
  cell: (obj: KubeObject) => {
    const t = Date.parse(obj.metadata?.creationTimestamp ?? "");
    return Number.isNaN(t) ? "0001-01-01T00:00:00Z" : rfc3339(t);
  },
};

/** A column whose cell reads a typed view of the object. */
export function column<T>(
  name: string,
  description: string,
  cell: (obj: T, now: number) => unknown,
  opts: { type?: PrinterColumn["type"]; priority?: number; format?: string } = {},
): PrinterColumn {
  return {
    name,
    type: opts.type ?? "string",
    format: opts.format ?? "",
    description,
    priority: opts.priority ?? 0,
    cell: (obj: KubeObject, now: number) => cell(obj as unknown as T, now),
  };
}

/** column() with the object's type fixed, for a file whose columns all read one type. */
export function columnsOf<T>(): (name: string, description: string, cell: (obj: T, now: number) => unknown, opts?: Parameters<typeof column>[3]) => PrinterColumn {
  return (name, description, cell, opts) => column<T>(name, description, cell, opts);
}

/** The default columns of a type without printers: NAME and AGE. */
export const DEFAULT_COLUMNS: PrinterColumn[] = [nameColumn, ageColumn];

/** Reads a nested field by path segments, without throwing on missing parents. */
export function pathValue(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
