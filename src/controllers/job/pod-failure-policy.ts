/**
 * Matching a failed pod against a Job's podFailurePolicy (upstream's matchPodFailurePolicy): the
 * first rule whose exit codes or pod conditions match decides. FailJob fails the Job with a
 * message naming the container or condition; Ignore does not count the failure towards
 * backoffLimit; Count counts it; FailIndex fails the pod's index (backoffLimitPerIndex).
 */
import type { Job, Pod } from "../common/types.ts";

export type FailureAction = "FailJob" | "Ignore" | "Count" | "FailIndex";

export interface PolicyMatch {
  /** Set when a FailJob rule matched. */
  failJobMessage?: string;
  /** Whether the failure counts towards backoffLimit (and backoffLimitPerIndex). */
  countFailed: boolean;
  action?: FailureAction;
}

type ContainerStatus = NonNullable<NonNullable<Pod["status"]>["containerStatuses"]>[number];
type PolicyRule = NonNullable<NonNullable<Job["spec"]>["podFailurePolicy"]>["rules"][number];
type ExitCodes = NonNullable<PolicyRule["onExitCodes"]>;

function exitCodeMatches(code: number, req: ExitCodes): boolean {
  if (req.operator === "In") return req.values.includes(code);
  if (req.operator === "NotIn") return !req.values.includes(code);
  return false;
}

/** The first terminated container (regular, then init) with a non-zero exit code the requirement names. */
function matchExitCodes(pod: Pod, req: ExitCodes): ContainerStatus | undefined {
  for (const list of [pod.status?.containerStatuses, pod.status?.initContainerStatuses]) {
    for (const cs of list ?? []) {
      const code = cs.state?.terminated?.exitCode;
      if (code === undefined || code === 0) continue;
      if (req.containerName && req.containerName !== cs.name) continue;
      if (exitCodeMatches(code, req)) return cs;
    }
  }
  return undefined;
}

function matchConditions(pod: Pod, patterns: NonNullable<PolicyRule["onPodConditions"]>): string | undefined {
  for (const cond of pod.status?.conditions ?? []) {
    if (patterns.some((p) => p.type === cond.type && (p.status ?? "True") === cond.status)) return cond.type;
  }
  return undefined;
}

function outcome(rule: PolicyRule, failJobMessage: () => string): PolicyMatch | undefined {
  switch (rule.action) {
    case "Ignore":
      return { countFailed: false, action: "Ignore" };
    case "Count":
      return { countFailed: true, action: "Count" };
    case "FailIndex":
      return { countFailed: true, action: "FailIndex" };
    case "FailJob":
      return { countFailed: true, action: "FailJob", failJobMessage: failJobMessage() };
    default:
      return undefined;
  }
}

export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return { countFailed: true };
  const where = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.onExitCodes) {
      const cs = matchExitCodes(pod, rule.onExitCodes);
      if (!cs) continue;
      const found = outcome(rule, () => `Container ${cs.name} for pod ${where} failed with exit code ${cs.state?.terminated?.exitCode} matching ${rule.action} rule at index ${index}`);
      if (found) return found;
    } else if (rule.onPodConditions) {
      const type = matchConditions(pod, rule.onPodConditions);
      if (!type) continue;
      const found = outcome(rule, () => `Pod ${where} has condition ${type} matching ${rule.action} rule at index ${index}`);
      if (found) return found;
    }
  }
  return { countFailed: true };
}
