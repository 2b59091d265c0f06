/**
 * node.k8s.io/v1 RuntimeClass (upstream pkg/apis/node/validation, printRuntimeClass): names a
 * container runtime handler, with the pod overhead and the scheduling constraints that come with
 * it. The handler is fixed once set.
 */
import type { V1RuntimeClass, V1Toleration } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { duplicateGo, goNilPointer, goPointer, goStruct } from "../../validation/go-syntax.ts";
import { validateLabels } from "../../validation/labels.ts";
import { isDNS1123Label } from "../../validation/names.ts";
import { canonicalizeResourceList } from "../core/quantities.ts";
import { validateResourceRequirements } from "../core/resource-validation.ts";
import { validateTolerations } from "../core/scheduling-validation.ts";
import { ageColumn, nameColumn } from "../printing.ts";

export type RuntimeClass = Wire<V1RuntimeClass>;
type Toleration = Wire<V1Toleration>;

const runtimeClass = (obj: KubeObject) => obj as unknown as RuntimeClass;

/** `handler` has no omitempty upstream; overhead quantities are canonical and milli-rounded (SetDefaults_ResourceList). */
export function defaultRuntimeClass(rc: RuntimeClass): void {
  rc.handler ??= "";
  canonicalizeResourceList(rc.overhead?.podFixed);
}

/** Go's %#v of the internal core.Toleration, which the duplicate error quotes. */
function shownToleration(t: Toleration) {
  return goStruct("core.Toleration", [
    ["Key", t.key ?? ""],
    ["Operator", t.operator ?? ""],
    ["Value", t.value ?? ""],
    ["Effect", t.effect ?? ""],
    ["TolerationSeconds", t.tolerationSeconds != null ? goPointer("int64") : goNilPointer("int64")],
  ]);
}

/** The pod-spec rules, plus no two tolerations alike in key, operator, value and effect. */
function validateSchedulingTolerations(tolerations: Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs = validateTolerations(tolerations, path);
  const seen = new Set<string>();
  (tolerations ?? []).forEach((t, i) => {
    const key = JSON.stringify([t.key ?? "", t.operator ?? "", t.value ?? "", t.effect ?? ""]);
    if (seen.has(key)) errs.push(duplicateGo(path.index(i), shownToleration(t)));
    else seen.add(key);
  });
  return errs;
}

export function validateRuntimeClass(rc: RuntimeClass): FieldError[] {
  const handler = rc.handler ?? "";
  const errs = invalidEach("handler", handler, isDNS1123Label(handler));
  if (rc.overhead) errs.push(...validateResourceRequirements({ limits: rc.overhead.podFixed }, new Set(), FieldPath.root("overhead")));
  if (rc.scheduling) {
    const path = FieldPath.root("scheduling");
    if (rc.scheduling.nodeSelector) errs.push(...validateLabels(rc.scheduling.nodeSelector, path.child("nodeSelector")));
    errs.push(...validateSchedulingTolerations(rc.scheduling.tolerations, path.child("tolerations")));
  }
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultRuntimeClass(runtimeClass(obj)),
  validate: (obj) => validateRuntimeClass(runtimeClass(obj)),
  validateUpdate: (obj, old) => {
    const handler = runtimeClass(obj).handler ?? "";
    return handler === (runtimeClass(old).handler ?? "") ? [] : [field.immutable("handler", handler)];
  },
};

export const runtimeClassDefinition: ResourceDefinition = {
  group: "node.k8s.io",
  version: "v1",
  kind: "RuntimeClass",
  plural: "runtimeclasses",
  singular: "runtimeclass",
  namespaced: false,
  printerColumns: [
    nameColumn,
    // Upstream looks the description up under a key ObjectMeta's docs lack, so it is empty.
    { name: "Handler", type: "string", format: "", description: "", priority: 0, cell: (obj) => runtimeClass(obj).handler ?? "" },
    ageColumn,
  ],
  strategy,
};
