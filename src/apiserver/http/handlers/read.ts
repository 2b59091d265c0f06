/** GET of one object, and LIST. */
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { buildFilters } from "../filters.ts";
import { listResponse, objectResponse } from "../respond.ts";
import { intParam } from "./call.ts";

export async function handleGet(call: Call): Promise<Response> {
  const obj = await call.store.get(call.info.namespace, call.info.name, call.query.get("resourceVersion") ?? undefined);
  return objectResponse(obj, call.rep);
}

export async function handleList(call: Call): Promise<Response> {
  const q = call.query;
  const match = q.get("resourceVersionMatch");
  if (match && match !== "NotOlderThan" && match !== "Exact") throw errors.badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`);
  if (match && !q.get("resourceVersion")) throw errors.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
  if (q.get("continue") && q.get("resourceVersion") && q.get("resourceVersion") !== "0") {
    throw errors.badRequest("specifying resource version is not allowed when using continue");
  }
  const limit = intParam(q, "limit");
  const list = await call.store.list(call.info.namespace, {
    ...buildFilters(call.store.def, q),
    limit: limit && limit > 0 ? limit : undefined,
    continue: q.get("continue") || undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
    exact: match === "Exact",
  });
  return listResponse(list, call.rep);
}
