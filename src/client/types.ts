/**
 * The client contract every controller and agent component programs against. The API server
 * provides an in-process implementation (no serialization, same admission and validation); an
 * HTTPS implementation serves processes on other machines. Errors are the API server's ApiError
 * (`code` 404, 409, ...), whichever implementation answers.
 */
import type { KubeList, KubeObject } from "../apiserver/api/types.ts";

/** A resource by API group, version and plural name ("" is the core group). */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Changes after this revision; "" or "0" starts with ADDED events for what exists. */
  resourceVersion?: string;
  allowBookmarks?: boolean;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = "application/merge-patch+json" | "application/json-patch+json" | "application/strategic-merge-patch+json";

export interface Client {
  get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject>;
  list(ref: ResourceRef, namespace: string, opts?: ListOptions): Promise<KubeList>;
  /** Ends when `signal` aborts or the server ends the watch; an ERROR event carries a Status (410: re-list). */
  watch(ref: ResourceRef, namespace: string, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent>;
  create(ref: ResourceRef, namespace: string, obj: KubeObject): Promise<KubeObject>;
  /** `subresource`: "status", or another the type serves with an update (namespaces' "finalize"). */
  update(ref: ResourceRef, namespace: string, obj: KubeObject, opts?: { subresource?: string }): Promise<KubeObject>;
  patch(ref: ResourceRef, namespace: string, name: string, type: PatchType, patch: unknown, opts?: { subresource?: "status" }): Promise<KubeObject>;
  /** Returns the object as deleted, or as it now stands when deletion waits on finalizers. */
  delete(ref: ResourceRef, namespace: string, name: string, opts?: DeleteOptions): Promise<KubeObject>;
  /** The resources the server serves now (controllers that cover every type, like the garbage collector, follow it). */
  resources(): Promise<ServedResource[]>;
}

export interface ServedResource extends ResourceRef {
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}/${ref.resource}`;
}

/** "namespace/name", or "name" for cluster-scoped objects: the key of caches and work queues. */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : (obj.metadata?.name ?? "");
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
