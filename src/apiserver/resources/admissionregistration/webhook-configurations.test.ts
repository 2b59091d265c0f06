import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, update } from "../workloads/testing.ts";
import { mutatingWebhookConfigurationDefinition as mutating, validatingWebhookConfigurationDefinition as validating } from "./webhook-configurations.ts";

const config = (kind: string, webhooks: Array<Record<string, unknown>>): KubeObject => ({ apiVersion: "admissionregistration.k8s.io/v1", kind, metadata: { name: "hooks" }, webhooks });
const hook = (extra: Record<string, unknown> = {}) => ({
  name: "check.example.com",
  clientConfig: { service: { namespace: "default", name: "checker" } },
  rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
  sideEffects: "None",
  admissionReviewVersions: ["v1"],
  ...extra,
});

describe("webhook configurations: defaults", () => {
  test("failurePolicy, matchPolicy, selectors, timeout, rule scope and service port, as v1 defaults them", () => {
    const { obj, errors } = create(validating, config("ValidatingWebhookConfiguration", [hook()]));
    expect(errors).toEqual([]);
    expect((obj.webhooks as unknown[])[0]).toEqual({
      ...hook(),
      clientConfig: { service: { namespace: "default", name: "checker", port: 443 } },
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "*" }],
      failurePolicy: "Fail",
      matchPolicy: "Equivalent",
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
    });
    expect((create(mutating, config("MutatingWebhookConfiguration", [hook()])).obj.webhooks as Array<Record<string, unknown>>)[0]!.reinvocationPolicy).toBe("Never");
    expect(validating.tracksGeneration).toBe(true);
  });
});

describe("webhook configurations: validation", () => {
  test("names, side effects, review versions and client config", () => {
    const { errors } = create(validating, config("ValidatingWebhookConfiguration", [hook({ name: "check", sideEffects: "Some", admissionReviewVersions: ["v2"], clientConfig: {} })]));
    expect(errors).toEqual([
      'webhooks[0].name: Invalid value: "check": should be a domain with at least three segments separated by dots',
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
      'webhooks[0].admissionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
    ]);
    const missing = create(validating, config("ValidatingWebhookConfiguration", [hook({ sideEffects: undefined, admissionReviewVersions: undefined })])).errors;
    expect(missing).toEqual(["webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun", "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1"]);
  });

  test("urls must be https, without user, query or fragment; service paths are DNS segments", () => {
    const url = (u: string) => create(validating, config("ValidatingWebhookConfiguration", [hook({ clientConfig: { url: u } })])).errors;
    expect(url("https://hooks.example.com/check")).toEqual([]);
    expect(url("http://u@hooks.example.com/check?x=1#f")).toEqual([
      "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
      'webhooks[0].clientConfig.url: Invalid value: "u": user information is not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "f": fragments are not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "x=1": query parameters are not permitted in the URL',
    ]);
    const path = create(validating, config("ValidatingWebhookConfiguration", [hook({ clientConfig: { service: { namespace: "d", name: "s", path: "/ok//Bad", port: 70000 } } })])).errors;
    expect(path).toEqual([
      "webhooks[0].clientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive",
      'webhooks[0].clientConfig.service.path: Invalid value: "/ok//Bad": segment[1] may not be empty',
      expect.stringContaining('webhooks[0].clientConfig.service.path: Invalid value: "/ok//Bad": segment[2]: a lowercase RFC 1123 subdomain'),
    ]);
  });

  test("rules, policies, timeouts, duplicates and match conditions", () => {
    const { errors } = create(
      mutating,
      config("MutatingWebhookConfiguration", [
        hook({
          rules: [{ operations: ["*", "PATCH"], apiGroups: [], apiVersions: [""], resources: ["*/*", "pods"], scope: "Everywhere" }],
          failurePolicy: "Maybe",
          timeoutSeconds: 31,
          reinvocationPolicy: "Always",
          matchConditions: [{ name: "", expression: " " }],
        }),
        hook(),
      ]),
    );
    expect(errors).toEqual([
      'webhooks[0].rules[0].operations: Invalid value: ["*","PATCH"]: if \'*\' is present, must not specify other operations',
      'webhooks[0].rules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      "webhooks[0].rules[0].apiGroups: Required value",
      "webhooks[0].rules[0].apiVersions[0]: Required value",
      "webhooks[0].rules[0].resources: Invalid value: [\"*/*\",\"pods\"]: if '*/*' is present, must not specify other resources",
      'webhooks[0].rules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"',
      'webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"',
      "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
      'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
      "webhooks[0].matchConditions[0].expression: Required value",
      "webhooks[0].matchConditions[0].name: Required value",
      'webhooks[1].name: Duplicate value: "check.example.com"',
    ]);
  });

  test("an update may keep side effects the stored object already has", () => {
    const old = create(validating, config("ValidatingWebhookConfiguration", [hook()])).obj;
    (old.webhooks as Array<Record<string, unknown>>)[0]!.sideEffects = "Unknown";
    expect(update(validating, structuredClone(old), old).errors).toEqual([]);
  });
});

test("webhook configurations: NAME WEBHOOKS AGE", () => {
  const obj = create(validating, config("ValidatingWebhookConfiguration", [hook(), hook({ name: "other.example.com" })])).obj;
  expect(cells(validating, obj)).toEqual({ Name: "hooks", Webhooks: 2, Age: "0s" });
});
