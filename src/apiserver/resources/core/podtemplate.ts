/**
 * core/v1 podtemplates: a named PodTemplateSpec with the pod template defaults and validation,
 * generation tracking, and its Table (NAME, CONTAINERS, IMAGES, POD LABELS — no AGE upstream).
 */
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { FieldPath } from "../../validation/field.ts";
import { nameColumn } from "../printing.ts";
import { column, formatLabels } from "./columns.ts";
import { defaultPodTemplate } from "./pod-spec-defaults.ts";
import { validatePodTemplateSpec } from "./pod-spec-validation.ts";
import { view, type PodTemplate, type PodTemplateSpec } from "./types.ts";

const strategy: Strategy = {
  defaults: (obj) => defaultPodTemplate((view<PodTemplate>(obj).template ??= {})),
  validate: (obj) => validatePodTemplateSpec(view<PodTemplate>(obj).template ?? {}, FieldPath.root("template")),
};

const containers = (t: PodTemplateSpec | undefined) => t?.spec?.containers ?? [];

/** upstream's layoutContainerCells: names and images joined by ",". */
export const containerNames = (t: PodTemplateSpec | undefined) => containers(t).map((c) => c.name).join(",");
export const containerImages = (t: PodTemplateSpec | undefined) => containers(t).map((c) => c.image ?? "").join(",");

export const podTemplateDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "PodTemplate",
  plural: "podtemplates",
  singular: "podtemplate",
  namespaced: true,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  nameRule: "subdomain",
  tracksGeneration: true,
  printerColumns: [
    nameColumn,
    column<PodTemplate>("Containers", "Names of each container in the template.", (pt) => containerNames(pt.template)),
    column<PodTemplate>("Images", "Images referenced by each container in the template.", (pt) => containerImages(pt.template)),
    column<PodTemplate>("Pod Labels", "The labels for the pod template.", (pt) => formatLabels(pt.template?.metadata?.labels)),
  ],
  strategy,
};
