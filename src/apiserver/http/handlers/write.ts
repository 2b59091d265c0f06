/** POST (create) and PUT (update, including /status). */
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { decodeRequestObject } from "../body.ts";
import { objectResponse } from "../respond.ts";
import { isDryRun, readBody } from "./call.ts";

export async function handleCreate(call: Call): Promise<Response> {
  if (call.info.name) throw errors.methodNotSupported(call.store.target(), "create");
  const { obj, warnings } = decodeRequestObject(call, await readBody(call.req), call.openapi);
  const created = await call.store.create(call.info.namespace, obj, call.ctx, { dryRun: isDryRun(call.query) });
  return objectResponse(created, { ...call.rep, warnings }, 201);
}

export async function handleUpdate(call: Call): Promise<Response> {
  const sub = call.info.subresource;
  if (sub && sub !== "status") throw errors.notFound({ resource: `${call.info.resource}/${sub}` });
  if (sub === "status" && !call.store.def.statusSubresource) throw errors.notFound({ resource: `${call.info.resource}/status` });
  const { obj, warnings } = decodeRequestObject(call, await readBody(call.req), call.openapi);
  const { object, created } = await call.store.update(call.info.namespace, call.info.name, obj, call.ctx, {
    dryRun: isDryRun(call.query),
    subresource: sub === "status" ? "status" : undefined,
  });
  return objectResponse(object, { ...call.rep, warnings }, created ? 201 : 200);
}
