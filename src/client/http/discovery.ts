/** Reads aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) into ServedResources. */
import type { ServedResource } from "../types.ts";

export interface AggregatedDiscovery {
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{ resource: string; responseKind?: { kind?: string }; scope?: string; verbs?: string[] }>;
    }>;
  }>;
}

export function discoveredResources(doc: AggregatedDiscovery): ServedResource[] {
  const out: ServedResource[] = [];
  for (const group of doc.items ?? []) {
    for (const v of group.versions ?? []) {
      for (const r of v.resources ?? []) {
        out.push({ group: group.metadata?.name ?? "", version: v.version, resource: r.resource, kind: r.responseKind?.kind ?? "", namespaced: r.scope === "Namespaced", verbs: r.verbs ?? [] });
      }
    }
  }
  return out;
}
