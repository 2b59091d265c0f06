/**
 * API approval of CRDs in the Kubernetes community's groups (*.k8s.io, *.kubernetes.io): the
 * api-approved.kubernetes.io annotation must name the approving pull request (a URL) or start
 * with "unapproved" (KEP 1111). Validation refuses a missing or malformed annotation; the
 * KubernetesAPIApprovalPolicyConformant condition reports the state.
 */
import type { CustomResourceDefinition, CustomResourceDefinitionCondition } from "./types.ts";

export const APPROVAL_ANNOTATION = "api-approved.kubernetes.io";

export function isProtectedGroup(group: string): boolean {
  return group === "k8s.io" || group.endsWith(".k8s.io") || group === "kubernetes.io" || group.endsWith(".kubernetes.io");
}

export type Approval = "invalid" | "approved" | "bypassed" | "missing";

const SEE = "see https://github.com/kubernetes/enhancements/pull/1111";

export function approvalState(crd: CustomResourceDefinition): { state: Approval; reason: string } {
  const value = crd.metadata?.annotations?.[APPROVAL_ANNOTATION] ?? "";
  if (value === "") return { state: "missing", reason: `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", ${SEE}` };
  if (value.startsWith("unapproved")) return { state: "bypassed", reason: `not approved: "${value}"` };
  if (isApprovalUrl(value)) return { state: "approved", reason: `approved in ${value}` };
  return { state: "invalid", reason: `protected groups must have approval annotation "${APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", ${SEE}` };
}

/** Go's url.ParseRequestURI with a scheme and a host. */
function isApprovalUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol.length > 1 && url.host.length > 0;
  } catch {
    return false;
  }
}

const REASONS: Record<Approval, [CustomResourceDefinitionCondition["status"], string]> = {
  invalid: ["False", "InvalidAnnotation"],
  missing: ["False", "MissingAnnotation"],
  approved: ["True", "ApprovedAnnotation"],
  bypassed: ["False", "UnapprovedAnnotation"],
};

/** The KubernetesAPIApprovalPolicyConformant condition, for CRDs of protected groups only. */
export function approvalCondition(crd: CustomResourceDefinition): CustomResourceDefinitionCondition | undefined {
  if (!isProtectedGroup(crd.spec.group ?? "")) return undefined;
  const { state, reason } = approvalState(crd);
  const [status, why] = REASONS[state];
  return { type: "KubernetesAPIApprovalPolicyConformant", status, reason: why, message: reason };
}
