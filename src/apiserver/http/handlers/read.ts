/** GET of one object, and LIST. */
import type { Call } from "./call.ts";
import { errors, type FieldError } from "../../api/errors.ts";
import { buildFilters } from "../filters.ts";
import { listResponse, objectResponse } from "../respond.ts";
import { intParam } from "./call.ts";

export async function handleGet(call: Call): Promise<Response> {
  const obj = await call.store.get(call.info.namespace, call.info.name, call.query.get("resourceVersion") ?? undefined);
  return objectResponse(obj, call.rep);
}

/** Upstream's ValidateListOptions for a list: resourceVersionMatch needs a resourceVersion and no continue; no sendInitialEvents. */
function listOptionProblems(q: URLSearchParams): FieldError[] {
  const problems: FieldError[] = [];
  // Present at all, true or false: only a watch may stream its initial state.
  if (q.has("sendInitialEvents")) problems.push({ type: "FieldValueForbidden", field: "sendInitialEvents", detail: "sendInitialEvents is forbidden for list" });
  const match = q.get("resourceVersionMatch");
  if (!match) return problems;
  const rv = q.get("resourceVersion") ?? "";
  const forbidden = (detail: string): FieldError => ({ type: "FieldValueForbidden", field: "resourceVersionMatch", detail });
  if (!rv) problems.push(forbidden("resourceVersionMatch is forbidden unless resourceVersion is provided"));
  if (q.get("continue")) problems.push(forbidden("resourceVersionMatch is forbidden when continue is provided"));
  if (match !== "Exact" && match !== "NotOlderThan") {
    problems.push({ type: "FieldValueNotSupported", field: "resourceVersionMatch", value: match, detail: 'supported values: "Exact", "NotOlderThan", ""' });
  }
  if (match === "Exact" && rv === "0") problems.push(forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  return problems;
}

export async function handleList(call: Call): Promise<Response> {
  const q = call.query;
  const match = q.get("resourceVersionMatch");
  const problems = listOptionProblems(q);
  if (problems.length > 0) throw errors.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, problems);
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
