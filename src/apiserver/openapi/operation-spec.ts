/**
 * The vocabulary of operations, shared by the path builders (operations.ts,
 * subresource-operations.ts) and the renderers (v2.ts, v3.ts).
 */
import type { GroupVersionKind } from "../api/types.ts";
import type { ResourceDefinition, Verb } from "../registry/definition.ts";
import type { ParamName } from "./parameters.ts";

export const STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
export const DELETE_OPTIONS = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
export const PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
export const WATCH_EVENT = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";

export type Method = "get" | "post" | "put" | "patch" | "delete";
export type Action = "get" | "list" | "watch" | "watchlist" | "post" | "put" | "patch" | "delete" | "deletecollection" | "connect";

/** What a response or request body is: a definition, or plain text (pods/log). */
export type Payload = { definition: string } | { text: true };

export interface OperationSpec {
  method: Method;
  action: Action;
  operationId: string;
  description: string;
  gvk: GroupVersionKind;
  params: ParamName[];
  body?: string;
  /** PATCH bodies: whether strategic merge patch is offered (built-in kinds only, as upstream). */
  strategicMerge?: boolean;
  /** Status code -> payload. */
  responses: Record<string, Payload>;
  /** Streams (watch) are served with ;stream=watch media types. */
  stream?: boolean;
}

export interface PathSpec {
  path: string;
  /** Operation tag of the resource's group-version ("core_v1"). */
  tag: string;
  /** Path-level parameters (path segments, and pretty). */
  params: ParamName[];
  operations: OperationSpec[];
}

/** The definitions a resource's operations name, resolved by the caller. */
export interface KindNames {
  object: string | undefined;
  list: string | undefined;
  /** Whether the kind is built in (offers strategic merge patch). */
  builtin: boolean;
  /** The definition of another kind (subresource bodies: Eviction, Binding, TokenRequest). */
  definitionOf(gvk: GroupVersionKind): string | undefined;
}

/** What the subresource paths of a resource share with its main paths. */
export interface ResourceContext {
  def: ResourceDefinition;
  names: KindNames;
  /** Operation id infix: "CoreV1", "AppsV1". */
  id: string;
  tag: string;
  /** "NamespacedPod" or "Node". */
  scoped: string;
  /** The item path: /api/v1/namespaces/{namespace}/pods/{name}. */
  item: string;
  scopeParams: ParamName[];
  verbs: Set<Verb>;
}
