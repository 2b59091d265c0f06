/**
 * coordination.k8s.io/v1 Lease: leader election and node heartbeats (upstream
 * pkg/registry/coordination/lease and pkg/apis/coordination/validation).
 */
import type { V1Lease } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { ageColumn, nameColumn } from "../printing.ts";

type Lease = Wire<V1Lease>;
type LeaseSpec = NonNullable<Lease["spec"]>;

const lease = (obj: KubeObject) => obj as Lease;

const holderColumn: PrinterColumn = {
  name: "Holder",
  type: "string",
  format: "",
  description:
    "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
  priority: 0,
  cell: (obj) => lease(obj).spec?.holderIdentity ?? "",
};

/** upstream's ValidateLeaseSpec (strategy and preferredHolder never get this far: see below). */
export function validateLeaseSpec(spec: LeaseSpec | undefined): FieldError[] {
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  if (spec?.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(field.invalid(path.child("leaseDurationSeconds"), spec.leaseDurationSeconds, "must be greater than 0"));
  }
  if (spec?.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(field.invalid(path.child("leaseTransitions"), spec.leaseTransitions, "must be greater than or equal to 0"));
  }
  return errs;
}

/**
 * strategy and preferredHolder belong to the CoordinatedLeaderElection feature, alpha and off in
 * 1.32: upstream drops them on create, and on update unless the stored lease already had them.
 */
function dropAlphaFields(spec: LeaseSpec, old?: LeaseSpec): void {
  if (old?.strategy == null) delete spec.strategy;
  if (old?.preferredHolder == null) delete spec.preferredHolder;
}

const strategy: Strategy = {
  defaults(obj) {
    // LeaseSpec is a Go struct: it is always written, as `spec: {}` when empty.
    lease(obj).spec ??= {};
  },
  prepareForCreate(obj) {
    dropAlphaFields((lease(obj).spec ??= {}));
  },
  prepareForUpdate(obj, old) {
    dropAlphaFields((lease(obj).spec ??= {}), lease(old).spec);
  },
  validate: (obj) => validateLeaseSpec(lease(obj).spec),
};

export const leaseDefinition: ResourceDefinition = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  // Leader election writes leases with PUT, creating them when missing.
  allowCreateOnUpdate: true,
  printerColumns: [nameColumn, holderColumn, ageColumn],
  strategy,
};
