/**
 * Operations of subresources: /status and /scale (the verbs of the resource, on its own kind or
 * on autoscaling/v1 Scale), and the handler-served ones a definition lists (pods/log, pods/exec,
 * pods/eviction, serviceaccounts/token, namespaces/finalize, .../proxy, ...).
 */
import type { GroupVersionKind } from "../api/types.ts";
import type { ResourceDefinition, Verb } from "../registry/definition.ts";
import { PATCH, STATUS, type Action, type Method, type OperationSpec, type PathSpec, type Payload, type ResourceContext } from "./operation-spec.ts";
import { PATCH_PARAMS, WRITE_PARAMS } from "./parameters.ts";

export const SCALE = "io.k8s.api.autoscaling.v1.Scale";
const SCALE_GVK: GroupVersionKind = { group: "autoscaling", version: "v1", kind: "Scale" };

/** Streams: upgraded connections (action "connect") and pods/log, which answer text, not objects. */
const CONNECT_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy"]);
const TEXT_SUBRESOURCES = new Set([...CONNECT_SUBRESOURCES, "log"]);

type SubresourceVerb = Extract<Verb, "get" | "create" | "update" | "patch" | "delete">;

const VERB_SHAPE: Record<SubresourceVerb, { method: Method; action: Action; idVerb: string; connectIdVerb: string; does: string }> = {
  get: { method: "get", action: "get", idVerb: "read", connectIdVerb: "connectGet", does: "Read" },
  create: { method: "post", action: "post", idVerb: "create", connectIdVerb: "connectPost", does: "Create" },
  update: { method: "put", action: "put", idVerb: "replace", connectIdVerb: "connectPut", does: "Replace" },
  patch: { method: "patch", action: "patch", idVerb: "patch", connectIdVerb: "connectPatch", does: "Partially update" },
  delete: { method: "delete", action: "delete", idVerb: "delete", connectIdVerb: "connectDelete", does: "Delete" },
};

const capitalised = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** get/update/patch of a subresource whose body is an object (`definition`). */
function objectSubresource(c: ResourceContext, name: string, gvk: GroupVersionKind, definition: string | undefined, builtin: boolean, verbs: Verb[]): PathSpec {
  const one: Record<string, Payload> = definition ? { "200": { definition } } : {};
  const written: Record<string, Payload> = definition ? { "200": { definition }, "201": { definition } } : {};
  const created: Record<string, Payload> = definition ? { ...written, "202": { definition } } : {};
  const ops: OperationSpec[] = [];
  for (const verb of ["get", "create", "update", "patch", "delete"] as const) {
    if (!verbs.includes(verb)) continue;
    const shape = VERB_SHAPE[verb];
    const op: OperationSpec = {
      method: shape.method,
      action: shape.action,
      operationId: `${shape.idVerb}${c.id}${c.scoped}${capitalised(name)}`,
      description: `${shape.does} ${name} of the named ${c.def.kind}.`,
      gvk,
      params: [],
      responses: verb === "get" ? one : verb === "create" ? created : verb === "delete" ? { "200": { definition: STATUS } } : written,
    };
    if (verb === "create" || verb === "update") {
      op.params = WRITE_PARAMS;
      op.body = definition;
    } else if (verb === "patch") {
      op.params = PATCH_PARAMS;
      op.body = PATCH;
      op.strategicMerge = builtin;
    }
    ops.push(op);
  }
  return { path: `${c.item}/${name}`, tag: c.tag, params: [...c.scopeParams, "name", "pretty"], operations: ops };
}

const SUBRESOURCE_VERBS = (verbs: Set<Verb>): Verb[] => (["get", "update", "patch"] as const).filter((v) => verbs.has(v));

export function statusPath(c: ResourceContext): PathSpec {
  const gvk = { group: c.def.group, version: c.def.version, kind: c.def.kind };
  return objectSubresource(c, "status", gvk, c.names.object, c.names.builtin, SUBRESOURCE_VERBS(c.verbs));
}

export function scalePath(c: ResourceContext): PathSpec {
  return objectSubresource(c, "scale", SCALE_GVK, SCALE, true, SUBRESOURCE_VERBS(c.verbs));
}

type ExtraSubresource = NonNullable<ResourceDefinition["extraSubresources"]>[number];

export function extraSubresourcePaths(c: ResourceContext, sub: ExtraSubresource): PathSpec[] {
  const gvk: GroupVersionKind = { group: sub.group ?? c.def.group, version: sub.version ?? c.def.version, kind: sub.kind };
  if (!TEXT_SUBRESOURCES.has(sub.name)) {
    const definition = c.names.definitionOf(gvk);
    return [objectSubresource(c, sub.name, gvk, definition, definition !== undefined, sub.verbs)];
  }
  const connect = CONNECT_SUBRESOURCES.has(sub.name);
  const text: Payload = { text: true };
  const ops: OperationSpec[] = [];
  for (const verb of ["get", "create", "update", "patch", "delete"] as const) {
    if (!sub.verbs.includes(verb)) continue;
    const shape = VERB_SHAPE[verb];
    ops.push({
      method: shape.method,
      action: connect ? "connect" : shape.action,
      operationId: `${connect ? shape.connectIdVerb : shape.idVerb}${c.id}${c.scoped}${capitalised(sub.name)}`,
      description: connect ? `Connect ${verb.toUpperCase()} requests to ${sub.name} of the named ${c.def.kind}.` : `${shape.does} ${sub.name} of the named ${c.def.kind}.`,
      gvk,
      params: [],
      responses: { "200": text },
    });
  }
  const paths: PathSpec[] = [{ path: `${c.item}/${sub.name}`, tag: c.tag, params: [...c.scopeParams, "name", "pretty"], operations: ops }];
  // Proxies also forward everything below them.
  if (sub.name === "proxy") paths.push({ path: `${c.item}/proxy/{path}`, tag: c.tag, params: [...c.scopeParams, "name", "path"], operations: ops.map((op) => ({ ...op, operationId: `${op.operationId}WithPath` })) });
  return paths;
}
