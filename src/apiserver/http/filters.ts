/**
 * Label and field selectors of a list or watch, turned into the store's object filter. Field
 * selectors are checked against the fields the type supports (400 otherwise, as upstream); an
 * exact `metadata.name=x` narrows the read to one key.
 */
import type { KubeObject } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import type { ObjectFilter } from "../registry/store.ts";
import { parseFieldSelector, parseLabelSelector } from "../selectors/index.ts";

export interface Filters {
  filter?: ObjectFilter;
  name?: string;
}

/** The field selector value of a field of an object, for the generic and the type's own fields. */
function fieldGetter(def: ResourceDefinition, obj: KubeObject): (field: string) => string | undefined {
  return (field) => {
    if (field === "metadata.name") return obj.metadata?.name ?? "";
    if (field === "metadata.namespace") return obj.metadata?.namespace ?? "";
    return def.fieldSelectors?.[field]?.(obj) ?? "";
  };
}

/** Filters from a request's labelSelector and fieldSelector query parameters. */
export function buildFilters(def: ResourceDefinition, query: URLSearchParams): Filters {
  return filtersFor(def, query.get("labelSelector") ?? "", query.get("fieldSelector") ?? "");
}

/** Filters from selector texts, as a list or watch of `def` takes them. */
export function filtersFor(def: ResourceDefinition, labelText: string, fieldText: string): Filters {
  const labels = labelText ? parseLabelSelector(labelText) : undefined;
  const fields = fieldText ? parseFieldSelector(fieldText) : undefined;
  if (fields) fields.checkSupported(new Set(["metadata.name", "metadata.namespace", ...Object.keys(def.fieldSelectors ?? {})]));
  const name = fields?.exactMatch("metadata.name");
  if (!labels && !fields) return {};
  const filter: ObjectFilter = (obj) =>
    (!labels || labels.matches(obj.metadata?.labels ?? {})) && (!fields || fields.matches(fieldGetter(def, obj)));
  return name !== undefined ? { filter, name } : { filter };
}
