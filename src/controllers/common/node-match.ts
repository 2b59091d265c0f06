/**
 * Does a pod fit a node by its node name, node selector, required node affinity and taints?
 * (upstream's component-helpers nodeaffinity and the v1 taint helpers, as the DaemonSet
 * controller uses them to decide where its pods belong.)
 */
import type { Node, Pod } from "./types.ts";

type PodSpec = NonNullable<Pod["spec"]>;
type NodeSelectorTerm = NonNullable<NonNullable<NonNullable<PodSpec["affinity"]>["nodeAffinity"]>["requiredDuringSchedulingIgnoredDuringExecution"]>["nodeSelectorTerms"][number];
type Requirement = NonNullable<NodeSelectorTerm["matchExpressions"]>[number];
export type Taint = NonNullable<NonNullable<Node["spec"]>["taints"]>[number];
export type Toleration = NonNullable<PodSpec["tolerations"]>[number];

function requirementMatches(req: Requirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const bound = Number.parseInt(values[0]!, 10);
      if (!Number.isFinite(have) || !Number.isFinite(bound)) return false;
      return req.operator === "Gt" ? have > bound : have < bound;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions (on labels) and fields (metadata.name only) do; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, labels[r.key]))) return false;
  return fields.every((r) => r.key === "metadata.name" && (r.operator === "In" || r.operator === "NotIn") && requirementMatches(r, node.metadata?.name));
}

/** nodeSelector and required node affinity (terms ORed). */
export function fitsNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((t) => termMatches(t, node));
}

/** ToleratesTaint: same effect (or any), and Exists on the key (or any key), or Equal with the value. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? "Equal";
  if (op === "Exists") return true;
  return op === "Equal" && (t.value ?? "") === (taint.value ?? "");
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function untoleratedTaint(taints: Taint[], tolerations: Toleration[], effects: string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)));
}
