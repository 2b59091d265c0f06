/**
 * The glue between the generic store and field management: which type a resource's objects
 * have, and the manager, subresource and time a request writes with.
 */
import type { KubeObject } from "../api/types.ts";
import { apiVersionOf } from "../api/types.ts";
import type { JsonObject } from "../patch/json-value.ts";
import type { RequestContext, ResourceDefinition } from "../registry/definition.ts";
import { applyConfiguration, recordUpdate, type ResourceInfo, type WriteRecord } from "./manager/field-manager.ts";
import { inProcessManager } from "./manager/manager-name.ts";
import { FieldTypeCatalog } from "./schema/field-types.ts";

/** For stores outside a server (tests, tools): the built-in types only. */
export const BUILTIN_FIELD_TYPES = new FieldTypeCatalog();

/** Which subresource a write goes through, as managedFields entries record it. */
export type FieldsSubresource = "status" | "scale";

function resourceInfo(def: ResourceDefinition): ResourceInfo {
  return { apiVersion: apiVersionOf(def), kind: def.kind, statusSubresource: def.statusSubresource === true };
}

/** HTTP requests always name a manager (possibly ""); in-process callers name none. */
function record(ctx: RequestContext, subresource: FieldsSubresource | undefined): WriteRecord {
  return { manager: ctx.fieldManager ?? inProcessManager(ctx.user.username), subresource: subresource ?? "", now: ctx.now };
}

/** Updates `next`'s managedFields for a create (`live` undefined) or an update of `live`. */
export function recordWrite(catalog: FieldTypeCatalog, def: ResourceDefinition, live: KubeObject | undefined, next: KubeObject, ctx: RequestContext, subresource?: FieldsSubresource): void {
  const types = catalog.forResource({ group: def.group, version: def.version, kind: def.kind });
  recordUpdate(types, resourceInfo(def), live, next, record(ctx, subresource));
}

/** The object a server-side apply of `config` makes of `live` (undefined: a create), managedFields set. */
export function applyToObject(
  catalog: FieldTypeCatalog,
  def: ResourceDefinition,
  live: KubeObject | undefined,
  config: JsonObject,
  ctx: RequestContext,
  opts: { force: boolean; subresource?: "status" },
): KubeObject {
  const types = catalog.forResource({ group: def.group, version: def.version, kind: def.kind });
  return applyConfiguration(types, resourceInfo(def), live, config, { ...record(ctx, opts.subresource), force: opts.force });
}
