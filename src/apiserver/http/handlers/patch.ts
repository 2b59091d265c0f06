/**
 * PATCH: JSON patch, merge patch and strategic merge patch, applied to the current object,
 * checked to still decode as the kind (patched-types.ts), and written with compare-and-swap,
 * retried from the newer object if someone else wrote first. Server-side apply is
 * server-side-apply.ts.
 */
import type { KubeObject } from "../../api/types.ts";
import type { Call } from "./call.ts";
import { errors } from "../../api/errors.ts";
import { applyPatch, PATCH_TYPES } from "../../patch/index.ts";
import { objectResponse } from "../respond.ts";
import { isDryRun, readBody } from "./call.ts";
import { checkPatchedTypes } from "./patched-types.ts";
import { patchScale } from "./scale.ts";
import { checkPatchOptions, handleApplyPatch } from "./server-side-apply.ts";

export async function handlePatch(call: Call): Promise<Response> {
  const contentType = (call.req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const body = await readBody(call.req);
  const sub = call.info.subresource;
  if ((Object.values(PATCH_TYPES) as string[]).includes(contentType)) checkPatchOptions(call, contentType);
  if (sub === "scale") return patchScale(call, contentType, body);
  if (sub && sub !== "status") throw errors.notFound({ resource: `${call.info.resource}/${sub}` });
  if (sub === "status" && !call.store.def.statusSubresource) throw errors.notFound({ resource: `${call.info.resource}/status` });
  if (contentType === PATCH_TYPES.apply) return handleApplyPatch(call, body);
  const def = call.store.def;
  const { object } = await call.store.readModifyWrite(
    call.info.namespace,
    call.info.name,
    call.ctx,
    { dryRun: isDryRun(call), subresource: sub === "status" ? "status" : undefined },
    (current) => {
      if (!current) throw errors.notFound(call.store.target(call.info.name));
      const patched = applyPatch(contentType, current, body, { group: def.group, kind: def.kind }) as KubeObject;
      checkPatchedTypes(call, contentType, body, patched);
      return patched;
    },
  );
  return objectResponse(object, call.rep);
}
