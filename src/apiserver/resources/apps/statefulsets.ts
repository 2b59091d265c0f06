/**
 * apps/v1 StatefulSet (upstream SetDefaults_StatefulSet, ValidateStatefulSet*, the statefulset
 * strategy and printStatefulSet).
 */
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateAnnotations, validateLabels } from "../../validation/labels.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { defaultEmbeddedMeta, defaultPodTemplate, type PodTemplateSpec, validatePodSpecificAnnotations } from "../core/pod-spec.ts";
import { defaultPersistentVolumeClaimSpec } from "../core/pod-spec-defaults.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { readyOfReplicasColumn, templateColumns } from "../workloads/columns.ts";
import { intOrPercentValue, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "../workloads/int-or-percent.ts";
import { type LabelSelector, parseSelector, validateRequiredSelector, validateTemplateSelected } from "../workloads/label-selector.ts";
import { validateLongRunningPods } from "../workloads/pod-template.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { keepOldStatus, resetStatus } from "../workloads/status.ts";
import { type StatefulSet, type StatefulSetSpec, view } from "./types.ts";

type UpdateStrategy = NonNullable<StatefulSetSpec["updateStrategy"]>;
type RollingUpdate = NonNullable<UpdateStrategy["rollingUpdate"]>;
type ClaimTemplate = Wire<V1PersistentVolumeClaim>;

const statefulSet = (obj: KubeObject) => view<StatefulSet>(obj);

/**
 * Claim templates are stored without apiVersion/kind (upstream clears them in both conversion
 * directions, issue 87583) and with a PersistentVolumeClaim's defaults, status included.
 */
function defaultClaimTemplate(claim: ClaimTemplate): void {
  delete claim.apiVersion;
  delete claim.kind;
  defaultEmbeddedMeta((claim.metadata ??= {}));
  defaultPersistentVolumeClaimSpec((claim.spec ??= {}));
  (claim.status ??= {}).phase ||= "Pending";
}

/** SetDefaults_StatefulSet (StatefulSetAutoDeletePVC is GA in 1.32) plus template defaults. */
export function defaultStatefulSet(sts: StatefulSet): void {
  const spec: StatefulSetSpec = (sts.spec ??= {});
  spec.podManagementPolicy ||= "OrderedReady";
  const updateStrategy = (spec.updateStrategy ??= {});
  if (!updateStrategy.type) {
    updateStrategy.type = "RollingUpdate";
    updateStrategy.rollingUpdate ??= {};
  }
  // An explicit RollingUpdate without rollingUpdate stays without it, as upstream.
  if (updateStrategy.type === "RollingUpdate" && updateStrategy.rollingUpdate) updateStrategy.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= "Retain";
  retention.whenScaled ||= "Retain";
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate((spec.template ??= {}));
  for (const claim of spec.volumeClaimTemplates ?? []) defaultClaimTemplate(claim);
}

function validateRollingUpdate(ru: RollingUpdate, path: FieldPath): FieldError[] {
  const errs = validateNonnegative(ru.partition, path.child("partition"));
  if (ru.maxUnavailable != null) {
    const p = path.child("maxUnavailable");
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
    if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(field.invalid(p, ru.maxUnavailable, "cannot be 0"));
    errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, p));
  }
  return errs;
}

function validateUpdateStrategy(strategy: UpdateStrategy | undefined, path: FieldPath): FieldError[] {
  switch (strategy?.type ?? "") {
    case "":
      return [field.required(path)];
    case "OnDelete":
      return strategy?.rollingUpdate ? [field.invalid(path.child("rollingUpdate"), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case "RollingUpdate":
      return strategy?.rollingUpdate ? validateRollingUpdate(strategy.rollingUpdate, path.child("rollingUpdate")) : [];
    default:
      return [field.invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateRetentionPolicy(policy: StatefulSetSpec["persistentVolumeClaimRetentionPolicy"], path: FieldPath): FieldError[] {
  if (!policy) return [];
  const errs: FieldError[] = [];
  for (const key of ["whenDeleted", "whenScaled"] as const) {
    const value = policy[key] ?? "";
    if (value !== "Retain" && value !== "Delete") errs.push(field.notSupported(path.child(key), value, ["Retain", "Delete"]));
  }
  return errs;
}

/**
 * upstream's ValidatePodTemplateSpecForStatefulSet: selection and the template's metadata only.
 * Upstream leaves the pod spec itself unvalidated here (its volumes may come from the claim
 * templates), so errors there surface when the controller creates pods.
 */
function validateTemplate(template: PodTemplateSpec, selector: LabelSelector, path: FieldPath): FieldError[] {
  const meta = template.metadata ?? {};
  return [
    ...validateTemplateSelected(selector, meta.labels, path),
    ...validateLabels(meta.labels, path.child("labels")),
    ...validateAnnotations(meta.annotations, path.child("annotations")),
    ...validatePodSpecificAnnotations(meta.annotations, template.spec ?? { containers: [] }, path.child("annotations")),
  ];
}

/** upstream's ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(spec: StatefulSetSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy ?? "";
  if (policy === "") errs.push(field.required(path.child("podManagementPolicy")));
  else if (policy !== "OrderedReady" && policy !== "Parallel") errs.push(field.invalid(path.child("podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, path.child("updateStrategy")));
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, path.child("persistentVolumeClaimRetentionPolicy")));
  errs.push(...validateNonnegative(spec.replicas, path.child("replicas")));
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  if (spec.ordinals) errs.push(...validateNonnegative(spec.ordinals.start, path.child("ordinals.start")));
  errs.push(...validateRequiredSelector(spec.selector, path.child("selector"), "empty selector is invalid for statefulset"));
  const parsed = parseSelector(spec.selector);
  const template = spec.template ?? {};
  if (!parsed) errs.push(field.invalid(path.child("selector"), spec.selector, ""));
  else errs.push(...validateTemplate(template, parsed, path.child("template")));
  errs.push(...validateLongRunningPods(template, path.child("template"), "StatefulSet"));
  return errs;
}

/** The spec fields an update may change; everything else must stay as stored. */
const MUTABLE_SPEC_FIELDS = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] as const;

export function validateStatefulSetUpdate(spec: StatefulSetSpec, old: StatefulSetSpec): FieldError[] {
  const rest = (s: StatefulSetSpec) => {
    const copy: Record<string, unknown> = { ...s };
    for (const k of MUTABLE_SPEC_FIELDS) delete copy[k];
    return copy;
  };
  if (semanticEqual(rest(spec), rest(old))) return [];
  return [
    field.forbidden(
      "spec",
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

/** rollingUpdate.maxUnavailable is alpha (MaxUnavailableStatefulSet, off in 1.32): dropped unless already stored. */
function dropAlphaFields(spec: StatefulSetSpec | undefined, old?: StatefulSetSpec): void {
  const ru = spec?.updateStrategy?.rollingUpdate;
  if (ru && old?.updateStrategy?.rollingUpdate?.maxUnavailable == null) delete ru.maxUnavailable;
}

const strategy: Strategy = {
  defaults: (obj) => defaultStatefulSet(statefulSet(obj)),
  prepareForCreate(obj) {
    resetStatus(obj);
    dropAlphaFields(statefulSet(obj).spec);
  },
  prepareForUpdate(obj, old) {
    keepOldStatus(obj, old);
    dropAlphaFields(statefulSet(obj).spec, statefulSet(old).spec);
  },
  validate: (obj) => validateStatefulSetSpec(statefulSet(obj).spec ?? {}, FieldPath.root("spec")),
  validateUpdate: (obj, old) => validateStatefulSetUpdate(statefulSet(obj).spec ?? {}, statefulSet(old).spec ?? {}),
};

const columns: PrinterColumn[] = [
  nameColumn,
  readyOfReplicasColumn,
  ageColumn,
  ...templateColumns(["spec", "template"]),
];

export const statefulSetDefinition: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "StatefulSet",
  plural: "statefulsets",
  singular: "statefulset",
  shortNames: ["sts"],
  categories: ["all"],
  namespaced: true,
  // Pods are named <set>-<ordinal> and get it as hostname: the name must be a DNS label.
  nameRule: "label",
  statusSubresource: true,
  scale: { specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "spec.selector" },
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
