/** URL paths and query strings of the Kubernetes REST API, as client-go builds them. */
import type { ListOptions, ResourceRef, WatchOptions } from "../types.ts";

/** /api/v1 for the core group, /apis/<group>/<version> otherwise. */
export function groupVersionPath(ref: Pick<ResourceRef, "group" | "version">): string {
  return ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
}

/** The collection: namespaced when `namespace` is set, else cluster-wide (or a cluster-scoped resource). */
export function collectionPath(ref: ResourceRef, namespace: string): string {
  const base = groupVersionPath(ref);
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${ref.resource}` : `${base}/${ref.resource}`;
}

export function objectPath(ref: ResourceRef, namespace: string, name: string, subresource?: string): string {
  const path = `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

/** Appends the options that are set, in a stable order. */
export function withQuery(path: string, params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

export function listQuery(opts: ListOptions): Record<string, string | number | undefined> {
  return { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion };
}

/** client-go ends each watch after a random 5 to 10 minutes, so load spreads and dead streams are noticed. */
export function watchQuery(opts: WatchOptions, timeoutSeconds: number): Record<string, string | number | boolean | undefined> {
  return {
    watch: 1,
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    resourceVersion: opts.resourceVersion,
    allowWatchBookmarks: opts.allowBookmarks ? true : undefined,
    timeoutSeconds,
  };
}
