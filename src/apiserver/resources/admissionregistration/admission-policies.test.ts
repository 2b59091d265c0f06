import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create } from "../workloads/testing.ts";
import { goLabelSelectorString, validatingAdmissionPolicyBindingDefinition as bindingDef, validatingAdmissionPolicyDefinition as policyDef } from "./admission-policies.ts";

const policy = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "p" }, spec });
const binding = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "b" }, spec });
const podRules = { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] };

describe("validatingadmissionpolicies", () => {
  test("defaults: failurePolicy Fail and the match constraints completed; an empty status", () => {
    const { obj, errors } = create(policyDef, policy({ matchConstraints: podRules, validations: [{ expression: "object.spec.replicas < 5" }] }));
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({
      failurePolicy: "Fail",
      matchConstraints: { matchPolicy: "Equivalent", namespaceSelector: {}, objectSelector: {}, resourceRules: [{ scope: "*" }] },
    });
    expect(obj.status).toEqual({});
  });

  test("validation: match constraints with resource rules, something to check, well-formed parts", () => {
    expect(create(policyDef, policy({})).errors).toEqual([
      "spec.matchConstraints: Required value",
      "spec.validations: Required value: validations or auditAnnotations must contain at least one item",
      "spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item",
    ]);
    const { errors } = create(
      policyDef,
      policy({
        failurePolicy: "Never",
        paramKind: { apiVersion: "a/b/c", kind: "Config_Map" },
        matchConstraints: { resourceRules: [] },
        validations: [{ expression: "", message: "two\nlines", reason: "Teapot" }],
        variables: [{ name: "1x", expression: "" }],
      }),
    );
    expect(errors).toEqual([
      'spec.failurePolicy: Unsupported value: "Never": supported values: "Fail", "Ignore"',
      'spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      expect.stringContaining('spec.paramKind.kind: Invalid value: "Config_Map": may have mixed case, but should otherwise match: a DNS-1035 label'),
      "spec.matchConstraints.resourceRules: Required value",
      "spec.validations[0].expression: Required value: expression is not specified",
      'spec.validations[0].message: Invalid value: "two\\nlines": message must not contain line breaks',
      'spec.validations[0].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
      'spec.variables[0].name: Invalid value: "1x": name is not a valid CEL identifier',
      "spec.variables[0].expression: Required value: expression is not specified",
    ]);
  });

  test("NAME VALIDATIONS PARAMKIND AGE", () => {
    const obj = create(policyDef, policy({ matchConstraints: podRules, validations: [{ expression: "true" }], paramKind: { apiVersion: "v1", kind: "ConfigMap" } })).obj;
    expect(cells(policyDef, obj)).toEqual({ Name: "p", Validations: 1, ParamKind: "v1/ConfigMap", Age: "0s" });
  });
});

describe("validatingadmissionpolicybindings", () => {
  test("a policy name and at least one action, never Deny with Warn", () => {
    expect(create(bindingDef, binding({})).errors).toEqual(["spec.policyName: Required value", "spec.validationActions: Required value: at least one validation action is required"]);
    expect(create(bindingDef, binding({ policyName: "p", validationActions: ["Deny", "Warn", "Deny", "Log"] })).errors).toEqual([
      'spec.validationActions[2]: Duplicate value: "Deny"',
      'spec.validationActions[3]: Unsupported value: "Log": supported values: "Audit", "Deny", "Warn"',
      'spec.validationActions: Invalid value: ["Deny","Warn","Deny","Log"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    ]);
  });

  test("a paramRef names a param or selects some, not both; parameterNotFoundAction defaults to Deny", () => {
    const { obj, errors } = create(bindingDef, binding({ policyName: "p", validationActions: ["Deny"], paramRef: { name: "cfg" } }));
    expect(errors).toEqual([]);
    expect((obj.spec as { paramRef: unknown }).paramRef).toEqual({ name: "cfg", parameterNotFoundAction: "Deny" });
    expect(create(bindingDef, binding({ policyName: "p", validationActions: ["Deny"], paramRef: { name: "cfg", selector: {}, parameterNotFoundAction: "Ignore" } })).errors).toEqual([
      "spec.paramRef.name: Forbidden: name and selector are mutually exclusive",
      'spec.paramRef.parameterNotFoundAction: Unsupported value: "Ignore": supported values: "Deny", "Allow"',
      "spec.paramRef.selector: Forbidden: name and selector are mutually exclusive",
    ]);
    expect(create(bindingDef, binding({ policyName: "p", validationActions: ["Deny"], paramRef: {} })).errors).toEqual(["spec.paramRef: Required value: one of name or selector must be specified"]);
  });

  test("NAME POLICYNAME PARAMREF AGE", () => {
    const cell = (paramRef?: Record<string, unknown>) => cells(bindingDef, create(bindingDef, binding({ policyName: "p", validationActions: ["Deny"], paramRef })).obj).ParamRef;
    expect(cell()).toBe("<unset>");
    expect(cell({ name: "cfg" })).toBe("*/cfg");
    expect(cell({ name: "cfg", namespace: "ns" })).toBe("ns/cfg");
    expect(cell({ selector: { matchLabels: { b: "2", a: "1" } } })).toBe("&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{},}");
    expect(goLabelSelectorString({ matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }] })).toBe(
      "&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[a b],},},}",
    );
  });
});
