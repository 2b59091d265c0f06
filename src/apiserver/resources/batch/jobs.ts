/**
 * batch/v1 Job (upstream SetDefaults_Job, pkg/apis/batch/validation ValidateJob* and the job
 * strategy; its table is in job-columns.ts).
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { isDNS1123Label } from "../../validation/names.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { parseSelector, validateTemplateSelected } from "../workloads/label-selector.ts";
import { podNameWarnings } from "../workloads/pod-template.ts";
import { keepOldStatus, resetStatus } from "../workloads/status.ts";
import { rememberUpdate, storedObjectOf } from "../workloads/update-context.ts";
import {
  CONTROLLER_UID_LABEL,
  copyTemplateLabels,
  defaultJob,
  generateSelector,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from "./job-defaults.ts";
import { jobColumns } from "./job-columns.ts";
import { validateJobSpec } from "./job-spec-validation.ts";
import { validateJobSpecUpdate } from "./job-update.ts";
import { type Job, view } from "./types.ts";

const job = (obj: KubeObject) => view<Job>(obj);

/** upstream's ValidateHasLabel on the pod template. */
function hasLabel(labels: Record<string, string>, key: string, expected: string): FieldError[] {
  const path = FieldPath.root("spec").child("template", "metadata", "labels").key(key);
  if (!(key in labels)) return [field.required(path, `must be '${expected}'`)];
  return labels[key] === expected ? [] : [field.invalid(path, labels, `must be '${expected}'`)];
}

/**
 * Unless the user manages the selector, the generated labels must be on the pod template and
 * the selector must pick exactly them. Jobs created before the prefixed labels existed are
 * held only to the legacy ones.
 */
function validateGeneratedSelector(j: Job, requirePrefixedLabels: boolean): FieldError[] {
  const spec = j.spec ?? {};
  if (spec.manualSelector === true || !spec.selector) return [];
  const name = j.metadata?.name ?? "";
  const uid = j.metadata?.uid ?? "";
  const errs: FieldError[] = [];
  if (!uid) errs.push(field.required(FieldPath.root("metadata").child("uid")));
  const labels = spec.template?.metadata?.labels ?? {};
  const expected: Record<string, string> = {};
  if (requirePrefixedLabels) {
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  expected[LEGACY_CONTROLLER_UID_LABEL] = uid;
  expected[LEGACY_JOB_NAME_LABEL] = name;
  errs.push(...hasLabel(labels, LEGACY_CONTROLLER_UID_LABEL, uid), ...hasLabel(labels, LEGACY_JOB_NAME_LABEL, name));
  if (requirePrefixedLabels) errs.push(...hasLabel(labels, CONTROLLER_UID_LABEL, uid), ...hasLabel(labels, JOB_NAME_LABEL, name));
  const parsed = parseSelector(spec.selector);
  if (parsed && !parsed.matches(expected)) errs.push(field.invalid(FieldPath.root("spec").child("selector"), spec.selector, "`selector` not auto-generated"));
  return errs;
}

/** Indexed pods get "<job>-<index>" as hostname, which must be a DNS label. */
function validateIndexedHostnames(j: Job): FieldError[] {
  const spec = j.spec ?? {};
  if (spec.completionMode !== "Indexed" || !spec.completions || spec.completions <= 0) return [];
  const name = j.metadata?.name ?? "";
  const hostname = `${name}-${spec.completions - 1}`;
  if (isDNS1123Label(hostname).length === 0) return [];
  return [field.invalid(FieldPath.root("metadata").child("name"), name, `will not able to create pod with invalid DNS label: ${hostname}`)];
}

/** upstream's ValidateJob. On update the prefixed labels are required only if the stored Job had them. */
export function validateJob(j: Job, stored?: Job): FieldError[] {
  const storedLabels = stored?.spec?.template?.metadata?.labels ?? {};
  const requirePrefixed = !stored || (JOB_NAME_LABEL in storedLabels && CONTROLLER_UID_LABEL in storedLabels);
  const spec = j.spec ?? {};
  const path = FieldPath.root("spec");
  const errs = [...validateGeneratedSelector(j, requirePrefixed), ...validateJobSpec(spec, path)];
  if (!spec.selector) errs.push(field.required(path.child("selector")));
  else errs.push(...validateLabelSelector(spec.selector, path.child("selector")));
  const parsed = parseSelector(spec.selector);
  if (parsed) errs.push(...validateTemplateSelected(parsed, spec.template?.metadata?.labels, path.child("template")));
  errs.push(...validateIndexedHostnames(j));
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultJob(job(obj)),
  prepareForCreate(obj) {
    const j = job(obj);
    if (j.spec?.manualSelector !== true) generateSelector(j);
    // kube-apiserver defaults again when it reads the Job back, so an unlabelled Job shows the
    // template's labels including the generated ones.
    copyTemplateLabels(j);
    resetStatus(obj);
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    rememberUpdate(obj, old);
  },
  validate(obj) {
    const stored = storedObjectOf(obj);
    return validateJob(job(obj), stored && job(stored));
  },
  validateUpdate: (obj, old) => validateJobSpecUpdate(job(obj), job(old)),
  warnings: (obj, old) => (old ? [] : podNameWarnings(obj.metadata?.name)),
};

export const jobDefinition: ResourceDefinition = {
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  singular: "job",
  categories: ["all"],
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  printerColumns: jobColumns,
  // batch/v1 keeps its pre-garbage-collector behaviour: a delete without a policy orphans the pods.
  garbageCollectionPolicy: "OrphanDependents",
  // upstream's JobToSelectableFields.
  fieldSelectors: { "status.successful": (obj) => String(job(obj).status?.succeeded ?? 0) },
  strategy,
};
