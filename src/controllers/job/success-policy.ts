/**
 * An Indexed Job's successPolicy (upstream's matchSuccessPolicy): the first rule met by the
 * succeeded indexes (all of its succeededIndexes, or succeededCount of them, or succeededCount
 * overall) declares the Job successful.
 */
import type { Job } from "../common/types.ts";
import { Intervals } from "./intervals.ts";

type SuccessPolicy = NonNullable<NonNullable<Job["spec"]>["successPolicy"]>;

/** How many of the rule's indexes have succeeded. */
function overlap(rule: Intervals, succeeded: Intervals): number {
  let n = 0;
  for (const a of rule.list) for (const b of succeeded.list) n += Math.max(0, Math.min(a.last, b.last) - Math.max(a.first, b.first) + 1);
  return n;
}

/** The SuccessCriteriaMet message when a rule is met. */
export function matchSuccessPolicy(policy: SuccessPolicy | undefined, completions: number, succeeded: Intervals): string | undefined {
  if (!policy || succeeded.list.length === 0) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes != null) {
      const required = Intervals.parse(rule.succeededIndexes, completions);
      if (required.list.length === 0) continue;
      const n = overlap(required, succeeded);
      if (n === required.total() || (rule.succeededCount != null && n >= rule.succeededCount)) return `Matched rules at index ${index}`;
    } else if (rule.succeededCount != null && succeeded.total() >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
