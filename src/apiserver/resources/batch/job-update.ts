/**
 * What a Job update may change (upstream ValidateJobSpecUpdate): most of the spec is fixed once
 * the Job exists. Indexed Jobs may scale completions together with parallelism, and a Job that
 * is suspended and never started may still have its scheduling directives edited.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, FieldPath } from "../../validation/field.ts";
import type { PodTemplateSpec } from "../core/pod-spec.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import type { Job, JobSpec } from "./types.ts";

/** Fixed at creation besides the selector and the template (checked in upstream's order). */
const IMMUTABLE = ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] as const;

function immutable(value: unknown, old: unknown, path: FieldPath): FieldError[] {
  return semanticEqual(value, old) ? [] : [field.immutable(path, value ?? null)];
}

/** Elastic Indexed Jobs (GA in 1.31) may change completions, but only in step with parallelism. */
function validateCompletions(spec: JobSpec, old: JobSpec, path: FieldPath): FieldError[] {
  if (spec.completionMode !== "Indexed") return immutable(spec.completions, old.completions, path.child("completions"));
  if (semanticEqual(spec.completions, old.completions) || spec.completions == null) return [];
  if (spec.completions !== spec.parallelism) {
    return [field.invalid(path.child("completions"), spec.completions, `can only be modified in tandem with ${path.child("parallelism")}`)];
  }
  return [];
}

/**
 * The template is immutable, except that a suspended Job that never started may change node
 * affinity, node selector, tolerations, scheduling gates, labels and annotations (they decide
 * where its pods will run, and nothing has run yet).
 */
function validateTemplate(spec: JobSpec, old: Job, path: FieldPath): FieldError[] {
  const template = spec.template ?? {};
  let previous: PodTemplateSpec = old.spec?.template ?? {};
  if (old.spec?.suspend === true && !old.status?.startTime) {
    previous = structuredClone(previous);
    const prevSpec = (previous.spec ??= { containers: [] });
    const next = template.spec;
    prevSpec.affinity = { ...prevSpec.affinity, nodeAffinity: next?.affinity?.nodeAffinity };
    prevSpec.nodeSelector = next?.nodeSelector;
    prevSpec.tolerations = next?.tolerations;
    prevSpec.schedulingGates = next?.schedulingGates;
    previous.metadata = { ...previous.metadata, labels: template.metadata?.labels, annotations: template.metadata?.annotations };
  }
  return immutable(template, previous, path.child("template"));
}

export function validateJobSpecUpdate(job: Job, old: Job): FieldError[] {
  const path = FieldPath.root("spec");
  const spec = job.spec ?? {};
  const prev = old.spec ?? {};
  const errs = [...validateCompletions(spec, prev, path)];
  errs.push(...immutable(spec.selector, prev.selector, path.child("selector")));
  errs.push(...validateTemplate(spec, old, path));
  for (const key of IMMUTABLE) errs.push(...immutable(spec[key], prev[key], path.child(key)));
  return errs;
}
