/**
 * Job defaults (upstream SetDefaults_Job, SetDefaults_PodFailurePolicyOnPodConditionsPattern) and
 * the selector and pod labels the job strategy generates on create.
 */
import { MAX_INT32 } from "../../validation/numbers.ts";
import { defaultEmbeddedMeta, defaultPodTemplate } from "../core/pod-spec.ts";
import type { Job, JobSpec, JobTemplateSpec, PodFailurePolicy } from "./types.ts";

export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
export const LEGACY_JOB_NAME_LABEL = "job-name";
export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const LEGACY_CONTROLLER_UID_LABEL = "controller-uid";

/** Pod-condition patterns match True unless they say otherwise. */
function defaultPodFailurePolicy(policy: PodFailurePolicy | undefined): void {
  for (const rule of policy?.rules ?? []) for (const pattern of rule.onPodConditions ?? []) pattern.status ||= "True";
}

/**
 * SetDefaults_Job (every 1.32 feature gate involved is on: pod replacement policy, backoff limit
 * per index) plus the pod template's defaults.
 */
export function defaultJob(job: Job): void {
  const spec: JobSpec = (job.spec ??= {});
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  copyTemplateLabels(job);
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  defaultPodFailurePolicy(spec.podFailurePolicy);
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  spec.manualSelector ??= false;
  defaultPodTemplate((spec.template ??= {}));
}

/** A Job without labels takes its pod template's. */
export function copyTemplateLabels(job: Job): void {
  const templateLabels = job.spec?.template?.metadata?.labels;
  if (!templateLabels || Object.keys(templateLabels).length === 0) return;
  if (Object.keys(job.metadata?.labels ?? {}).length === 0) (job.metadata ??= {}).labels = { ...templateLabels };
}

/**
 * A CronJob's job template gets only the nested defaults (SetDefaults_Job is for Jobs): its
 * embedded metadata, the pod template and pod-failure patterns.
 */
export function defaultJobTemplate(template: JobTemplateSpec): void {
  defaultEmbeddedMeta((template.metadata ??= {}));
  const spec = (template.spec ??= {});
  defaultPodFailurePolicy(spec.podFailurePolicy);
  defaultPodTemplate((spec.template ??= {}));
}

/**
 * upstream's generateSelector: the pods carry the Job's name and uid (legacy and prefixed label
 * keys), and the selector picks them by the prefixed uid label. Labels the user already set are
 * left alone; validation rejects them if they conflict.
 */
export function generateSelector(job: Job): void {
  const spec: JobSpec = (job.spec ??= {});
  const name = job.metadata?.name ?? "";
  const uid = job.metadata?.uid ?? "";
  const template = (spec.template ??= {});
  const labels = ((template.metadata ??= {}).labels ??= {});
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(key in labels)) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(key in labels)) labels[key] = uid;
  const matchLabels = ((spec.selector ??= {}).matchLabels ??= {});
  if (!(CONTROLLER_UID_LABEL in matchLabels)) matchLabels[CONTROLLER_UID_LABEL] = uid;
}
