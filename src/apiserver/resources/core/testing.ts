/**
 * Test helpers: run a definition's strategy hooks in the generic store's order, and read its
 * Table cells and field selectors.
 */
import { fieldErrorMessage } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext, ResourceDefinition } from "../../registry/definition.ts";

export const NOW = Date.parse("2025-01-01T12:00:00Z");

export const ctx: RequestContext = { user: { username: "admin", groups: ["system:masters"] }, namespace: "default", dryRun: false, now: NOW };

/** create: defaults, prepareForCreate, then validate; returns the object and its error messages. */
export function create(def: ResourceDefinition, input: object): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(input) as KubeObject;
  def.strategy?.defaults?.(obj);
  def.strategy?.prepareForCreate?.(obj, ctx);
  return { obj, errors: (def.strategy?.validate?.(obj, ctx) ?? []).map(fieldErrorMessage) };
}

/** update: defaults, prepareForUpdate, validate and validateUpdate against `old` (`context`: e.g. a subresource). */
export function update(def: ResourceDefinition, input: object, old: KubeObject, context: RequestContext = ctx): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(input) as KubeObject;
  def.strategy?.defaults?.(obj);
  def.strategy?.prepareForUpdate?.(obj, old, context);
  const errs = [...(def.strategy?.validate?.(obj, context) ?? []), ...(def.strategy?.validateUpdate?.(obj, old, context) ?? [])];
  return { obj, errors: errs.map(fieldErrorMessage) };
}

/** The Table row of an object: column name -> cell. */
export function row(def: ResourceDefinition, obj: object, now = NOW): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of def.printerColumns ?? []) out[c.name] = c.cell(obj as KubeObject, now);
  return out;
}

/** Column headers with their priorities, as "NAME" or "NAME(wide)". */
export function headers(def: ResourceDefinition): string[] {
  return (def.printerColumns ?? []).map((c) => (c.priority > 0 ? `${c.name}(wide)` : c.name));
}

export function selectable(def: ResourceDefinition, obj: object): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, fn] of Object.entries(def.fieldSelectors ?? {})) out[k] = fn(obj as KubeObject);
  return out;
}

export const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, "Z");
