/**
 * PolicyRule semantics as upstream's RBAC authorizer applies them (rbac/v1 helpers RuleAllows,
 * VerbMatches, ResourceMatches, ...) and as its escalation check compares rule sets (Covers,
 * BreakdownRule, CompactString). Wildcards: "*" verbs, API groups, resources and URLs; a resource
 * "*\/scale" matches the scale subresource of any resource; a URL ending in "*" is a prefix.
 */
import type { PolicyRule } from "../../resources/rbac/types.ts";
import type { Attributes } from "../../http/authz.ts";

const ALL = "*";

const has = (list: readonly string[] | null | undefined, v: string) => (list ?? []).includes(v);
const hasAll = (list: readonly string[] | null | undefined, wanted: readonly string[] | null | undefined) => (wanted ?? []).every((w) => has(list, w));

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, ALL) || has(rule.verbs, verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, ALL) || has(rule.apiGroups, group);
}

/** `combined` is "pods" or "pods/log"; a rule "*\/log" matches any resource's log subresource. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return (rule.resourceNames?.length ?? 0) === 0 || has(rule.resourceNames, name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Whether the rule grants the request (upstream's RuleAllows). */
export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (attrs.resource !== undefined) {
    const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    return verbMatches(rule, attrs.verb) && apiGroupMatches(rule, attrs.group ?? "") && resourceMatches(rule, combined, attrs.subresource ?? "") && resourceNameMatches(rule, attrs.name ?? "");
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path ?? "");
}

/** One rule per group × resource × verb (× name), and per URL × verb (upstream's BreakdownRule). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if ((rule.resourceNames?.length ?? 0) > 0) {
          for (const name of rule.resourceNames!) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(owned: readonly string[], wanted: readonly string[]): boolean {
  if (has(owned, ALL) || hasAll(owned, wanted)) return true;
  for (const path of wanted) {
    if (has(owned, path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    if (!has(owned, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith("*") && sub.startsWith(owner.replace(/\*+$/, "")));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources ?? [], sub.resources ?? []);
  const urls = (sub.nonResourceURLs ?? []).every((u) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, u)));
  const ownerNames = owner.resourceNames?.length ?? 0;
  const names = (sub.resourceNames?.length ?? 0) === 0 ? ownerNames === 0 : ownerNames === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** The parts of `wanted` no rule of `owned` covers (empty: `owned` covers all of it). */
export function uncoveredRules(owned: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of wanted) for (const sub of breakdownRule(rule)) if (!owned.some((o) => ruleCovers(o, sub))) missing.push(sub);
  return missing;
}

/** Go's %q of a []string: ["a" "b"]. */
export function goQuotedList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;
}

/** upstream's CompactString: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goQuotedList(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goQuotedList(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuotedList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goQuotedList(rule.resourceNames)}`);
  if (rule.verbs?.length) parts.push(`Verbs:${goQuotedList(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/**
 * Merges single-group, single-resource rules that differ only in their verbs (upstream's
 * CompactRules), so a missing "get, list, watch" reads as one rule.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = (r.apiGroups?.length ?? 0) === 1 && (r.resources?.length ?? 0) === 1 && (r.resourceNames?.length ?? 0) <= 1 && (r.nonResourceURLs?.length ?? 0) === 0;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const k = `${r.apiGroups![0]}\0${r.resources![0]}\0${r.resourceNames?.[0] ?? ""}\0${r.resourceNames?.length ?? 0}`;
    const existing = simple.get(k);
    if (existing) existing.verbs = [...(existing.verbs ?? []), ...(r.verbs ?? [])];
    else {
      const copy: PolicyRule = { ...r, verbs: [...(r.verbs ?? [])] };
      simple.set(k, copy);
      out.push(copy);
    }
  }
  return out;
}
