/**
 * apps/v1 ControllerRevision: immutable snapshots of StatefulSet and DaemonSet templates
 * (upstream pkg/registry/apps/controllerrevision).
 */
import type { V1ControllerRevision, V1OwnerReference } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import { parseApiVersion, type KubeObject, type Wire } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";

type ControllerRevision = Wire<V1ControllerRevision>;

const revisionOf = (obj: KubeObject) => obj as ControllerRevision;

/** "statefulset.apps/web": the controlling owner as upstream's formatResourceName prints it. */
export function controllerName(owners: Array<Wire<V1OwnerReference>> | undefined): string {
  const ref = owners?.find((o) => o.controller);
  if (!ref) return "<none>";
  const { group } = parseApiVersion(ref.apiVersion ?? "");
  const kind = ref.kind ?? "";
  if (!group && !kind) return ref.name ?? "";
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name ?? ""}`;
}

const columns: PrinterColumn[] = [
  nameColumn,
  { name: "Controller", type: "string", format: "", description: "Controller of the object", priority: 0, cell: (obj) => controllerName(obj.metadata?.ownerReferences) },
  {
    name: "Revision",
    type: "string",
    format: "",
    description: "revision indicates the revision of the state represented by Data.",
    priority: 0,
    cell: (obj) => revisionOf(obj).revision ?? 0,
  },
  ageColumn,
];

export function validateControllerRevision(rev: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (rev.data == null) errs.push(field.required("data", "data is mandatory"));
  errs.push(...validateNonnegative(rev.revision, FieldPath.root("revision")));
  return errs;
}

const strategy: Strategy = {
  validate: (obj) => validateControllerRevision(revisionOf(obj)),
  validateUpdate(obj, old) {
    const data = revisionOf(obj).data;
    return semanticEqual(data, revisionOf(old).data) ? [] : [field.immutable("data", data ?? null)];
  },
};

export const controllerRevisionDefinition: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "ControllerRevision",
  plural: "controllerrevisions",
  singular: "controllerrevision",
  namespaced: true,
  printerColumns: columns,
  strategy,
};
