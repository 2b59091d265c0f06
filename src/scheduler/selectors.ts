/**
 * Compiled matchers for the selectors the scheduler evaluates thousands of times a second:
 * metav1.LabelSelector (pod affinity, topology spread, PDBs), the pod's nodeSelector and
 * node affinity terms (v1.NodeSelector, with matchFields on metadata.name), and tolerations.
 * Semantics follow apimachinery's labels.Selector and component-helpers' nodeaffinity.
 */
import type { Labels, LabelSelectorObject, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from "./api.ts";

export type LabelMatch = (labels: Labels | undefined) => boolean;

export interface LabelMatcher {
  matches: LabelMatch;
  /** Matches every set of labels (an empty selector). */
  readonly everything: boolean;
  /** Matches nothing (a null or invalid selector). */
  readonly nothing: boolean;
  /**
   * Label pairs (labelPair(key, value)) one of which every matching set of labels has, so that
   * indexes can find candidates without a scan; null when the selector names none.
   */
  readonly hints: string[] | null;
}

const EMPTY: Labels = {};
export const MATCH_NOTHING: LabelMatcher = { matches: () => false, everything: false, nothing: true, hints: [] };
export const MATCH_EVERYTHING: LabelMatcher = { matches: () => true, everything: true, nothing: false, hints: null };

/** The index key of one label. */
export function labelPair(key: string, value: string): string {
  return `${key}\u0001${value}`;
}

function requirement(key: string, op: string, values: string[] | undefined): LabelMatch | undefined {
  const vs = values ?? [];
  switch (op) {
    case "In":
      if (vs.length === 1) {
        const v = vs[0];
        return (l) => l![key] === v;
      }
      return (l) => key in l! && vs.includes(l![key]!);
    case "NotIn":
      return (l) => !(key in l!) || !vs.includes(l![key]!);
    case "Exists":
      return (l) => key in l!;
    case "DoesNotExist":
      return (l) => !(key in l!);
    default:
      return undefined;
  }
}

function all(reqs: LabelMatch[]): LabelMatch {
  if (reqs.length === 1) {
    const r = reqs[0]!;
    return (l) => r(l ?? EMPTY);
  }
  return (l) => {
    const labels = l ?? EMPTY;
    for (const r of reqs) if (!r(labels)) return false;
    return true;
  };
}

/** metav1.LabelSelectorAsSelector: null matches nothing, empty everything; `extra` labels are ANDed in (matchLabelKeys). */
export function compileLabelSelector(sel: LabelSelectorObject | null | undefined, extra?: Labels): LabelMatcher {
  if (!sel) return MATCH_NOTHING;
  const reqs: LabelMatch[] = [];
  let hints: string[] | null = null;
  for (const [k, v] of Object.entries({ ...sel.matchLabels, ...extra })) {
    reqs.push((l) => l![k] === v);
    hints ??= [labelPair(k, v)];
  }
  for (const e of sel.matchExpressions ?? []) {
    const r = requirement(e.key, e.operator, e.values);
    if (!r) return MATCH_NOTHING;
    reqs.push(r);
    if (!hints && e.operator === "In") hints = (e.values ?? []).map((v) => labelPair(e.key, v));
  }
  if (reqs.length === 0) return MATCH_EVERYTHING;
  return { matches: all(reqs), everything: false, nothing: false, hints };
}

/** A selector from a plain label map (a Service's or ReplicationController's selector); empty selects nothing here. */
export function compileLabelMap(labels: Labels | undefined): LabelMatcher {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return MATCH_NOTHING;
  return { matches: all(entries.map(([k, v]) => (l: Labels | undefined) => l![k] === v)), everything: false, nothing: false, hints: [labelPair(entries[0]![0], entries[0]![1])] };
}

// ------------------------------------------------------------------------------ node selectors

export type NodeMatch = (node: Node) => boolean;
type NodeRequirement = (labels: Labels, name: string) => boolean;

function parseInt64(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  return Number(s);
}

function nodeLabelRequirement(r: NodeSelectorRequirement): NodeRequirement | undefined {
  const { key, operator } = r;
  const values = r.values ?? [];
  switch (operator) {
    case "In":
    case "NotIn":
    case "Exists":
    case "DoesNotExist": {
      if ((operator === "In" || operator === "NotIn") && values.length === 0) return undefined;
      if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) return undefined;
      return requirement(key, operator, values);
    }
    case "Gt":
    case "Lt": {
      const bound = values.length === 1 ? parseInt64(values[0]) : undefined;
      if (bound === undefined) return undefined;
      return (labels) => {
        const v = parseInt64(labels[key]);
        if (v === undefined) return false;
        return operator === "Gt" ? v > bound : v < bound;
      };
    }
    default:
      return undefined;
  }
}

function nodeFieldRequirement(r: NodeSelectorRequirement): NodeRequirement | undefined {
  const values = r.values ?? [];
  if (r.key !== "metadata.name" || values.length !== 1) return undefined;
  const wanted = values[0];
  if (r.operator === "In") return (_l, name) => name === wanted;
  if (r.operator === "NotIn") return (_l, name) => name !== wanted;
  return undefined;
}

/** One node selector term: expressions and fields ANDed; an empty or invalid term matches nothing. */
export function compileNodeSelectorTerm(term: NodeSelectorTerm | undefined): NodeMatch {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return () => false;
  const reqs: NodeRequirement[] = [];
  for (const e of exprs) {
    const m = nodeLabelRequirement(e);
    if (!m) return () => false;
    reqs.push(m);
  }
  for (const f of fields) {
    const m = nodeFieldRequirement(f);
    if (!m) return () => false;
    reqs.push(m);
  }
  return (n) => {
    const labels = n.metadata?.labels ?? EMPTY;
    const name = n.metadata?.name ?? "";
    for (let i = 0; i < reqs.length; i++) if (!reqs[i]!(labels, name)) return false;
    return true;
  };
}

/** upstream's RequiredNodeAffinity: the nodeSelector map AND (any of the required affinity terms). */
export interface RequiredNodeAffinity {
  /** True when the pod constrains nodes at all. */
  readonly constrains: boolean;
  match: NodeMatch;
}

export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const selector = pod.spec?.nodeSelector;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const checks: NodeMatch[] = [];
  if (selector && Object.keys(selector).length > 0) {
    const entries = Object.entries(selector);
    checks.push((n) => {
      const labels = n.metadata?.labels ?? EMPTY;
      for (const [k, v] of entries) if (labels[k] !== v) return false;
      return true;
    });
  }
  if (required) {
    const terms = (required.nodeSelectorTerms ?? []).map(compileNodeSelectorTerm);
    checks.push((n) => {
      for (let i = 0; i < terms.length; i++) if (terms[i]!(n)) return true;
      return false;
    });
  }
  if (checks.length === 0) return { constrains: false, match: () => true };
  if (checks.length === 1) return { constrains: true, match: checks[0]! };
  return { constrains: true, match: (n) => checks[0]!(n) && checks[1]!(n) };
}

// ------------------------------------------------------------------------------ tolerations

/** upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerate(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint passing `filter` that no toleration tolerates (upstream's FindMatchingUntoleratedTaint). */
export function untoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, filter: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue;
    if (!tolerationsTolerate(tolerations, taint)) return taint;
  }
  return undefined;
}

export const isNoScheduleOrNoExecute = (t: Taint): boolean => t.effect === "NoSchedule" || t.effect === "NoExecute";
