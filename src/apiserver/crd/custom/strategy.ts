/**
 * The strategy of one served version of a custom resource (upstream's customResourceStrategy and
 * its status strategy): bodies are pruned to the schema and defaulted (what upstream's decoder
 * does), then validated against the schema as a whole, so one 422 lists every violated field.
 * Generation grows on any change outside metadata (status too, when there is no status
 * subresource). The scale subresource's replica fields must be integers.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { Strategy } from "../../registry/definition.ts";
import type { CompiledSchema } from "../schema/index.ts";
import type { CustomResourceSubresourceScale } from "../types.ts";
import { ApiError, errors, fieldErrorMessage } from "../../api/errors.ts";
import { deepEqual } from "../../registry/object-diff.ts";
import { field } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { nestedInt64, nestedString, pathFields } from "./nested.ts";

export interface CustomStrategyOptions {
  /** The version's compiled schema, if it has one. */
  schema?: CompiledSchema;
  /** Legacy CRDs that keep unknown fields (spec.preserveUnknownFields). */
  preserveUnknownFields: boolean;
  statusSubresource: boolean;
  scale?: CustomResourceSubresourceScale;
  /** The CRD is being deleted: no new objects. */
  terminating: boolean;
  /** group, version and plural, for error messages. */
  group: string;
  version: string;
  plural: string;
}

const MAX_INT32 = 2147483647;
/** Finalizers Kubernetes itself uses, which need no domain. */
const STANDARD_FINALIZERS = new Set(["orphan", "foregroundDeletion", "kubernetes"]);

export function customResourceStrategy(opts: CustomStrategyOptions): Strategy {
  const creating = new WeakSet<KubeObject>();
  const schema = opts.schema;

  /**
   * What upstream's decoder does to every body: drop unknown fields, reduce metadata to
   * ObjectMeta, fill defaults. Malformed metadata fails decoding, a 400 as upstream answers it.
   */
  const normalise = (obj: KubeObject) => {
    if (!schema) return;
    if (opts.preserveUnknownFields) {
      schema.applyDefaults(obj);
      return;
    }
    const problem = schema.decode(obj, { fromStorage: false });
    if (problem) throw errors.badRequest(`${obj.kind} in version "${opts.version}" cannot be handled as a ${obj.kind}: ${fieldErrorMessage(problem)}`);
  };

  const scaleProblems = (obj: KubeObject, includeSpec: boolean): FieldError[] => {
    const scale = opts.scale;
    if (!scale) return [];
    const errs: FieldError[] = [];
    const replicas = (path: string) => {
      const r = nestedInt64(obj, pathFields(path));
      if ("error" in r) errs.push(field.invalid(path, 0, r.error));
      else if (r.value < 0) errs.push(field.invalid(path, r.value, "should be a non-negative integer"));
      else if (r.value > MAX_INT32) errs.push(field.invalid(path, r.value, `should be less than or equal to ${MAX_INT32}`));
    };
    if (includeSpec) replicas(scale.specReplicasPath);
    replicas(scale.statusReplicasPath);
    if (scale.labelSelectorPath) {
      const s = nestedString(obj, pathFields(scale.labelSelectorPath));
      if ("error" in s) errs.push(field.invalid(scale.labelSelectorPath, "", s.error));
    }
    return errs;
  };

  return {
    defaults: normalise,
    prepareForCreate(obj) {
      if (opts.statusSubresource) delete obj.status;
      creating.add(obj);
    },
    prepareForUpdate(obj, old) {
      // The store keeps metadata.generation and bumps it for spec changes; upstream counts any
      // change outside metadata, status included when status is not a subresource.
      if (!opts.statusSubresource && !deepEqual(obj.status, old.status)) obj.metadata!.generation = (old.metadata?.generation ?? 1) + 1;
    },
    validate(obj) {
      if (!creating.has(obj)) return [];
      return [...(schema?.validate(obj) ?? []), ...scaleProblems(obj, true)];
    },
    validateUpdate: (obj, old) => [...(schema?.validate(obj, old) ?? []), ...scaleProblems(obj, true)],
    prepareForStatusUpdate: (obj) => normalise(obj),
    validateStatusUpdate: (obj, old) => [...(schema?.validateStatus(obj, old) ?? []), ...scaleProblems(obj, false)],
    warnings: (obj, old) => finalizerWarnings(obj, old),
    async beforeWrite(_obj, old) {
      if (old === undefined && opts.terminating) {
        throw new ApiError(405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating", { group: opts.group, kind: opts.plural });
      }
    },
  };
}

/** Advice on finalizers an object adds (upstream's generateWarningsFromObj). */
function finalizerWarnings(obj: KubeObject, old: KubeObject | undefined): string[] {
  const before = new Set(old?.metadata?.finalizers ?? []);
  const added = [...new Set(obj.metadata?.finalizers ?? [])].filter((f) => !before.has(f)).sort();
  const out: string[] = [];
  for (const f of added) {
    for (const msg of isQualifiedName(f)) out.push(`metadata.finalizers: ${JSON.stringify(f)}: ${msg}`);
    if (!f.includes("/") && !STANDARD_FINALIZERS.has(f)) {
      out.push(
        f.includes(".")
          ? `metadata.finalizers: ${JSON.stringify(f)}: prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`
          : `metadata.finalizers: ${JSON.stringify(f)}: prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers`,
      );
    }
  }
  return out;
}
