/**
 * One version per group and resource, the one discovery prefers (upstream controllers read
 * ServerPreferredResources): objects served at several versions are the same objects, and a
 * controller must see each once.
 */
import type { ServedResource } from "../client/index.ts";
import { versionPriority } from "../apiserver/http/discovery.ts";

export function groupResource(r: { group: string; resource: string }): string {
  return `${r.group}/${r.resource}`;
}

export function preferredResources(served: readonly ServedResource[]): ServedResource[] {
  const best = new Map<string, ServedResource>();
  for (const r of served) {
    const key = groupResource(r);
    const held = best.get(key);
    if (!held || versionPriority(r.version, held.version) < 0) best.set(key, r);
  }
  return [...best.values()];
}
