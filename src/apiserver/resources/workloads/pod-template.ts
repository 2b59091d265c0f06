/**
 * Pod-template rules of the controllers that run pods forever (Deployment, ReplicaSet,
 * DaemonSet, StatefulSet): upstream's ValidatePodTemplateSpecForReplicaSet and its siblings.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { isDNS1123Label } from "../../validation/names.ts";
import { type PodTemplateSpec, validatePodTemplateSpec } from "../core/pod-spec.ts";
import { type LabelSelector, parseSelector, validateRequiredSelector, validateTemplateSelected } from "./label-selector.ts";
import type { LabelSelectorObject } from "../../selectors/index.ts";

/** The template's pods must restart forever and may not have a deadline. */
export function validateLongRunningPods(template: PodTemplateSpec, path: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = template.spec;
  if (spec?.restartPolicy !== "Always") errs.push(field.notSupported(path.child("spec", "restartPolicy"), spec?.restartPolicy ?? "", ["Always"]));
  if (spec?.activeDeadlineSeconds != null) {
    errs.push(field.forbidden(path.child("spec", "activeDeadlineSeconds"), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/**
 * upstream's ValidatePodTemplateSpecForReplicaSet (Deployments use it too, hence their
 * "ReplicaSet" wording): selected by the selector, a valid template, long-running pods.
 */
export function validateReplicaSetTemplate(template: PodTemplateSpec | undefined, selector: LabelSelector, path: FieldPath): FieldError[] {
  const t = template ?? {};
  return [
    ...validateTemplateSelected(selector, t.metadata?.labels, path),
    ...validatePodTemplateSpec(t, path),
    ...validateLongRunningPods(t, path, "ReplicaSet"),
  ];
}

/**
 * The selector and template of a ReplicaSet or Deployment: a required, non-empty selector (the
 * message says "deployment" for both, as upstream's does), then the template it must select.
 */
export function validateSelectorAndTemplate(spec: { selector?: LabelSelectorObject | null; template?: PodTemplateSpec }, path: FieldPath): FieldError[] {
  const errs = validateRequiredSelector(spec.selector, path.child("selector"), "empty selector is invalid for deployment");
  const parsed = parseSelector(spec.selector);
  if (!parsed) errs.push(field.invalid(path.child("selector"), spec.selector, "invalid label selector"));
  else errs.push(...validateReplicaSetTemplate(spec.template, parsed, path.child("template")));
  return errs;
}

/**
 * The create warning of every pod-owning controller: its name becomes part of pod names and
 * hostnames, so a DNS label is recommended ("%v" of Go's message list).
 */
export function podNameWarnings(name: string | undefined): string[] {
  const msgs = isDNS1123Label(name ?? "");
  if (msgs.length === 0) return [];
  return [`metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(" ")}]`];
}
