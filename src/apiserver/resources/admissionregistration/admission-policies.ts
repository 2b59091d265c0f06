/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * (upstream defaults.go, validation.go and strategies): stored, defaulted and checked. Their CEL
 * expressions are only checked for presence; compiling and evaluating them is later work.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { validateConditions } from "../../validation/conditions.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from "../../validation/names.ts";
import { column } from "../core/columns.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { FAILURE_POLICIES, defaultMatchResources, validateMatchConditions, validateMatchResources } from "./rules.ts";
import { isValidPathSegmentName } from "../../validation/path-segment.ts";
import type { LabelSelector, ParamRef, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "./types.ts";

const REASONS = ["Forbidden", "Invalid", "RequestEntityTooLarge"];
const ACTIONS = ["Audit", "Deny", "Warn"];
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_VALUE_EXPRESSION = 5 * 1024;
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

const policy = (obj: KubeObject) => obj as ValidatingAdmissionPolicy;
const binding = (obj: KubeObject) => obj as ValidatingAdmissionPolicyBinding;

/** upstream's parseGroupVersion for a paramKind apiVersion. */
function parseGroupVersion(text: string): { group: string; version: string } | string {
  if (text === "" || text === "/") return { group: "", version: "" };
  const parts = text.split("/");
  if (parts.length === 1) return { group: "", version: text };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return `unexpected GroupVersion string: ${text}`;
}

function validateParamKind(kind: { apiVersion?: string; kind?: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = kind.apiVersion ?? "";
  const avPath = path.child("apiVersion");
  if (!apiVersion) errs.push(field.required(avPath));
  else {
    const gv = parseGroupVersion(apiVersion);
    if (typeof gv === "string") errs.push(field.invalid(avPath, apiVersion, gv));
    else {
      if (gv.group) {
        const problems = isDNS1123Subdomain(gv.group);
        if (problems.length) errs.push(field.invalid(avPath, gv.group, problems.join(",")));
      }
      if (!gv.version) errs.push(field.invalid(avPath, apiVersion, "version must be specified"));
      else {
        const problems = isDNS1035Label(gv.version);
        if (problems.length) errs.push(field.invalid(avPath, gv.version, problems.join(",")));
      }
    }
  }
  const k = kind.kind ?? "";
  if (!k) errs.push(field.required(path.child("kind")));
  else {
    const problems = isDNS1035Label(k.toLowerCase());
    if (problems.length) errs.push(field.invalid(path.child("kind"), k, `may have mixed case, but should otherwise match: ${problems.join(",")}`));
  }
  return errs;
}

/** upstream's validateValidatingAdmissionPolicySpec, CEL compilation aside. */
export function validatePolicy(obj: ValidatingAdmissionPolicy): FieldError[] {
  const spec = obj.spec ?? {};
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  if (spec.failurePolicy == null) errs.push(field.required(path.child("failurePolicy")));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(field.notSupported(path.child("failurePolicy"), spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind, path.child("paramKind")));
  if (!spec.matchConstraints) errs.push(field.required(path.child("matchConstraints")));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, path.child("matchConstraints")));
    // The resource rules give the expressions their type information.
    if ((spec.matchConstraints.resourceRules ?? []).length === 0) errs.push(field.required(path.child("matchConstraints", "resourceRules")));
  }
  errs.push(...validateMatchConditions(spec.matchConditions, path.child("matchConditions")));
  const validations = spec.validations ?? [];
  const audits = spec.auditAnnotations ?? [];
  if (validations.length === 0 && audits.length === 0) {
    errs.push(field.required(path.child("validations"), "validations or auditAnnotations must contain at least one item"));
    errs.push(field.required(path.child("auditAnnotations"), "validations or auditAnnotations must contain at least one item"));
  } else {
    validations.forEach((v, i) => {
      const p = path.child("validations").index(i);
      if (!(v.expression ?? "").trim()) errs.push(field.required(p.child("expression"), "expression is not specified"));
      if (v.messageExpression && !v.messageExpression.trim()) errs.push(field.invalid(p.child("messageExpression"), v.messageExpression, "must be non-empty if specified"));
      const message = v.message ?? "";
      if (message && !message.trim()) errs.push(field.invalid(p.child("message"), message, "message must be non-empty if specified"));
      else if (/[\n\r]/.test(message.trim())) errs.push(field.invalid(p.child("message"), message, "message must not contain line breaks"));
      if (v.reason != null && !REASONS.includes(v.reason)) errs.push(field.notSupported(p.child("reason"), v.reason, REASONS));
    });
    if (audits.length > MAX_AUDIT_ANNOTATIONS) errs.push(field.invalid(path.child("auditAnnotations"), audits, `must not have more than ${MAX_AUDIT_ANNOTATIONS} items`));
    const keys = new Set<string>();
    audits.forEach((a, i) => {
      const p = path.child("auditAnnotations").index(i);
      const name = obj.metadata?.name ?? "";
      if (name) errs.push(...invalidEach(p.child("key"), `${name}/${a.key}`, isQualifiedName(`${name}/${a.key}`)));
      else errs.push(field.invalid(p.child("key"), a.key, "requires metadata.name be non-empty"));
      const value = (a.valueExpression ?? "").trim();
      if (!value) errs.push(field.required(p.child("valueExpression"), "valueExpression is not specified"));
      else if (value.length > MAX_VALUE_EXPRESSION) errs.push(field.required(p.child("valueExpression"), `must not exceed ${MAX_VALUE_EXPRESSION} bytes in length`));
      if (keys.has(a.key)) errs.push(field.duplicate(p.child("key"), a.key));
      keys.add(a.key);
    });
  }
  (spec.variables ?? []).forEach((v, i) => {
    const p = path.child("variables").index(i);
    if (!v.name) errs.push(field.required(p.child("name"), "name is not specified"));
    else if (!CEL_IDENTIFIER.test(v.name)) errs.push(field.invalid(p.child("name"), v.name, "name is not a valid CEL identifier"));
    if (!(v.expression ?? "").trim()) errs.push(field.required(p.child("expression"), "expression is not specified"));
  });
  return errs;
}

/** upstream's validateValidatingAdmissionPolicyStatus: type-checking warnings and conditions. */
export function validatePolicyStatus(obj: ValidatingAdmissionPolicy): FieldError[] {
  const status = obj.status ?? {};
  const path = FieldPath.root("status");
  const errs: FieldError[] = [];
  (status.typeChecking?.expressionWarnings ?? []).forEach((w, i) => {
    const p = path.child("typeChecking", "expressionWarnings").index(i);
    if (!w.fieldRef) errs.push(field.required(p.child("fieldRef")));
    if (!w.warning) errs.push(field.required(p.child("warning")));
  });
  return [...errs, ...validateConditions(status.conditions, path.child("conditions"))];
}

function validateParamRef(ref: ParamRef | undefined, path: FieldPath): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  if (ref.name) {
    errs.push(...invalidEach(path.child("name"), ref.name, isValidPathSegmentName(ref.name)));
    if (ref.selector) errs.push(field.forbidden(path.child("name"), "name and selector are mutually exclusive"));
  }
  if (ref.namespace) errs.push(...invalidEach(path.child("namespace"), ref.namespace, isDNS1123Label(ref.namespace)));
  const action = ref.parameterNotFoundAction;
  if (!action) errs.push(field.required(path.child("parameterNotFoundAction")));
  else if (action !== "Deny" && action !== "Allow") errs.push(field.notSupported(path.child("parameterNotFoundAction"), action, ["Deny", "Allow"]));
  if (ref.selector) {
    errs.push(...validateLabelSelector(ref.selector, path.child("selector")));
    if (ref.name) errs.push(field.forbidden(path.child("selector"), "name and selector are mutually exclusive"));
  }
  if (!ref.name && !ref.selector) errs.push(field.required(path, "one of name or selector must be specified"));
  return errs;
}

/** upstream's validateValidatingAdmissionPolicyBindingSpec. */
export function validateBinding(obj: ValidatingAdmissionPolicyBinding): FieldError[] {
  const spec = obj.spec ?? {};
  const path = FieldPath.root("spec");
  const errs: FieldError[] = [];
  const policyName = spec.policyName ?? "";
  if (!policyName) errs.push(field.required(path.child("policyName")));
  else errs.push(...invalidEach(path.child("policyName"), policyName, isDNS1123Subdomain(policyName)));
  errs.push(...validateParamRef(spec.paramRef, path.child("paramRef")));
  errs.push(...validateMatchResources(spec.matchResources, path.child("matchResources")));
  const actionsPath = path.child("validationActions");
  const actions = spec.validationActions ?? [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(field.notSupported(actionsPath.index(i), a, ACTIONS));
    if (seen.has(a)) errs.push(field.duplicate(actionsPath.index(i), a));
    seen.add(a);
  });
  if (seen.has("Deny") && seen.has("Warn")) {
    errs.push(field.invalid(actionsPath, actions, "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"));
  }
  if (seen.size === 0) errs.push(field.required(actionsPath, "at least one validation action is required"));
  return errs;
}

/** metav1.LabelSelector's generated String(), which upstream's binding printer uses for a param selector. */
export function goLabelSelectorString(sel: LabelSelector): string {
  const labels = sel.matchLabels ?? {};
  const map = Object.keys(labels)
    .sort()
    .map((k) => `${k}: ${labels[k]},`)
    .join("");
  const exprs = (sel.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(" ")}],},`).join("");
  return `&LabelSelector{MatchLabels:map[string]string{${map}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

function paramRefCell(ref: ParamRef | undefined): string {
  if (!ref) return "<unset>";
  // Whether the param is cluster-scoped cannot be told from here, so a name without namespace shows "*/".
  if (ref.name) return ref.namespace ? `${ref.namespace}/${ref.name}` : `*/${ref.name}`;
  return ref.selector ? goLabelSelectorString(ref.selector) : "<unset>";
}

const policyStrategy: Strategy = {
  defaults(obj) {
    const spec = (policy(obj).spec ??= {});
    spec.failurePolicy ??= "Fail";
    defaultMatchResources(spec.matchConstraints);
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate: (obj) => validatePolicy(policy(obj)),
  validateStatusUpdate: (obj) => validatePolicyStatus(policy(obj)),
};

const bindingStrategy: Strategy = {
  defaults(obj) {
    const spec = (binding(obj).spec ??= {});
    defaultMatchResources(spec.matchResources);
    if (spec.paramRef) spec.paramRef.parameterNotFoundAction ??= "Deny";
  },
  validate: (obj) => validateBinding(binding(obj)),
};

const common = { group: "admissionregistration.k8s.io", version: "v1", categories: ["api-extensions"], namespaced: false, tracksGeneration: true };

export const validatingAdmissionPolicyDefinition: ResourceDefinition = {
  ...common,
  kind: "ValidatingAdmissionPolicy",
  plural: "validatingadmissionpolicies",
  singular: "validatingadmissionpolicy",
  statusSubresource: true,
  printerColumns: [
    nameColumn,
    column<ValidatingAdmissionPolicy>("Validations", "Validations indicates the number of validation rules defined in this configuration", (p) => (p.spec?.validations ?? []).length, { type: "integer" }),
    column<ValidatingAdmissionPolicy>("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy", (p) =>
      p.spec?.paramKind ? `${p.spec.paramKind.apiVersion ?? ""}/${p.spec.paramKind.kind ?? ""}` : "<unset>",
    ),
    ageColumn,
  ] satisfies PrinterColumn[],
  strategy: policyStrategy,
};

export const validatingAdmissionPolicyBindingDefinition: ResourceDefinition = {
  ...common,
  kind: "ValidatingAdmissionPolicyBinding",
  plural: "validatingadmissionpolicybindings",
  singular: "validatingadmissionpolicybinding",
  printerColumns: [
    nameColumn,
    column<ValidatingAdmissionPolicyBinding>("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to", (b) => b.spec?.policyName ?? ""),
    column<ValidatingAdmissionPolicyBinding>("ParamRef", "ParamRef indicates the param resource which sets the configration param", (b) => paramRefCell(b.spec?.paramRef)),
    ageColumn,
  ],
  strategy: bindingStrategy,
};
