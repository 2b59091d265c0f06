/**
 * Table columns of a custom resource version, as upstream's CRD table convertor builds them:
 * NAME first, then each additionalPrinterColumn evaluated with client-go's JSONPath (missing
 * keys allowed; the first result only). A version without columns gets AGE, as upstream serves
 * it (the v1 API no longer defaults the column into the CRD). CRD validation only checks that a
 * path starts with a dot; when one then fails to parse, upstream keeps the columns before it and
 * drops it and the rest, and so does this.
 */
import type { KubeObject } from "../api/types.ts";
import type { PrinterColumn } from "../registry/definition.ts";
import type { CustomResourceColumnDefinition } from "./types.ts";
import { ageColumn, humanDuration, nameColumn } from "../resources/printing.ts";
import { findResults, type Json } from "./jsonpath/evaluate.ts";
import { parseTemplate } from "./jsonpath/parse.ts";
import { printResult } from "./jsonpath/print.ts";

const CREATION_TIMESTAMP_DESCRIPTION = ageColumn.description;

const DEFAULT_AGE: CustomResourceColumnDefinition = {
  name: "Age",
  type: "date",
  description: CREATION_TIMESTAMP_DESCRIPTION,
  jsonPath: ".metadata.creationTimestamp",
};

export function printerColumns(defs: CustomResourceColumnDefinition[] | undefined): PrinterColumn[] {
  const wanted = defs?.length ? defs : [DEFAULT_AGE];
  const columns = [nameColumn];
  for (const def of wanted) {
    try {
      columns.push(column(def));
    } catch {
      break;
    }
  }
  return columns;
}

type ColumnType = PrinterColumn["type"];

function column(def: CustomResourceColumnDefinition): PrinterColumn {
  const template = parseTemplate(`{${def.jsonPath}}`);
  const type = def.type as ColumnType;
  return {
    name: def.name,
    type,
    format: def.format ?? "",
    description: def.description || `Custom resource definition column (in JSONPath format): ${def.jsonPath}`,
    priority: def.priority ?? 0,
    cell(obj: KubeObject, now: number): unknown {
      let value: Json;
      try {
        const results = findResults(template, obj);
        const first = results[0];
        if (!first || first.length === 0) return undefined;
        value = first[0]!;
      } catch {
        return undefined;
      }
      return type === "string" ? printResult(value) : typedCell(type, value, now);
    },
  };
}

/** A cell of a non-string column: the value when it has the column's type, else empty. */
export function typedCell(type: ColumnType, value: Json, now: number): unknown {
  if (value === null) return undefined;
  switch (type) {
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : undefined;
    case "number":
      return typeof value === "number" ? value : undefined;
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "date":
      return typeof value === "string" ? dateCell(value, now) : undefined;
    default:
      return undefined;
  }
}

/** Go's zero time.Time, which upstream prints as unknown. */
const GO_ZERO_TIME = Date.parse("0001-01-01T00:00:00Z");
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A timestamp as an age ("5m"); "" is unknown, anything not RFC 3339 is invalid. */
function dateCell(text: string, now: number): string {
  if (text === "" || text === "null") return "<unknown>";
  const t = RFC3339.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) return "<invalid>";
  if (t === GO_ZERO_TIME) return "<unknown>";
  return humanDuration(now - t);
}
