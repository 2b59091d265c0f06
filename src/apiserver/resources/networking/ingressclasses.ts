/**
 * networking.k8s.io/v1 IngressClass (upstream SetDefaults_IngressClass, ValidateIngressClass,
 * printIngressClass). The controller that implements a class is fixed once set. The
 * `ingressclass.kubernetes.io/is-default-class` annotation is plain data to the API server: the
 * admission plugin that reads it is not part of this.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isDNS1123Label, isDNS1123Subdomain } from "../../validation/names.ts";
import { isValidPathSegmentName } from "../../validation/path-segment.ts";
import { ageColumn, columnsOf, nameColumn } from "../printing.ts";
import { validateDomainPrefixedPath } from "./hostnames.ts";
import { NETWORKING_GROUP, view, type IngressClass, type IngressClassParameters } from "./types.ts";

const CONTROLLER_MAX = 250;
const SCOPES = ["Cluster", "Namespace"];

const ingressClass = (obj: KubeObject) => view<IngressClass>(obj);

export function defaultIngressClass(ic: IngressClass): void {
  const spec = (ic.spec ??= {});
  if (spec.parameters) spec.parameters.scope ??= "Cluster";
}

function validateController(controller: string | undefined, path: FieldPath): FieldError[] {
  if (!controller) return [field.required(path)];
  const errs = controller.length > CONTROLLER_MAX ? [field.tooLong(path, CONTROLLER_MAX)] : [];
  return [...errs, ...validateDomainPrefixedPath(controller, path)];
}

/** A parameters reference names a kind and object, cluster-wide or in one namespace. */
function validateParameters(params: Partial<IngressClassParameters>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (params.apiGroup != null) errs.push(...invalidEach(path.child("apiGroup"), params.apiGroup, isDNS1123Subdomain(params.apiGroup)));
  for (const key of ["kind", "name"] as const) {
    const value = params[key] ?? "";
    if (!value) errs.push(field.required(path.child(key)));
    else errs.push(...invalidEach(path.child(key), value, isValidPathSegmentName(value)));
  }
  if (params.scope == null) return [...errs, field.required(path.child("scope"))];
  if (!SCOPES.includes(params.scope)) return [...errs, field.notSupported(path.child("scope"), params.scope, SCOPES)];
  if (params.scope === "Namespace") {
    if (params.namespace == null) errs.push(field.required(path.child("namespace"), "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...invalidEach(path.child("namespace"), params.namespace, isDNS1123Label(params.namespace)));
  } else if (params.namespace != null) {
    errs.push(field.forbidden(path.child("namespace"), "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

export function validateIngressClassSpec(ic: IngressClass): FieldError[] {
  const path = FieldPath.root("spec");
  const errs = validateController(ic.spec?.controller, path.child("controller"));
  if (ic.spec?.parameters) errs.push(...validateParameters(ic.spec.parameters, path.child("parameters")));
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultIngressClass(ingressClass(obj)),
  validate: (obj) => validateIngressClassSpec(ingressClass(obj)),
  validateUpdate: (obj, old) => {
    const controller = ingressClass(obj).spec?.controller ?? "";
    return controller === (ingressClass(old).spec?.controller ?? "") ? [] : [field.immutable(FieldPath.root("spec").child("controller"), controller)];
  },
};

/** "Kind[.apiGroup]/name", or "<none>". */
export function formatParameters(params: IngressClassParameters | undefined): string {
  if (!params) return "<none>";
  const kind = params.apiGroup != null ? `${params.kind}.${params.apiGroup}` : params.kind;
  return `${kind}/${params.name}`;
}

const column = columnsOf<IngressClass>();

export const ingressClassDefinition: ResourceDefinition = {
  group: NETWORKING_GROUP,
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  singular: "ingressclass",
  namespaced: false,
  tracksGeneration: true,
  printerColumns: [
    nameColumn,
    column("Controller", "Controller that is responsible for handling this class", (ic) => ic.spec?.controller ?? ""),
    column("Parameters", "A reference to a resource with additional parameters", (ic) => formatParameters(ic.spec?.parameters)),
    ageColumn,
  ],
  strategy,
};
