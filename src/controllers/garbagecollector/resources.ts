/**
 * Which resources the garbage collector follows, and how it finds an object's resource from an
 * owner reference's apiVersion and kind (upstream uses discovery and a REST mapper). Like
 * upstream's GetDeletableResources, it follows one version per group and resource (the one
 * discovery prefers) of everything that can be listed, watched and deleted, except events.
 */
import type { ServedResource } from "../../client/index.ts";
import { apiVersionOf, parseApiVersion } from "../../apiserver/api/types.ts";
import { groupResource, preferredResources } from "../preferred-resources.ts";

/** Upstream's default ignored resources: events own nothing and are many. */
export const IGNORED_RESOURCES = ["/events", "events.k8s.io/events"];

const REQUIRED_VERBS = ["delete", "list", "watch"];

/** The preferred version of every deletable, listable, watchable resource not ignored. */
export function deletableResources(served: ServedResource[], ignored: readonly string[] = IGNORED_RESOURCES): ServedResource[] {
  const skip = new Set(ignored);
  return preferredResources(served).filter((r) => !skip.has(groupResource(r)) && REQUIRED_VERBS.every((v) => r.verbs.includes(v)));
}

/** Looks up the served resource of an apiVersion and kind (the exact version, as upstream's REST mapping does). */
export class ResourceMapper {
  private byKind = new Map<string, ServedResource>();

  update(served: ServedResource[]): void {
    const next = new Map<string, ServedResource>();
    for (const r of served) {
      // Subresources are not listed by the client; a kind may still be served by several
      // resources of a group-version (rare): the first one wins, as upstream's mapper's does.
      const key = `${apiVersionOf(r)}|${r.kind}`;
      if (!next.has(key)) next.set(key, r);
    }
    this.byKind = next;
  }

  resourceFor(apiVersion: string, kind: string): ServedResource | undefined {
    const { group, version } = parseApiVersion(apiVersion);
    return this.byKind.get(`${apiVersionOf({ group, version })}|${kind}`);
  }
}
