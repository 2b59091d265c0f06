/** The admissionregistration.k8s.io API group: webhook configurations and validating admission policies. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { validatingAdmissionPolicyBindingDefinition, validatingAdmissionPolicyDefinition } from "./admission-policies.ts";
import { mutatingWebhookConfigurationDefinition, validatingWebhookConfigurationDefinition } from "./webhook-configurations.ts";

export const admissionregistrationDefinitions: ResourceDefinition[] = [
  mutatingWebhookConfigurationDefinition,
  validatingAdmissionPolicyDefinition,
  validatingAdmissionPolicyBindingDefinition,
  validatingWebhookConfigurationDefinition,
];
