/** POST (create) and PUT (update, including /status). */
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { decodeRequestObject } from "../body.ts";
import { methodNotAllowed, objectResponse } from "../respond.ts";
import { isDryRun, readBody } from "./call.ts";

export async function handleCreate(call: Call): Promise<Response> {
  // POST to an object's own path: upstream has no such route.
  if (call.info.name) throw methodNotAllowed();
  // Options are checked before the body is read, as upstream does.
  const dryRun = isDryRun(call);
  const { obj, warnings } = decodeRequestObject(call, await readBody(call.req), call.openapi);
  const created = await call.store.create(call.info.namespace, obj, call.ctx, { dryRun });
  return objectResponse(created, { ...call.rep, warnings }, 201);
}

export async function handleUpdate(call: Call): Promise<Response> {
  const sub = call.info.subresource;
  if (sub && sub !== "status") throw errors.notFound({ resource: `${call.info.resource}/${sub}` });
  if (sub === "status" && !call.store.def.statusSubresource) throw errors.notFound({ resource: `${call.info.resource}/status` });
  const dryRun = isDryRun(call);
  const { obj, warnings } = decodeRequestObject(call, await readBody(call.req), call.openapi);
  // Upstream's checkName: the body names the object of the URL; leaving the name out is a mismatch too.
  const bodyName = obj.metadata?.name ?? "";
  if (bodyName !== call.info.name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${call.info.name})`);
  const { object, created } = await call.store.update(call.info.namespace, call.info.name, obj, call.ctx, {
    dryRun,
    subresource: sub === "status" ? "status" : undefined,
  });
  return objectResponse(object, { ...call.rep, warnings }, created ? 201 : 200);
}
