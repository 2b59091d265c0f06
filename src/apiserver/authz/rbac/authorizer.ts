/**
 * The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): a request is allowed when a
 * rule of a role bound to the user allows it; otherwise RBAC has no opinion (another authorizer
 * may still allow). It also lists a user's rules for SelfSubjectRulesReview.
 */
import type { UserInfo } from "../../registry/definition.ts";
import type { Attributes, Authorizer, Decision, NonResourceRule, ResourceRule, Rules } from "../../http/authz.ts";
import { describeSource, type PolicyIndex } from "./policy-index.ts";
import { ruleAllows } from "./rules.ts";

export class RbacAuthorizer implements Authorizer {
  constructor(readonly policy: PolicyIndex) {}

  async authorize(attrs: Attributes): Promise<Decision> {
    return this.decide(attrs);
  }

  /** The same decision, synchronously (in-process callers and the escalation checks). */
  decide(attrs: Attributes): Decision {
    const { rules, errors } = this.policy.rulesFor(attrs.user, attrs.namespace ?? "");
    for (const { rule, source } of rules) {
      if (ruleAllows(attrs, rule)) return { allowed: true, reason: `RBAC: allowed by ${describeSource(source)}` };
    }
    return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregate(errors)}` : "" };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<Rules> {
    const { rules, errors } = this.policy.rulesFor(user, namespace);
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    for (const { rule } of rules) {
      if ((rule.nonResourceURLs?.length ?? 0) > 0) nonResourceRules.push({ verbs: [...(rule.verbs ?? [])], nonResourceURLs: [...rule.nonResourceURLs!] });
      else {
        const r: ResourceRule = { verbs: [...(rule.verbs ?? [])], apiGroups: [...(rule.apiGroups ?? [])], resources: [...(rule.resources ?? [])] };
        if (rule.resourceNames?.length) r.resourceNames = [...rule.resourceNames];
        resourceRules.push(r);
      }
    }
    const out: Rules = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
    if (errors.length > 0) out.evaluationError = aggregate(errors);
    return out;
  }
}

/** Go's utilerrors aggregate text: one error as is, several as [a, b]. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(", ")}]`;
}
