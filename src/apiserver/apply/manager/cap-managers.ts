/**
 * Keeps the number of Update entries bounded, as upstream does: past the limit, the oldest
 * updaters are folded, per API version, into one "ancient-changes" entry, so an object written
 * by many controllers over its life does not grow without end. Appliers are never folded.
 */
import { compareStrings } from "../fieldpath/json-order.ts";
import { entrySeconds, managerKey, type Managed } from "./managed-fields.ts";

/** Upstream's DefaultMaxUpdateManagers. */
export const MAX_UPDATE_MANAGERS = 10;

export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managed.keys()].filter((k) => managed.get(k)!.identity.operation === "Update");
  if (updaters.length <= max) return;
  updaters.sort((a, b) => {
    const sa = entrySeconds(managed.get(a)!.time);
    const sb = entrySeconds(managed.get(b)!.time);
    return sa !== sb ? (sa < sb ? -1 : 1) : compareStrings(a, b);
  });
  // The first (oldest) updater of each version becomes the bucket once a second one joins it.
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const key of updaters) {
    if (count <= max) break;
    const entry = managed.get(key)!;
    const version = entry.apiVersion;
    const first = firstOfVersion.get(version);
    if (first === undefined) {
      firstOfVersion.set(version, key);
      continue;
    }
    const identity = { manager: "ancient-changes", operation: "Update" as const, apiVersion: version, subresource: "" };
    const bucketKey = managerKey(identity);
    let bucket = managed.get(bucketKey);
    if (!bucket) {
      const moved = managed.get(first)!;
      managed.delete(first);
      bucket = { ...moved, identity };
    }
    managed.delete(key);
    managed.set(bucketKey, { ...bucket, set: entry.set.union(bucket.set), time: entry.time });
    count--;
  }
}
