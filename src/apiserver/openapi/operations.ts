/**
 * The REST operations a served resource offers, in a form both document flavours render
 * (v2.ts, v3.ts): paths, HTTP methods, upstream's x-kubernetes-action values and operation ids,
 * parameters, and the definitions of bodies and responses.
 */
import type { GroupVersionKind } from "../api/types.ts";
import { ALL_VERBS, type ResourceDefinition, type Verb } from "../registry/definition.ts";
import { DELETE_OPTIONS, PATCH, STATUS, WATCH_EVENT, type Action, type KindNames, type OperationSpec, type PathSpec, type Payload, type ResourceContext } from "./operation-spec.ts";
import { extraSubresourcePaths, scalePath, statusPath } from "./subresource-operations.ts";
import {
  DELETE_COLLECTION_PARAMS,
  DELETE_PARAMS,
  LIST_PARAMS,
  PATCH_PARAMS,
  WRITE_PARAMS,
  type ParamName,
} from "./parameters.ts";

/** "rbac.authorization.k8s.io" -> "RbacAuthorization", "" -> "Core", "stable.example.com" -> "StableExampleCom". */
export function groupIdPrefix(group: string): string {
  if (group === "") return "Core";
  const trimmed = group.endsWith(".k8s.io") ? group.slice(0, -".k8s.io".length) : group;
  return trimmed
    .split(/[.-]/)
    .filter(Boolean)
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join("");
}

/** Operation tag, as upstream groups operations: "core_v1", "rbacAuthorization_v1". */
export function tagOf(group: string, version: string): string {
  const prefix = groupIdPrefix(group);
  return `${prefix[0]!.toLowerCase()}${prefix.slice(1)}_${version}`;
}

/** "api/v1" or "apis/<group>/<version>": the key of a group-version in /openapi/v3. */
export function groupVersionPath(group: string, version: string): string {
  return group === "" ? `api/${version}` : `apis/${group}/${version}`;
}

export function resourcePaths(def: ResourceDefinition, names: KindNames): PathSpec[] {
  const verbs = new Set<Verb>(def.verbs ?? ALL_VERBS);
  const gvk: GroupVersionKind = { group: def.group, version: def.version, kind: def.kind };
  const id = `${groupIdPrefix(def.group)}${def.version[0]!.toUpperCase()}${def.version.slice(1)}`;
  const scoped = def.namespaced ? `Namespaced${def.kind}` : def.kind;
  const root = `/${groupVersionPath(def.group, def.version)}`;
  const tag = tagOf(def.group, def.version);
  const nsPrefix = def.namespaced ? `${root}/namespaces/{namespace}` : root;
  const collection = `${nsPrefix}/${def.plural}`;
  const item = `${collection}/{name}`;
  const scopeParams: ParamName[] = def.namespaced ? ["namespace"] : [];
  const object: Payload | undefined = names.object ? { definition: names.object } : undefined;
  const list: Payload | undefined = names.list ? { definition: names.list } : undefined;
  const status: Payload = { definition: STATUS };
  const watchEvent: Payload = { definition: WATCH_EVENT };
  const withObject = (codes: string[]): Record<string, Payload> => (object ? Object.fromEntries(codes.map((c) => [c, object])) : {});
  const paths: PathSpec[] = [];

  const collectionOps: OperationSpec[] = [];
  if (verbs.has("list")) {
    collectionOps.push({ method: "get", action: "list", operationId: `list${id}${scoped}`, description: `List or watch ${def.kind} objects.`, gvk, params: LIST_PARAMS, responses: list ? { "200": list } : {}, stream: true });
  }
  if (verbs.has("create")) {
    collectionOps.push({ method: "post", action: "post", operationId: `create${id}${scoped}`, description: `Create a ${def.kind}.`, gvk, params: WRITE_PARAMS, body: names.object, responses: withObject(["200", "201", "202"]) });
  }
  if (verbs.has("deletecollection")) {
    collectionOps.push({ method: "delete", action: "deletecollection", operationId: `delete${id}Collection${scoped}`, description: `Delete a collection of ${def.kind} objects.`, gvk, params: DELETE_COLLECTION_PARAMS, body: DELETE_OPTIONS, responses: { "200": status } });
  }
  if (collectionOps.length > 0) paths.push({ path: collection, tag, params: [...scopeParams, "pretty"], operations: collectionOps });

  const itemOps: OperationSpec[] = [];
  if (verbs.has("get")) itemOps.push({ method: "get", action: "get", operationId: `read${id}${scoped}`, description: `Read the named ${def.kind}.`, gvk, params: [], responses: withObject(["200"]) });
  if (verbs.has("update")) {
    itemOps.push({ method: "put", action: "put", operationId: `replace${id}${scoped}`, description: `Replace the named ${def.kind}.`, gvk, params: WRITE_PARAMS, body: names.object, responses: withObject(["200", "201"]) });
  }
  if (verbs.has("patch")) {
    itemOps.push({ method: "patch", action: "patch", operationId: `patch${id}${scoped}`, description: `Partially update the named ${def.kind}.`, gvk, params: PATCH_PARAMS, body: PATCH, strategicMerge: names.builtin, responses: withObject(["200", "201"]) });
  }
  if (verbs.has("delete")) {
    const deleted = object ? { "200": object, "202": object } : { "200": status, "202": status };
    itemOps.push({ method: "delete", action: "delete", operationId: `delete${id}${scoped}`, description: `Delete the named ${def.kind}.`, gvk, params: DELETE_PARAMS, body: DELETE_OPTIONS, responses: deleted });
  }
  if (itemOps.length > 0) paths.push({ path: item, tag, params: [...scopeParams, "name", "pretty"], operations: itemOps });

  if (def.namespaced && verbs.has("list")) {
    paths.push({
      path: `${root}/${def.plural}`,
      tag,
      params: [...LIST_PARAMS, "pretty"],
      operations: [{ method: "get", action: "list", operationId: `list${id}${def.kind}ForAllNamespaces`, description: `List or watch ${def.kind} objects in all namespaces.`, gvk, params: [], responses: list ? { "200": list } : {}, stream: true }],
    });
  }

  // The watch paths are deprecated upstream (clients use ?watch=true) but still served and documented.
  if (verbs.has("watch")) {
    const watchRoot = def.namespaced ? `${root}/watch/namespaces/{namespace}/${def.plural}` : `${root}/watch/${def.plural}`;
    const watch = (path: string, params: ParamName[], action: Action, operationId: string, description: string): PathSpec => ({
      path,
      tag,
      params: [...params, ...LIST_PARAMS, "pretty"],
      operations: [{ method: "get", action, operationId, description, gvk, params: [], responses: { "200": watchEvent }, stream: true }],
    });
    paths.push(watch(watchRoot, scopeParams, "watchlist", `watch${id}${scoped}List`, `Watch ${def.kind} objects (deprecated: use list with ?watch=true).`));
    paths.push(watch(`${watchRoot}/{name}`, [...scopeParams, "name"], "watch", `watch${id}${scoped}`, `Watch the named ${def.kind} (deprecated: use list with ?watch=true and a fieldSelector).`));
    if (def.namespaced) {
      paths.push(watch(`${root}/watch/${def.plural}`, [], "watchlist", `watch${id}${def.kind}ListForAllNamespaces`, `Watch ${def.kind} objects in all namespaces (deprecated: use list with ?watch=true).`));
    }
  }

  const context: ResourceContext = { def, names, id, tag, scoped, item, scopeParams, verbs };
  if (def.statusSubresource) paths.push(statusPath(context));
  if (def.scale) paths.push(scalePath(context));
  for (const sub of def.extraSubresources ?? []) paths.push(...extraSubresourcePaths(context, sub));
  return paths;
}
