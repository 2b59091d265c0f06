/**
 * audit.k8s.io/v1 Policy (kube-apiserver's --audit-policy-file): the first rule that matches a
 * request decides its level (None, Metadata, Request, RequestResponse) and the stages left out;
 * no match is None. Rules match on users, user groups, verbs, resources (group, resources with
 * "*", "pods/log", "*\/status", resourceNames), namespaces ("" for cluster-scoped requests) and
 * nonResourceURLs ("/healthz*" prefixes).
 */
import { readFileSync } from "node:fs";

export type AuditLevel = "None" | "Metadata" | "Request" | "RequestResponse";
export type AuditStage = "RequestReceived" | "ResponseStarted" | "ResponseComplete" | "Panic";

const LEVELS: AuditLevel[] = ["None", "Metadata", "Request", "RequestResponse"];
const STAGES: AuditStage[] = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What a rule is matched against. */
export interface AuditAttributes {
  user: { username: string; groups: string[] };
  verb: string;
  resource?: { group: string; resource: string; subresource: string; namespace: string; name: string };
  path: string;
}

export interface AuditDecision {
  level: AuditLevel;
  omitStages: Set<AuditStage>;
  omitManagedFields: boolean;
}

export function parseAuditPolicy(text: string, source = "audit policy"): AuditPolicy {
  const doc = Bun.YAML.parse(text) as { kind?: string; apiVersion?: string; rules?: PolicyRule[]; omitStages?: AuditStage[]; omitManagedFields?: boolean } | null;
  if (!doc || doc.kind !== "Policy") throw new Error(`${source}: expected kind Policy, got ${JSON.stringify(doc?.kind)}`);
  if (doc.apiVersion !== "audit.k8s.io/v1") throw new Error(`${source}: expected apiVersion audit.k8s.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
  const rules = doc.rules ?? [];
  rules.forEach((r, i) => {
    if (!LEVELS.includes(r.level)) throw new Error(`${source}: rules[${i}].level: Unsupported value: ${JSON.stringify(r.level)}: supported values: ${LEVELS.map((l) => JSON.stringify(l)).join(", ")}`);
    if ((r.nonResourceURLs?.length ?? 0) > 0 && ((r.resources?.length ?? 0) > 0 || (r.namespaces?.length ?? 0) > 0)) {
      throw new Error(`${source}: rules[${i}].nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
    }
    for (const s of r.omitStages ?? []) if (!STAGES.includes(s)) throw new Error(`${source}: rules[${i}].omitStages: Unsupported value: ${JSON.stringify(s)}`);
  });
  return { rules, omitStages: doc.omitStages, omitManagedFields: doc.omitManagedFields };
}

export function readAuditPolicy(path: string): AuditPolicy {
  return parseAuditPolicy(readFileSync(path, "utf8"), path);
}

function resourceMatches(list: GroupResources[], r: NonNullable<AuditAttributes["resource"]>): boolean {
  const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return list.some((gr) => {
    if ((gr.group ?? "") !== r.group) return false;
    const resources = gr.resources ?? [];
    if (resources.length === 0) return true;
    if ((gr.resourceNames?.length ?? 0) > 0 && !gr.resourceNames!.includes(r.name)) return false;
    return resources.some(
      (x) => x === "*" || x === full || (r.subresource !== "" && x.startsWith("*/") && x.slice(2) === r.subresource) || (x.endsWith("/*") && x.slice(0, -2) === r.resource),
    );
  });
}

function urlMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === "*" || p === path || (p.endsWith("*") && path.startsWith(p.slice(0, -1))));
}

function ruleMatches(rule: PolicyRule, a: AuditAttributes): boolean {
  if (rule.users?.length && !rule.users.includes(a.user.username)) return false;
  if (rule.userGroups?.length && !rule.userGroups.some((g) => a.user.groups.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(a.verb)) return false;
  if ((rule.namespaces?.length ?? 0) > 0 || (rule.resources?.length ?? 0) > 0) {
    if (!a.resource) return false;
    if (rule.namespaces?.length && !rule.namespaces.includes(a.resource.namespace)) return false;
    if (rule.resources?.length && !resourceMatches(rule.resources, a.resource)) return false;
  }
  if (rule.nonResourceURLs?.length) {
    if (a.resource) return false;
    if (!urlMatches(rule.nonResourceURLs, a.path)) return false;
  }
  return true;
}

export function decide(policy: AuditPolicy, a: AuditAttributes): AuditDecision {
  for (const rule of policy.rules) {
    if (!ruleMatches(rule, a)) continue;
    return {
      level: rule.level,
      omitStages: new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])]),
      omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields ?? false,
    };
  }
  return { level: "None", omitStages: new Set(), omitManagedFields: false };
}

export function atLeast(level: AuditLevel, wanted: AuditLevel): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(wanted);
}
