/**
 * Routes a resource request (/api/v1/..., /apis/<g>/<v>/...) to its verb handler: finds the
 * resource in the registry, checks the verb and scope, authorizes, and turns any failure into a
 * Status response.
 */
import type { ExtraSubresource, RequestContext, RequestScope, SubresourceRequest, UserInfo } from "../registry/definition.ts";
import type { Registry } from "../registry/registry.ts";
import type { Authorizer } from "./authz.ts";
import type { OpenApi } from "../openapi/index.ts";
import type { ResourceRequest } from "./request-info.ts";
import { errors } from "../api/errors.ts";
import { authorizeRequest, resourceAttributes } from "./authz.ts";
import { type Call, makeCall } from "./handlers/call.ts";
import { handleDelete, handleDeleteCollection } from "./handlers/delete.ts";
import { handlePatch } from "./handlers/patch.ts";
import { handleGet, handleList } from "./handlers/read.ts";
import { getScale, putScale } from "./handlers/scale.ts";
import { handleWatch } from "./handlers/watch.ts";
import { handleCreate, handleUpdate } from "./handlers/write.ts";
import { errorResponse, methodNotAllowed, objectResponse, routeNotFound } from "./respond.ts";
import type { KubeObject } from "../api/types.ts";
import { apiVersionOf } from "../api/types.ts";
import { decodeObject as decodeProtobuf } from "../protobuf/index.ts";
import { decodeObject, parseMediaRanges, PROTOBUF_TYPE } from "./negotiate.ts";
import { isDryRun, readBody } from "./handlers/call.ts";
import { managerOrUserAgent } from "../apply/manager/manager-name.ts";
import { applyPatch } from "../patch/index.ts";

/** A handler for a named subresource (pods/log, pods/exec, ...), registered by the component that serves it. */
export type SubresourceHandler = (call: Call) => Promise<Response> | Response;

export interface ResourceHandlerDeps {
  registry: Registry;
  openapi?: OpenApi;
  authorizer: Authorizer;
  subresources?: Map<string, SubresourceHandler>;
}

/** A subresource's request body: JSON, YAML, or protobuf (typed clients send `certificate approve`'s CSR so). */
async function subresourceBody(call: Call, extra: ExtraSubresource): Promise<KubeObject> {
  const contentType = call.req.headers.get("content-type");
  const bytes = await readBody(call.req);
  if (parseMediaRanges(contentType)[0]?.type !== PROTOBUF_TYPE) return decodeObject(contentType, bytes);
  const group = extra.group ?? call.store.def.group;
  const version = extra.version ?? call.store.def.version;
  return decodeProtobuf(bytes, { apiVersion: apiVersionOf({ group, version }), kind: extra.kind });
}

/** Runs a definition's own subresource handler for the request's verb, if it has one. */
async function serveExtraSubresource(call: Call, extra: ExtraSubresource): Promise<Response | undefined> {
  const req: SubresourceRequest = { store: call.store, namespace: call.info.namespace, name: call.info.name, ctx: call.ctx, dryRun: isDryRun(call), resources: call.registry };
  const rep = { ...call.rep, def: { ...call.rep.def, printerColumns: undefined } };
  if (call.info.verb === "create" && extra.create) {
    const { object, code } = await extra.create(req, await subresourceBody(call, extra));
    return objectResponse(object, rep, code ?? 201);
  }
  if (call.info.verb === "update" && extra.update) {
    return objectResponse(await extra.update(req, await subresourceBody(call, extra)), rep);
  }
  if (call.info.verb === "get" && extra.get) return objectResponse(await extra.get(req), rep);
  if (call.info.verb === "patch" && extra.patch) {
    const contentType = call.req.headers.get("content-type") ?? undefined;
    const body = await readBody(call.req);
    const target = { group: extra.group ?? call.store.def.group, kind: extra.kind };
    return objectResponse(await extra.patch(req, (current) => applyPatch(contentType, current, body, target) as KubeObject), rep);
  }
  return undefined;
}

/** A fresh request scope (warnings, audit annotations) for a request that comes without one. */
export function newRequestScope(req: Request): RequestScope {
  return { warnings: [], auditAnnotations: {}, userAgent: req.headers.get("user-agent") ?? undefined };
}

export async function handleResourceRequest(req: Request, url: URL, info: ResourceRequest, user: UserInfo, deps: ResourceHandlerDeps, scope: RequestScope = newRequestScope(req)): Promise<Response> {
  return withWarnings(await serveResourceRequest(req, url, info, user, deps, scope), scope.warnings);
}

/** Admission's warnings go out with the answer, refusals included, as upstream's warning recorder does. */
function withWarnings(res: Response, warnings: string[]): Response {
  if (warnings.length === 0) return res;
  const present = res.headers.get("Warning") ?? "";
  for (const w of new Set(warnings)) {
    const header = `299 - ${JSON.stringify(w)}`;
    if (!present.includes(header)) res.headers.append("Warning", header);
  }
  return res;
}

async function serveResourceRequest(req: Request, url: URL, info: ResourceRequest, user: UserInfo, deps: ResourceHandlerDeps, scope: RequestScope): Promise<Response> {
  try {
    const store = deps.registry.lookup(info.group, info.version, info.resource);
    if (!store) throw routeNotFound();
    const def = store.def;
    if (!def.namespaced && info.namespace) throw routeNotFound();
    // A namespaced type's cluster-wide path only lists and watches; upstream has no route for
    // anything else there (405 on the collection path, 404 below it).
    if (def.namespaced && !info.namespace && !["list", "watch"].includes(info.verb)) throw info.name ? routeNotFound() : methodNotAllowed();
    const allowedVerbs = def.verbs;
    if (!info.subresource && allowedVerbs && !allowedVerbs.includes(info.verb)) throw methodNotAllowed();

    await authorizeRequest(deps.authorizer, resourceAttributes(user, info, url.searchParams), scope, info);
    const fieldManager = managerOrUserAgent(url.searchParams.get("fieldManager"), req.headers.get("user-agent"));
    // dryRun's values are checked by each verb's handler, at the point upstream checks them.
    const dryRun = url.searchParams.getAll("dryRun").length > 0;
    const ctx: RequestContext = { user, namespace: info.namespace, dryRun, fieldManager, now: Date.now(), scope };
    const call = makeCall(req, url, info, store, deps.registry, ctx, deps.openapi);
    if (info.subresource) return await dispatchSubresource(call, deps);
    return await dispatch(call);
  } catch (err) {
    return errorResponse(err);
  }
}

async function dispatch(call: Call): Promise<Response> {
  switch (call.info.verb) {
    case "get":
      return handleGet(call);
    case "list":
      return handleList(call);
    case "watch":
      return handleWatch(call);
    case "create":
      return handleCreate(call);
    case "update":
      return handleUpdate(call);
    case "patch":
      return handlePatch(call);
    case "delete":
      return handleDelete(call);
    case "deletecollection":
      return handleDeleteCollection(call);
  }
}

async function dispatchSubresource(call: Call, deps: ResourceHandlerDeps): Promise<Response> {
  const { subresource, verb } = call.info;
  const custom = deps.subresources?.get(`${call.info.group}/${call.info.resource}/${subresource}`);
  if (custom) return custom(call);
  if (subresource === "status" && call.store.def.statusSubresource) {
    if (verb === "get") return handleGet(call);
    if (verb === "update") return handleUpdate(call);
    if (verb === "patch") return handlePatch(call);
  }
  if (subresource === "scale" && call.store.def.scale) {
    if (verb === "get") return getScale(call);
    if (verb === "update") return putScale(call);
    if (verb === "patch") return handlePatch(call);
  }
  const def = call.store.def;
  const extra = def.extraSubresources?.find((s) => s.name === subresource);
  if (extra) {
    const served = await serveExtraSubresource(call, extra);
    if (served) return served;
  }
  // A subresource the type has, asked for a verb it does not serve, is 405; an unknown one is 404.
  const known = (subresource === "status" && def.statusSubresource) || (subresource === "scale" && def.scale) || def.extraSubresources?.some((s) => s.name === subresource);
  throw known ? methodNotAllowed() : routeNotFound();
}
