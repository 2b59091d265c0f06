/**
 * storage.k8s.io/v1 CSINode (upstream ValidateCSINode(Update), printCSINode): the CSI drivers a
 * kubelet registered on its node, named like the node. A registered driver entry is fixed; drivers
 * come and go as whole entries.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { goNilPointer, goPointer, goSlice, goStruct, invalidGo } from "../../validation/go-syntax.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import { validateCSIDriver } from "../core/volume-validation.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { STORAGE_GROUP, view, type CSINode, type CSINodeDriver } from "./types.ts";

/** Upstream's strategy allows the longer node IDs (256) on create and update alike. */
const NODE_ID_MAX = 256;

const csiNode = (obj: KubeObject) => view<CSINode>(obj);

/** `drivers` and each driver's `topologyKeys` have no omitempty upstream. */
export function defaultCSINode(node: CSINode): void {
  const spec = (node.spec ??= {});
  if (spec.drivers === undefined) spec.drivers = null;
  for (const d of spec.drivers ?? []) if (d && d.topologyKeys === undefined) d.topologyKeys = null;
}

function validateDriver(d: CSINodeDriver, path: FieldPath, names: Set<string>): FieldError[] {
  const errs = validateCSIDriver(d.name ?? "", path.child("name"));
  const nodeID = d.nodeID ?? "";
  if (!nodeID) errs.push(field.required(path.child("nodeID")));
  if (nodeID.length > NODE_ID_MAX) errs.push(field.invalid(path.child("nodeID"), nodeID, `must be ${NODE_ID_MAX} characters or less`));
  if (d.allocatable?.count != null) errs.push(...validateNonnegative(d.allocatable.count, path.child("allocatable", "count")));
  if (names.has(d.name ?? "")) errs.push(field.duplicate(path.child("name"), d.name ?? ""));
  names.add(d.name ?? "");
  // Topology key problems are reported on the driver entry itself, as upstream does.
  const keys = new Set<string>();
  for (const key of d.topologyKeys ?? []) {
    if (!key) errs.push(field.required(path));
    if (keys.has(key)) errs.push(field.duplicate(path, key));
    keys.add(key);
    errs.push(...invalidEach(path, key, isQualifiedName(key)));
  }
  return errs;
}

export function validateCSINodeSpec(node: CSINode): FieldError[] {
  const path = FieldPath.root("spec").child("drivers");
  const names = new Set<string>();
  return (node.spec?.drivers ?? []).flatMap((d, i) => validateDriver(d ?? {}, path.index(i), names));
}

/** Go's %#v of the internal storage.CSINodeDriver, as the immutability error quotes it. */
function shownDriver(d: CSINodeDriver) {
  return goStruct("storage.CSINodeDriver", [
    ["Name", d.name ?? ""],
    ["NodeID", d.nodeID ?? ""],
    ["TopologyKeys", goSlice("string", d.topologyKeys)],
    ["Allocatable", d.allocatable ? goPointer("storage.VolumeNodeResources") : goNilPointer("storage.VolumeNodeResources")],
  ]);
}

function validateCSINodeUpdate(node: CSINode, old: CSINode): FieldError[] {
  const errs: FieldError[] = [];
  for (const before of old.spec?.drivers ?? []) {
    for (const after of node.spec?.drivers ?? []) {
      if (before?.name === after?.name && !semanticEqual(after, before)) errs.push(invalidGo("spec.drivers", shownDriver(after), "field is immutable"));
    }
  }
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultCSINode(csiNode(obj)),
  validate: (obj) => validateCSINodeSpec(csiNode(obj)),
  validateUpdate: (obj, old) => validateCSINodeUpdate(csiNode(obj), csiNode(old)),
};

export const csiNodeDefinition: ResourceDefinition = {
  group: STORAGE_GROUP,
  version: "v1",
  kind: "CSINode",
  plural: "csinodes",
  singular: "csinode",
  namespaced: false,
  printerColumns: [
    nameColumn,
    {
      name: "Drivers",
      type: "integer",
      format: "",
      description: "Drivers indicates the number of CSI drivers registered on the node",
      priority: 0,
      cell: (obj) => csiNode(obj).spec?.drivers?.length ?? 0,
    },
    ageColumn,
  ],
  strategy,
};
