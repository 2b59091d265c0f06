/**
 * DELETE of one object and of a collection. DeleteOptions come from the body (kubectl sends
 * {"propagationPolicy": ...}) or the query, as upstream accepts both.
 */
import type { DeleteOptions } from "../../registry/store.ts";
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { buildFilters } from "../filters.ts";
import { decodeBody } from "../negotiate.ts";
import { listResponse, objectResponse } from "../respond.ts";
import { intParam, isDryRun, readBody } from "./call.ts";

const POLICIES = new Set(["Orphan", "Background", "Foreground"]);

async function deleteOptions(call: Call): Promise<DeleteOptions> {
  const raw = await readBody(call.req);
  const body = raw.byteLength > 0 ? (decodeBody(call.req.headers.get("content-type"), raw) as Record<string, unknown> | null) : null;
  if (body !== null && (typeof body !== "object" || Array.isArray(body))) throw errors.badRequest("the body of a delete request must be a DeleteOptions object");
  const opts: DeleteOptions = { dryRun: isDryRun(call.query) || (Array.isArray(body?.dryRun) && body.dryRun.includes("All")) };
  const grace = body?.gracePeriodSeconds ?? intParam(call.query, "gracePeriodSeconds");
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== "number" || !Number.isInteger(grace)) throw errors.badRequest("gracePeriodSeconds must be a whole number");
    opts.gracePeriodSeconds = Math.max(0, grace);
  }
  let policy = (body?.propagationPolicy ?? call.query.get("propagationPolicy") ?? undefined) as string | undefined;
  const orphan = body?.orphanDependents ?? (call.query.get("orphanDependents") === null ? undefined : call.query.get("orphanDependents") === "true");
  if (orphan !== undefined && policy) throw errors.invalid({ kind: "DeleteOptions" }, [{ type: "FieldValueInvalid", field: "propagationPolicy", value: policy, detail: "orphanDependents and deletionPropagation cannot be both set" }]);
  if (orphan !== undefined) policy = orphan ? "Orphan" : "Background";
  if (policy !== undefined) {
    if (!POLICIES.has(policy)) {
      throw errors.invalid({ kind: "DeleteOptions" }, [{ type: "FieldValueNotSupported", field: "propagationPolicy", value: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' }]);
    }
    opts.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  }
  const pre = body?.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  if (pre) opts.preconditions = { uid: pre.uid, resourceVersion: pre.resourceVersion };
  return opts;
}

export async function handleDelete(call: Call): Promise<Response> {
  if (call.info.subresource) throw errors.methodNotSupported(call.store.target(), "delete");
  const opts = await deleteOptions(call);
  const { object, pending } = await call.store.delete(call.info.namespace, call.info.name, call.ctx, opts);
  // 202 while finalizers or a grace period hold the object, as upstream answers.
  return objectResponse(object, call.rep, pending ? 202 : 200);
}

export async function handleDeleteCollection(call: Call): Promise<Response> {
  const opts = await deleteOptions(call);
  const list = await call.store.deleteCollection(call.info.namespace, buildFilters(call.store.def, call.query), call.ctx, opts);
  return listResponse(list, call.rep);
}
