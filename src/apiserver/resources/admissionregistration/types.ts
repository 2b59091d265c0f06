/**
 * Wire shapes of admissionregistration.k8s.io/v1, from @kubernetes/client-node's models, made
 * Partial where the store hands strategies whatever JSON the client sent.
 */
import type {
  V1LabelSelector,
  V1MatchCondition,
  V1MatchResources,
  V1MutatingWebhook,
  V1NamedRuleWithOperations,
  V1ParamRef,
  V1RuleWithOperations,
  V1ValidatingAdmissionPolicyBindingSpec,
  V1ValidatingAdmissionPolicySpec,
  V1ValidatingAdmissionPolicyStatus,
  V1ValidatingWebhook,
} from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../api/types.ts";

export type LabelSelector = Wire<V1LabelSelector>;
export type Rule = Partial<Wire<V1RuleWithOperations>>;
export type NamedRule = Partial<Wire<V1NamedRuleWithOperations>>;
export type MatchCondition = Partial<Wire<V1MatchCondition>>;
export type MatchResources = Partial<Wire<V1MatchResources>>;
export type ParamRef = Partial<Wire<V1ParamRef>>;

/** A webhook of either configuration kind; reinvocationPolicy only exists on mutating ones. */
export type Webhook = Partial<Wire<V1ValidatingWebhook>> & Partial<Pick<Wire<V1MutatingWebhook>, "reinvocationPolicy">>;

export interface WebhookConfiguration extends KubeObject {
  webhooks?: Webhook[];
}

export interface ValidatingAdmissionPolicy extends KubeObject {
  spec?: Partial<Wire<V1ValidatingAdmissionPolicySpec>>;
  status?: Partial<Wire<V1ValidatingAdmissionPolicyStatus>>;
}

export interface ValidatingAdmissionPolicyBinding extends KubeObject {
  spec?: Partial<Wire<V1ValidatingAdmissionPolicyBindingSpec>>;
}
