/**
 * Admission plugins and the chain that runs them, as kube-apiserver's admission chain does: every
 * plugin's mutating step runs in order, then every plugin's validating step. A plugin refuses by
 * throwing an ApiError; the first refusal ends the request. More plugins (ServiceAccount,
 * LimitRanger, ...) join by being added to the list.
 */
import type { KubeObject } from "../api/types.ts";
import type { RequestContext, ResourceDefinition } from "../registry/definition.ts";
import type { Admission } from "../registry/store.ts";

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE";

/** What a plugin is asked about: the operation, the object (and the stored one), its resource and the request. */
export interface AdmissionRequest {
  operation: AdmissionOperation;
  obj: KubeObject;
  old: KubeObject | undefined;
  def: ResourceDefinition;
  ctx: RequestContext;
  /** What plugins keep for the rest of this request (webhooks remember whom they called). */
  state: Map<string, unknown>;
  /** The mutating step runs again because a webhook asked to be reinvoked (reinvocationPolicy IfNeeded). */
  reinvocation: boolean;
}

/** Set in `state` by a plugin that wants the mutating plugins run once more (upstream's reinvocation). */
export const REINVOKE = "admission.reinvoke";

export interface AdmissionPlugin {
  /** Upstream's plugin name ("NamespaceLifecycle"), for logs and ordering. */
  readonly name: string;
  /** May change `req.obj`. */
  mutate?(req: AdmissionRequest): Promise<void>;
  /** Must not change the object. */
  validate?(req: AdmissionRequest): Promise<void>;
}

export function chainAdmission(plugins: AdmissionPlugin[]): Admission {
  const mutating = plugins.filter((p) => p.mutate);
  const validating = plugins.filter((p) => p.validate);
  // The state of a request lives from its mutating step to its validating step.
  const states = new WeakMap<KubeObject, Map<string, unknown>>();
  return {
    async mutate(operation, obj, old, def, ctx) {
      const state = new Map<string, unknown>();
      states.set(obj, state);
      for (const p of mutating) await p.mutate!({ operation, obj, old, def, ctx, state, reinvocation: false });
      // A webhook whose object changed after it ran asked to see it again: every mutating plugin
      // runs once more (upstream reinvokes in-tree plugins too; they are idempotent).
      if (state.get(REINVOKE)) {
        state.delete(REINVOKE);
        for (const p of mutating) await p.mutate!({ operation, obj, old, def, ctx, state, reinvocation: true });
      }
    },
    async validate(operation, obj, old, def, ctx) {
      const state = states.get(obj) ?? new Map<string, unknown>();
      for (const p of validating) await p.validate!({ operation, obj, old, def, ctx, state, reinvocation: false });
    },
  };
}
