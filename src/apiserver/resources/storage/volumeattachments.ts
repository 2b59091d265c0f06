/**
 * storage.k8s.io/v1 VolumeAttachment (upstream ValidateVolumeAttachment(V1/Update), the
 * volumeattachment strategy, printVolumeAttachment): a request to attach one volume to one node,
 * made by the attach/detach controller and answered by the CSI attacher through the status
 * subresource. The spec never changes.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { goNilPointer, goPointer, goStruct, invalidGo } from "../../validation/go-syntax.ts";
import { isDNS1123Subdomain } from "../../validation/names.ts";
import { validateCSIDriver } from "../core/volume-validation.ts";
import { ageColumn, column as viewColumn, nameColumn } from "../printing.ts";
import { keepOldStatus } from "../workloads/status.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { STORAGE_GROUP, view, type VolumeAttachment, type VolumeAttachmentSpec } from "./types.ts";

const EXACTLY_ONE = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";

const attachment = (obj: KubeObject) => view<VolumeAttachment>(obj);

/** attacher, source and nodeName have no omitempty upstream: they are always written. */
export function defaultVolumeAttachment(va: VolumeAttachment): void {
  const spec: VolumeAttachmentSpec = (va.spec ??= {});
  spec.attacher ??= "";
  spec.source ??= {};
  spec.nodeName ??= "";
}

function validateSource(spec: VolumeAttachmentSpec, path: FieldPath): FieldError[] {
  const { persistentVolumeName: pv, inlineVolumeSpec: inline } = spec.source ?? {};
  if (pv == null && inline == null) return [field.required(path, EXACTLY_ONE)];
  if (pv != null && inline != null) return [field.forbidden(path, EXACTLY_ONE)];
  if (pv === "") return [field.required(path.child("persistentVolumeName"), "must specify non empty persistentVolumeName")];
  return [];
}

/** ValidateVolumeAttachment plus the checks v1 adds on create (CSI driver name, PV name syntax). */
export function validateVolumeAttachmentSpec(spec: VolumeAttachmentSpec): FieldError[] {
  const path = FieldPath.root("spec");
  const attacher = spec.attacher ?? "";
  const errs: FieldError[] = attacher ? [] : [field.required(path.child("attacher"))];
  errs.push(...validateSource(spec, path.child("source")));
  errs.push(...invalidEach(path.child("nodeName"), spec.nodeName ?? "", isDNS1123Subdomain(spec.nodeName ?? "")));
  errs.push(...validateCSIDriver(attacher, path.child("attacher")));
  const pv = spec.source?.persistentVolumeName;
  if (pv) errs.push(...invalidEach(path.child("source", "persistentVolumeName"), pv, isDNS1123Subdomain(pv)));
  return errs;
}

/** Go's %#v of the internal spec, as the immutability error quotes it (pointers print as addresses). */
function shownSpec(spec: VolumeAttachmentSpec) {
  const source = goStruct("storage.VolumeAttachmentSource", [
    ["PersistentVolumeName", spec.source?.persistentVolumeName != null ? goPointer("string") : goNilPointer("string")],
    ["InlineVolumeSpec", spec.source?.inlineVolumeSpec != null ? goPointer("core.PersistentVolumeSpec") : goNilPointer("core.PersistentVolumeSpec")],
  ]);
  return goStruct("storage.VolumeAttachmentSpec", [
    ["Attacher", spec.attacher ?? ""],
    ["Source", source],
    ["NodeName", spec.nodeName ?? ""],
  ]);
}

const strategy: Strategy = {
  defaults: (obj) => defaultVolumeAttachment(attachment(obj)),
  // attached has no omitempty: a new attachment reads back as `status: {attached: false}`.
  prepareForCreate: (obj) => void (obj.status = { attached: false }),
  prepareForUpdate: keepOldStatus,
  validate: (obj) => validateVolumeAttachmentSpec(attachment(obj).spec ?? {}),
  validateUpdate: (obj, old) => {
    const spec = attachment(obj).spec ?? {};
    return semanticEqual(spec, attachment(old).spec ?? {}) ? [] : [invalidGo("spec", shownSpec(spec), "field is immutable")];
  },
};

const column = (name: string, type: PrinterColumn["type"], format: string, description: string, cell: (va: VolumeAttachment) => unknown) =>
  viewColumn(name, description, cell, { type, format });

/** Upstream marks the Attacher column with format "name" as well. */
const columns: PrinterColumn[] = [
  nameColumn,
  column("Attacher", "string", "name", "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().", (va) => va.spec?.attacher ?? ""),
  column("PV", "string", "", "persistentVolumeName represents the name of the persistent volume to attach.", (va) => va.spec?.source?.persistentVolumeName ?? ""),
  column("Node", "string", "", "nodeName represents the node that the volume should be attached to.", (va) => va.spec?.nodeName ?? ""),
  column(
    "Attached",
    "boolean",
    "",
    "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.",
    (va) => va.status?.attached ?? false,
  ),
  ageColumn,
];

export const volumeAttachmentDefinition: ResourceDefinition = {
  group: STORAGE_GROUP,
  version: "v1",
  kind: "VolumeAttachment",
  plural: "volumeattachments",
  singular: "volumeattachment",
  namespaced: false,
  statusSubresource: true,
  printerColumns: columns,
  strategy,
};
