/**
 * core/v1 replicationcontrollers: defaults (selector and labels from the template, one replica),
 * validation, generation tracking, the scale subresource, the Table and the status.replicas
 * field selector.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column, formatLabels } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { defaultPodTemplate } from "./pod-spec-defaults.ts";
import { validatePodTemplateSpec } from "./pod-spec-validation.ts";
import { containerImages, containerNames } from "./podtemplate.ts";
import { view, type ReplicationController } from "./types.ts";

const SPEC = FieldPath.root("spec");

/** upstream's SetDefaults_ReplicationController plus the template's defaults. */
export function defaultReplicationController(rc: ReplicationController): void {
  const spec = (rc.spec ??= {});
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels) {
    if (!Object.keys(spec.selector ?? {}).length) spec.selector = { ...templateLabels };
    const meta = (rc.metadata ??= {});
    if (!Object.keys(meta.labels ?? {}).length) meta.labels = { ...templateLabels };
  }
  spec.replicas ??= 1;
  if (spec.template) defaultPodTemplate(spec.template);
}

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const spec = rc.spec ?? {};
  const errs = validateNonnegative(spec.minReadySeconds, SPEC.child("minReadySeconds"));
  const selector = spec.selector ?? {};
  if (!Object.keys(selector).length) errs.push(field.required(SPEC.child("selector")));
  errs.push(...validateNonnegative(spec.replicas, SPEC.child("replicas")));
  const template = spec.template;
  const tp = SPEC.child("template");
  if (!template) return [...errs, field.required(tp)];
  const labels = template.metadata?.labels ?? {};
  if (Object.keys(selector).length && Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
    errs.push(field.invalid(tp.child("metadata", "labels"), labels, "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodTemplateSpec(template, tp));
  const restart = template.spec?.restartPolicy;
  if (restart !== "Always") errs.push(field.notSupported(tp.child("spec", "restartPolicy"), restart ?? "", ["Always"]));
  if (template.spec?.activeDeadlineSeconds != null) {
    errs.push(field.forbidden(tp.child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicationController is not Supported"));
  }
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultReplicationController(view<ReplicationController>(obj)),
  prepareForCreate(obj) {
    // ReplicationControllerStatus.replicas has no omitempty: a new RC shows `status: {replicas: 0}`.
    view<ReplicationController>(obj).status = { replicas: 0 };
  },
  validate: (obj) => validateReplicationController(view<ReplicationController>(obj)),
};

const rc = (obj: KubeObject) => view<ReplicationController>(obj);

export const replicationControllerDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  shortNames: ["rc"],
  categories: ["all"],
  namespaced: true,
  verbs: ALL_VERBS,
  // kube-apiserver keeps replication controllers under /registry/controllers/.
  storagePath: "controllers",
  statusSubresource: true,
  scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  nameRule: "subdomain",
  tracksGeneration: true,
  // core/v1 keeps its pre-garbage-collector behaviour: a delete without a policy orphans the pods.
  garbageCollectionPolicy: "OrphanDependents",
  printerColumns: [
    nameColumn,
    column<ReplicationController>("Desired", FIELD_DOCS["ReplicationControllerSpec.replicas"], (r) => r.spec?.replicas ?? 0, { type: "integer" }),
    column<ReplicationController>("Current", FIELD_DOCS["ReplicationControllerStatus.replicas"], (r) => r.status?.replicas ?? 0, { type: "integer" }),
    column<ReplicationController>("Ready", FIELD_DOCS["ReplicationControllerStatus.readyReplicas"], (r) => r.status?.readyReplicas ?? 0, { type: "integer" }),
    ageColumn,
    column<ReplicationController>("Containers", "Names of each container in the template.", (r) => containerNames(r.spec?.template), { priority: 1 }),
    column<ReplicationController>("Images", "Images referenced by each container in the template.", (r) => containerImages(r.spec?.template), { priority: 1 }),
    column<ReplicationController>("Selector", FIELD_DOCS["ReplicationControllerSpec.selector"], (r) => formatLabels(r.spec?.selector), { priority: 1 }),
  ],
  fieldSelectors: { "status.replicas": (o) => String(rc(o).status?.replicas ?? 0) },
  strategy,
};
