/**
 * core/v1 namespaces: the kubernetes.io/metadata.name label, the "kubernetes" finalizer and
 * Active/Terminating phase (upstream's namespace strategy), the STATUS column and the
 * status.phase field selector.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { FieldPath, invalidEach, field } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { FINALIZE_SUBRESOURCE, namespaceFinalize } from "./namespace-finalize.ts";
import { view, type Namespace } from "./types.ts";

const NAME_LABEL = "kubernetes.io/metadata.name";
const KUBERNETES_FINALIZER = "kubernetes";
const STANDARD_FINALIZERS = ["kubernetes", "orphan", "foregroundDeletion"];

/** upstream's SetDefaults_Namespace and SetDefaults_NamespaceStatus. */
export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata?.name;
  if (name) ns.metadata!.labels = { ...ns.metadata!.labels, [NAME_LABEL]: name };
  ns.status = { ...ns.status, phase: ns.status?.phase || "Active" };
}

const strategy: Strategy = {
  defaults: (obj) => defaultNamespace(view<Namespace>(obj)),
  prepareForCreate(obj) {
    const ns = view<Namespace>(obj);
    ns.status = { phase: "Active" };
    const spec = (ns.spec ??= {});
    // Every new namespace waits for its contents to be deleted before it goes.
    if (!(spec.finalizers ?? []).includes(KUBERNETES_FINALIZER)) spec.finalizers = [...(spec.finalizers ?? []), KUBERNETES_FINALIZER];
  },
  prepareForUpdate(obj, old, ctx) {
    // spec.finalizers change only through the finalize subresource (upstream's finalize strategy).
    if (ctx.subresource === FINALIZE_SUBRESOURCE) return;
    const ns = view<Namespace>(obj);
    const prev = view<Namespace>(old);
    ns.spec = { ...ns.spec, finalizers: prev.spec?.finalizers };
    if (!ns.spec.finalizers) delete ns.spec.finalizers;
  },
  validate: (obj) => validateNamespaceFinalizers(view<Namespace>(obj)),
  prepareForDelete(obj) {
    const ns = view<Namespace>(obj);
    ns.status = { ...ns.status, phase: "Terminating" };
  },
};

export function validateNamespaceFinalizers(ns: Namespace): FieldError[] {
  const path = FieldPath.root("spec").child("finalizers");
  const errs: FieldError[] = [];
  for (const f of ns.spec?.finalizers ?? []) {
    errs.push(...invalidEach(path, f, isQualifiedName(f)));
    if (!f.includes("/") && !STANDARD_FINALIZERS.includes(f)) errs.push(field.invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"));
  }
  return errs;
}

export const namespaceDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  returnDeletedObject: true,
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  statusSubresource: true,
  nameRule: "label",
  printerColumns: [nameColumn, column<Namespace>("Status", "The status of the namespace", (ns) => ns.status?.phase ?? ""), ageColumn],
  fieldSelectors: { "status.phase": (o: KubeObject) => view<Namespace>(o).status?.phase ?? "" },
  strategy,
  extraFinalizers: (obj) => view<Namespace>(obj).spec?.finalizers ?? [],
  extraSubresources: [namespaceFinalize],
};
