/**
 * Ingress spec validation (upstream pkg/apis/networking/validation ValidateIngressSpec and
 * friends, 1.32): rules with hosts and HTTP paths, backends that name a Service port or a typed
 * resource, TLS hosts and secrets. Two checks relax on update for objects stored before they
 * existed: invalid TLS secret names, and the paths of wildcard-host rules.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { GoSyntax, invalidGo } from "../../validation/go-syntax.ts";
import { isIP } from "../../validation/ip.ts";
import { isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from "../../validation/names.ts";
import { isValidPathSegmentName } from "../../validation/path-segment.ts";
import { validateHost } from "./hostnames.ts";
import type { HTTPIngressPath, Ingress, IngressBackend, IngressRule, IngressSpec, TypedLocalObjectReference } from "./types.ts";

export interface IngressValidationOptions {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

export const STRICT: IngressValidationOptions = { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false };

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];
const CLASS_ANNOTATION = "kubernetes.io/ingress.class";

export function validateIngressSpec(spec: IngressSpec, opts: IngressValidationOptions): FieldError[] {
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  const rules = spec.rules;
  if (!rules?.length && !spec.defaultBackend) {
    const shown = new GoSyntax(rules ? "[]networking.IngressRule{}" : "[]networking.IngressRule(nil)");
    errs.push(invalidGo(path, shown, "either `defaultBackend` or `rules` must be specified"));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, path.child("defaultBackend")));
  (rules ?? []).forEach((rule, i) => errs.push(...validateRule(rule ?? {}, path.child("rules").index(i), opts)));
  (spec.tls ?? []).forEach((tls, i) => {
    const p = path.child("tls").index(i);
    (tls?.hosts ?? []).forEach((host, j) => errs.push(...validateHost(host, p.child("hosts").index(j))));
    if (!opts.allowInvalidSecretName && tls?.secretName) errs.push(...invalidEach(p.child("secretName"), tls.secretName, isDNS1123Subdomain(tls.secretName)));
  });
  if (spec.ingressClassName != null) {
    errs.push(...invalidEach(path.child("ingressClassName"), spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  }
  return errs;
}

/** The deprecated class annotation and spec.ingressClassName must agree when both are set (create only). */
export function validateClassAnnotation(ingress: Ingress): FieldError[] {
  const annotation = ingress.metadata?.annotations?.[CLASS_ANNOTATION];
  const className = ingress.spec?.ingressClassName;
  if (annotation === undefined || className == null || annotation === className) return [];
  return [field.invalid(FieldPath.root("annotations").child(CLASS_ANNOTATION), annotation, "must match `ingressClassName` when both are specified")];
}

export function classAnnotationWarnings(ingress: Ingress): string[] {
  const hasAnnotation = ingress.metadata?.annotations?.[CLASS_ANNOTATION] !== undefined;
  return hasAnnotation && ingress.spec?.ingressClassName == null ? [`annotation "${CLASS_ANNOTATION}" is deprecated, please use 'spec.ingressClassName' instead`] : [];
}

function validateRule(rule: IngressRule, path: FieldPath, opts: IngressValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const host = rule.host ?? "";
  if (host) {
    if (isIP(host)) errs.push(field.invalid(path.child("host"), host, "must be a DNS name, not an IP address"));
    errs.push(...validateHost(host, path.child("host")));
  }
  if (!(host.includes("*") && opts.allowInvalidWildcardHostRule)) errs.push(...validateRuleValue(rule, path));
  return errs;
}

function validateRuleValue(rule: IngressRule, path: FieldPath): FieldError[] {
  if (!rule.http) return [];
  const paths = rule.http.paths ?? [];
  const p = path.child("http", "paths");
  const errs = paths.length === 0 ? [field.required(p)] : [];
  paths.forEach((httpPath, i) => errs.push(...validateHTTPPath(httpPath ?? {}, p.index(i))));
  return errs;
}

function validateHTTPPath(httpPath: Partial<HTTPIngressPath>, path: FieldPath): FieldError[] {
  if (httpPath.pathType == null) return [field.required(path.child("pathType"), "pathType must be specified")];
  const value = httpPath.path ?? "";
  const errs: FieldError[] = [];
  const notAbsolute = () => field.invalid(path.child("path"), value, "must be an absolute path");
  switch (httpPath.pathType) {
    case "Exact":
    case "Prefix":
      if (!value.startsWith("/")) errs.push(notAbsolute());
      for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) errs.push(field.invalid(path.child("path"), value, `must not contain '${seq}'`));
      for (const suffix of INVALID_SUFFIXES) if (value.endsWith(suffix)) errs.push(field.invalid(path.child("path"), value, `cannot end with '${suffix}'`));
      break;
    case "ImplementationSpecific":
      if (value && !value.startsWith("/")) errs.push(notAbsolute());
      break;
    default:
      errs.push(field.notSupported(path.child("pathType"), httpPath.pathType, PATH_TYPES));
  }
  return [...errs, ...validateBackend(httpPath.backend ?? {}, path.child("backend"))];
}

/** A backend is either a Service port (by name or number) or a typed resource. */
export function validateBackend(backend: IngressBackend, path: FieldPath): FieldError[] {
  if (backend.resource && backend.service) return [field.invalid(path, "", "cannot set both resource and service backends")];
  if (backend.resource) return validateTypedReference(backend.resource, path.child("resource"));
  if (!backend.service) return [field.invalid(path, "", "resource or service backend is required")];
  const service = backend.service;
  const errs: FieldError[] = [];
  if (!service.name) errs.push(field.required(path.child("service", "name")));
  else errs.push(...invalidEach(path.child("service", "name"), service.name, isDNS1035Label(service.name)));
  const portName = service.port?.name ?? "";
  const portNumber = service.port?.number ?? 0;
  if (portName && portNumber) errs.push(field.invalid(path, "", "cannot set both port name & port number"));
  else if (portName) errs.push(...invalidEach(path.child("service", "port", "name"), portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(path.child("service", "port", "number"), portNumber, isValidPortNum(portNumber)));
  else errs.push(field.required(path, "port name or number is required"));
  return errs;
}

export function validateTypedReference(ref: Partial<TypedLocalObjectReference>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup != null) errs.push(...invalidEach(path.child("apiGroup"), ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  for (const key of ["kind", "name"] as const) {
    const value = ref[key] ?? "";
    if (!value) errs.push(field.required(path.child(key)));
    else errs.push(...invalidEach(path.child(key), value, isValidPathSegmentName(value)));
  }
  return errs;
}

/** Options for an update: keep accepting what the stored object already got away with. */
export function updateOptions(old: Ingress): IngressValidationOptions {
  const tls = old.spec?.tls ?? [];
  const rules = old.spec?.rules ?? [];
  return {
    allowInvalidSecretName: tls.some((t) => t?.secretName && isDNS1123Subdomain(t.secretName).length > 0),
    allowInvalidWildcardHostRule: rules.some((r) => (r?.host ?? "").includes("*") && validateRuleValue(r, FieldPath.root("")).length > 0),
  };
}
