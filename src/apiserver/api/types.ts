/**
 * API object types as they travel on the wire. The shapes come from @kubernetes/client-node's
 * generated models; `Wire<T>` turns their `Date` fields into the RFC 3339 strings that JSON
 * actually carries, so handlers can use the official types on parsed JSON without casts.
 */
import type { KubernetesObject, V1ListMeta, V1ObjectMeta } from "@kubernetes/client-node";

export type Wire<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<Wire<U>>
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type ObjectMeta = Wire<V1ObjectMeta>;
/** client-node names the `continue` field `_continue` (a reserved word in its generator); the wire says `continue`. */
export type ListMeta = Omit<Wire<V1ListMeta>, "_continue"> & { continue?: string };

/** Any API object: apiVersion, kind, metadata, and whatever else its type carries. */
export interface KubeObject extends Wire<KubernetesObject> {
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** Group, version and kind of a type; the core group is "". */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export function apiVersionOf(gv: { group: string; version: string }): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * A typed view of the object a strategy hook receives (no copy, no conversion): the resources'
 * wire types (Wire<V1Pod>, …) are what the stored JSON is.
 */
export function view<T>(obj: KubeObject): T {
  return obj as unknown as T;
}
