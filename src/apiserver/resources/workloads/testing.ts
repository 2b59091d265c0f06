/**
 * Test helpers: run a definition's strategy the way the generic store does (defaults, prepare,
 * validate) and render the problems as kube-apiserver words them.
 */
import { fieldErrorMessage } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext, ResourceDefinition } from "../../registry/definition.ts";

export const NOW = Date.parse("2025-01-01T00:00:00Z");
export const UID = "0b6d2c8e-7f1a-4c3e-9d2b-5a4f6e8c1d20";

export function testContext(): RequestContext {
  return { user: { username: "admin", groups: ["system:masters"] }, namespace: "default", dryRun: false, now: NOW };
}

/** What the store does before validating a create: server metadata, defaults, prepare. */
export function prepareCreate(def: ResourceDefinition, input: KubeObject): KubeObject {
  const obj = structuredClone(input);
  const meta = (obj.metadata ??= {});
  meta.namespace ??= "default";
  meta.uid ??= UID;
  meta.creationTimestamp ??= new Date(NOW).toISOString().replace(".000", "");
  if (def.tracksGeneration) meta.generation = 1;
  def.strategy?.defaults?.(obj);
  def.strategy?.prepareForCreate?.(obj, testContext());
  return obj;
}

/** The create path: the stored object and the validation messages. */
export function create(def: ResourceDefinition, input: KubeObject): { obj: KubeObject; errors: string[] } {
  const obj = prepareCreate(def, input);
  return { obj, errors: (def.strategy?.validate?.(obj, testContext()) ?? []).map(fieldErrorMessage) };
}

/** The update path: defaults and prepare against `old`, then validate and validateUpdate. */
export function update(def: ResourceDefinition, input: KubeObject, old: KubeObject): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(input);
  obj.metadata = { ...obj.metadata, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp };
  const s = def.strategy;
  s?.defaults?.(obj);
  s?.prepareForUpdate?.(obj, old, testContext());
  const problems = [...(s?.validate?.(obj, testContext()) ?? []), ...(s?.validateUpdate?.(obj, old, testContext()) ?? [])];
  return { obj, errors: problems.map(fieldErrorMessage) };
}

/** The cells of one object, keyed by column name. */
export function cells(def: ResourceDefinition, obj: KubeObject, now = NOW): Record<string, unknown> {
  return Object.fromEntries((def.printerColumns ?? []).map((c) => [c.name, c.cell(obj, now)]));
}
