/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration
 * (upstream defaults.go, validation.go and the webhookconfiguration strategies). Calling the
 * webhooks is the admission chain's business; here they are stored, defaulted and checked.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { isDNS1123Subdomain } from "../../validation/names.ts";
import { validateReviewVersionItems, validateWebhookService, validateWebhookUrl } from "../../validation/webhook-client.ts";
import { column } from "../core/columns.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { FAILURE_POLICIES, MATCH_POLICIES, defaultRule, validateMatchConditions, validateRule } from "./rules.ts";
import type { Webhook, WebhookConfiguration } from "./types.ts";

const SIDE_EFFECTS = ["None", "NoneOnDryRun", "Some", "Unknown"];
const NO_SIDE_EFFECTS = ["None", "NoneOnDryRun"];
const REINVOCATION_POLICIES = ["IfNeeded", "Never"];
/** The AdmissionReview versions a webhook must speak one of (upstream's AcceptedAdmissionReviewVersions). */
const REVIEW_VERSIONS = ["v1", "v1beta1"];

const config = (obj: KubeObject) => obj as WebhookConfiguration;

/** upstream's SetDefaults_ValidatingWebhook / _MutatingWebhook, _Rule and _ServiceReference. */
function defaultWebhook(hook: Webhook, mutating: boolean): void {
  hook.failurePolicy ??= "Fail";
  hook.matchPolicy ??= "Equivalent";
  hook.namespaceSelector ??= {};
  hook.objectSelector ??= {};
  hook.timeoutSeconds ??= 10;
  if (mutating) hook.reinvocationPolicy ??= "Never";
  for (const rule of hook.rules ?? []) defaultRule(rule);
  const service = hook.clientConfig?.service;
  if (service) service.port ??= 443;
}

/** apimachinery's IsFullyQualifiedName. */
function validateFullyQualifiedName(name: string, path: FieldPath): FieldError[] {
  if (!name) return [field.required(path)];
  const problems = isDNS1123Subdomain(name);
  if (problems.length > 0) return [field.invalid(path, name, problems.join(","))];
  if (name.split(".").length < 3) return [field.invalid(path, name, "should be a domain with at least three segments separated by dots")];
  return [];
}

/** upstream's validateAdmissionReviewVersions. */
function validateReviewVersions(versions: string[] | undefined, requireRecognized: boolean, path: FieldPath): FieldError[] {
  const list = versions ?? [];
  if (list.length === 0) return [field.required(path, `must specify one of ${REVIEW_VERSIONS.join(", ")}`)];
  const errs = validateReviewVersionItems(list, path);
  if (requireRecognized && !list.some((v) => REVIEW_VERSIONS.includes(v))) errs.push(field.invalid(path, list, `must include at least one of ${REVIEW_VERSIONS.join(", ")}`));
  return errs;
}

/** What an update may keep that a create may not: rules the stored object already breaks stay allowed. */
interface WebhookOptions {
  requireNoSideEffects: boolean;
  requireRecognizedReviewVersion: boolean;
  requireUniqueNames: boolean;
}

function optionsFor(old: WebhookConfiguration | undefined): WebhookOptions {
  const hooks = old?.webhooks ?? [];
  const names = hooks.map((h) => h.name ?? "").filter(Boolean);
  return {
    requireNoSideEffects: !old || hooks.every((h) => NO_SIDE_EFFECTS.includes(h.sideEffects ?? "")),
    requireRecognizedReviewVersion: !old || hooks.every((h) => (h.admissionReviewVersions ?? []).some((v) => REVIEW_VERSIONS.includes(v))),
    requireUniqueNames: !old || new Set(names).size === names.length,
  };
}

function validateWebhook(hook: Webhook, mutating: boolean, opts: WebhookOptions, path: FieldPath): FieldError[] {
  const errs = validateFullyQualifiedName(hook.name ?? "", path.child("name"));
  (hook.rules ?? []).forEach((r, i) => errs.push(...validateRule(r, path.child("rules").index(i))));
  if (hook.failurePolicy != null && !FAILURE_POLICIES.includes(hook.failurePolicy)) errs.push(field.notSupported(path.child("failurePolicy"), hook.failurePolicy, FAILURE_POLICIES));
  if (hook.matchPolicy != null && !MATCH_POLICIES.includes(hook.matchPolicy)) errs.push(field.notSupported(path.child("matchPolicy"), hook.matchPolicy, MATCH_POLICIES));
  const allowed = opts.requireNoSideEffects ? NO_SIDE_EFFECTS : SIDE_EFFECTS;
  if (hook.sideEffects == null) errs.push(field.required(path.child("sideEffects"), `must specify one of ${allowed.join(", ")}`));
  else if (!allowed.includes(hook.sideEffects)) errs.push(field.notSupported(path.child("sideEffects"), hook.sideEffects, allowed));
  const timeout = hook.timeoutSeconds;
  if (timeout != null && (timeout > 30 || timeout < 1)) errs.push(field.invalid(path.child("timeoutSeconds"), timeout, "the timeout value must be between 1 and 30 seconds"));
  errs.push(...validateLabelSelector(hook.namespaceSelector, path.child("namespaceSelector")), ...validateLabelSelector(hook.objectSelector, path.child("objectSelector")));
  if (mutating && hook.reinvocationPolicy != null && !REINVOCATION_POLICIES.includes(hook.reinvocationPolicy)) {
    errs.push(field.notSupported(path.child("reinvocationPolicy"), hook.reinvocationPolicy, REINVOCATION_POLICIES));
  }
  const cc = hook.clientConfig ?? {};
  const clientPath = path.child("clientConfig");
  if ((cc.url == null) === (cc.service == null)) errs.push(field.required(clientPath, "exactly one of url or service is required"));
  else if (cc.url != null) errs.push(...validateWebhookUrl(cc.url, clientPath.child("url")));
  else errs.push(...validateWebhookService(cc.service!, clientPath.child("service")));
  errs.push(...validateMatchConditions(hook.matchConditions, path.child("matchConditions")));
  return errs;
}

/** upstream's validate(Mutating|Validating)WebhookConfiguration, without the object metadata (the store checks that). */
export function validateWebhookConfiguration(obj: WebhookConfiguration, mutating: boolean, old?: WebhookConfiguration): FieldError[] {
  const opts = optionsFor(old);
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (obj.webhooks ?? []).forEach((hook, i) => {
    const path = FieldPath.root("webhooks").index(i);
    errs.push(...validateWebhook(hook, mutating, opts, path));
    errs.push(...validateReviewVersions(hook.admissionReviewVersions, opts.requireRecognizedReviewVersion, path.child("admissionReviewVersions")));
    const name = hook.name ?? "";
    if (opts.requireUniqueNames && name) {
      if (names.has(name)) errs.push(field.duplicate(path.child("name"), name));
      names.add(name);
    }
  });
  return errs;
}

function webhookStrategy(mutating: boolean): Strategy {
  const updating = new WeakSet<KubeObject>();
  return {
    defaults: (obj) => (config(obj).webhooks ?? []).forEach((h) => defaultWebhook(h, mutating)),
    prepareForUpdate: (obj) => void updating.add(obj),
    validate: (obj) => (updating.has(obj) ? [] : validateWebhookConfiguration(config(obj), mutating)),
    validateUpdate: (obj, old) => validateWebhookConfiguration(config(obj), mutating, config(old)),
  };
}

const printerColumns: PrinterColumn[] = [
  nameColumn,
  column<WebhookConfiguration>("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration", (c) => (c.webhooks ?? []).length, { type: "integer" }),
  ageColumn,
];

const common = {
  group: "admissionregistration.k8s.io",
  version: "v1",
  categories: ["api-extensions"],
  namespaced: false,
  // The strategies bump generation when the webhooks change.
  tracksGeneration: true,
  printerColumns,
};

export const mutatingWebhookConfigurationDefinition: ResourceDefinition = {
  ...common,
  kind: "MutatingWebhookConfiguration",
  plural: "mutatingwebhookconfigurations",
  singular: "mutatingwebhookconfiguration",
  strategy: webhookStrategy(true),
};

export const validatingWebhookConfigurationDefinition: ResourceDefinition = {
  ...common,
  kind: "ValidatingWebhookConfiguration",
  plural: "validatingwebhookconfigurations",
  singular: "validatingwebhookconfiguration",
  strategy: webhookStrategy(false),
};
