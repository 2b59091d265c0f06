/**
 * Which admission requests a webhook or a policy binding covers (upstream's rules.Matcher and
 * its namespace and object selectors): rules by operation, API group, version, resource (with
 * "*", "pods/status", "*\/scale") and scope; matchPolicy Equivalent also matches the same
 * group and resource in another served version; namespaceSelector on the labels of the object's
 * namespace (or of a Namespace itself); objectSelector on the labels of the object or, failing
 * that, of the old object.
 */
import type { KubeObject } from "../../api/types.ts";
import type { GenericStore } from "../../registry/store.ts";
import { labelSelectorFromObject, type LabelSelectorObject } from "../../selectors/index.ts";
import type { AdmissionRequest } from "../chain.ts";

export interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  resourceNames?: string[];
  scope?: string;
}

/** What the request is, as rules see it. */
export interface RequestAttributes {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The resource is namespaced (a Namespace itself is cluster-scoped). */
  namespaced: boolean;
}

export function attributesOf(req: AdmissionRequest): RequestAttributes {
  return {
    operation: req.operation,
    group: req.def.group,
    version: req.def.version,
    resource: req.def.plural,
    subresource: req.ctx.subresource ?? "",
    namespace: req.def.namespaced ? req.obj.metadata?.namespace || req.ctx.namespace : "",
    name: req.obj.metadata?.name ?? req.old?.metadata?.name ?? "",
    namespaced: req.def.namespaced,
  };
}

const any = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === "*" || x === value);

function resourceMatches(rule: RuleWithOperations, a: RequestAttributes): boolean {
  for (const entry of rule.resources ?? []) {
    const slash = entry.indexOf("/");
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? "" : entry.slice(slash + 1);
    if ((res === "*" || res === a.resource) && (sub === "*" || sub === a.subresource)) return true;
  }
  return false;
}

function scopeMatches(rule: RuleWithOperations, a: RequestAttributes): boolean {
  const scope = rule.scope ?? "*";
  if (scope === "*") return true;
  return scope === "Namespaced" ? a.namespaced : !a.namespaced;
}

/**
 * Whether a rule covers the request. `equivalent` (matchPolicy Equivalent) lets a rule written
 * for another served version of the same group and resource match.
 */
export function ruleMatches(rule: RuleWithOperations, a: RequestAttributes, equivalent?: (version: string) => boolean): boolean {
  if (!any(rule.operations, a.operation) || !any(rule.apiGroups, a.group) || !resourceMatches(rule, a) || !scopeMatches(rule, a)) return false;
  if (any(rule.apiVersions, a.version)) return true;
  return equivalent !== undefined && (rule.apiVersions ?? []).some((v) => equivalent(v));
}

/** For policies' resourceRules: the rule may name objects. */
export function namedRuleMatches(rule: RuleWithOperations, a: RequestAttributes, equivalent?: (version: string) => boolean): boolean {
  if (!ruleMatches(rule, a, equivalent)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

export function selectorMatches(selector: LabelSelectorObject | undefined | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return labelSelectorFromObject(selector).matches(labels);
}

/** The labels a namespaceSelector is matched against, or undefined when it does not apply (cluster-scoped objects). */
export async function namespaceLabels(req: AdmissionRequest, namespaces: GenericStore | undefined): Promise<{ labels: Record<string, string>; object?: KubeObject } | undefined> {
  if (req.def.group === "" && req.def.plural === "namespaces") return { labels: (req.obj.metadata?.labels ?? req.old?.metadata?.labels ?? {}) as Record<string, string>, object: req.obj };
  if (!req.def.namespaced) return undefined;
  const name = req.obj.metadata?.namespace || req.ctx.namespace;
  if (!name || !namespaces) return { labels: {} };
  const seen = req.state.get(`namespace/${name}`) as KubeObject | undefined;
  if (seen) return { labels: seen.metadata?.labels ?? {}, object: seen };
  try {
    const ns = await namespaces.get("", name);
    return { labels: ns.metadata?.labels ?? {}, object: ns };
  } catch {
    return { labels: {} };
  }
}

/** objectSelector: the new object's labels, or the old object's (either matching is enough, as upstream). */
export function objectSelectorMatches(selector: LabelSelectorObject | undefined | null, req: AdmissionRequest): boolean {
  if (!selector) return true;
  const sel = labelSelectorFromObject(selector);
  const now = req.operation === "DELETE" ? undefined : req.obj.metadata?.labels;
  const old = req.old?.metadata?.labels;
  return (now !== undefined && sel.matches(now)) || (old !== undefined && sel.matches(old)) || (now === undefined && old === undefined && sel.matches({}));
}

/** Requests no webhook or policy sees: writes of the admission configuration itself (upstream avoids locking itself out). */
export function isExemptResource(req: AdmissionRequest): boolean {
  return req.def.group === "admissionregistration.k8s.io";
}
