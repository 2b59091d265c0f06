/**
 * DELETE of one object and of a collection. DeleteOptions come from the body (kubectl sends
 * {"propagationPolicy": ...}) or the query, as upstream accepts both.
 */
import type { DeleteOptions } from "../../registry/store.ts";
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { buildFilters } from "../filters.ts";
import { decodeBody } from "../negotiate.ts";
import type { KubeObject } from "../../api/types.ts";
import { listResponse, methodNotAllowed, objectResponse, successStatus } from "../respond.ts";
import type { FieldError } from "../../api/errors.ts";
import { dryRunProblems, intParam, invalidOptions, readBody } from "./call.ts";

const POLICIES = new Set(["Orphan", "Background", "Foreground"]);

/** DeleteOptions fields as sent, before validation. */
interface RawDeleteOptions {
  gracePeriodSeconds?: unknown;
  propagationPolicy?: unknown;
  orphanDependents?: unknown;
  dryRun?: unknown;
  preconditions?: unknown;
}

/** The query form of DeleteOptions (no preconditions there). */
function fromQuery(q: URLSearchParams): RawDeleteOptions {
  const orphan = q.get("orphanDependents");
  return {
    gracePeriodSeconds: intParam(q, "gracePeriodSeconds"),
    propagationPolicy: q.get("propagationPolicy") ?? undefined,
    orphanDependents: orphan === null ? undefined : orphan === "true",
    dryRun: q.has("dryRun") ? q.getAll("dryRun") : undefined,
  };
}

async function deleteOptions(call: Call): Promise<{ opts: DeleteOptions; orphanDependents?: boolean }> {
  const raw = await readBody(call.req);
  const body = raw.byteLength > 0 ? (decodeBody(call.req.headers.get("content-type"), raw) as RawDeleteOptions | null) : null;
  if (body !== null && (typeof body !== "object" || Array.isArray(body))) throw errors.badRequest("the body of a delete request must be a DeleteOptions object");
  // Upstream reads DeleteOptions from the body when there is one, else from the query: never a mix.
  const src = body ?? fromQuery(call.query);
  const dryRun = Array.isArray(src.dryRun) ? src.dryRun.map(String) : [];
  const opts: DeleteOptions = { dryRun: dryRun.length > 0 };
  const grace = src.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== "number" || !Number.isInteger(grace)) throw errors.badRequest("gracePeriodSeconds must be a whole number");
    // A negative grace period means one second (upstream's BeforeDelete).
    opts.gracePeriodSeconds = grace < 0 ? 1 : grace;
  }
  const orphan = typeof src.orphanDependents === "boolean" ? src.orphanDependents : undefined;
  let policy = typeof src.propagationPolicy === "string" ? src.propagationPolicy : undefined;
  // Upstream's ValidateDeleteOptions, all problems at once.
  const problems: FieldError[] = [];
  if (orphan !== undefined && policy !== undefined) problems.push({ type: "FieldValueInvalid", field: "propagationPolicy", value: policy, detail: "orphanDependents and deletionPropagation cannot be both set" });
  if (policy !== undefined && !POLICIES.has(policy)) problems.push({ type: "FieldValueNotSupported", field: "propagationPolicy", value: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' });
  problems.push(...dryRunProblems(dryRun));
  if (problems.length > 0) throw invalidOptions(call, problems);
  if (orphan !== undefined) policy = orphan ? "Orphan" : "Background";
  if (policy !== undefined) opts.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  const pre = src.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  if (pre) opts.preconditions = { uid: pre.uid, resourceVersion: pre.resourceVersion };
  return { opts, orphanDependents: orphan };
}

export async function handleDelete(call: Call): Promise<Response> {
  if (call.info.subresource) throw methodNotAllowed();
  const { opts, orphanDependents } = await deleteOptions(call);
  const { object, pending } = await call.store.delete(call.info.namespace, call.info.name, call.ctx, opts);
  // Upstream answers 202 only for a pending deletion the client asked with orphanDependents=false
  // (its comment: always doing so "will break existing clients"); 200 otherwise.
  const code = pending && orphanDependents === false ? 202 : 200;
  // Once the object is gone, most types answer a Status naming it; a few return the object
  // (upstream's ReturnDeletedObject). A pending deletion always shows the object as it stands.
  if (pending || call.store.def.returnDeletedObject) return objectResponse(object, call.rep, code);
  const { group, plural } = call.store.def;
  const details = { name: object.metadata?.name, ...(group ? { group } : {}), kind: plural, uid: object.metadata?.uid };
  return objectResponse(successStatus(details) as KubeObject, call.rep, code);
}

export async function handleDeleteCollection(call: Call): Promise<Response> {
  const { opts } = await deleteOptions(call);
  const list = await call.store.deleteCollection(call.info.namespace, buildFilters(call.store.def, call.query), call.ctx, opts);
  return listResponse(list, call.rep);
}
