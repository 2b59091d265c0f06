/**
 * The scheduling parts of a pod spec: affinity, tolerations, topology spread constraints and
 * node selector terms (shared with PersistentVolume node affinity), as upstream validates them.
 */
import type {
  V1Affinity,
  V1NodeSelector,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1PodAffinityTerm,
  V1Toleration,
  V1TopologySpreadConstraint,
  V1WeightedPodAffinityTerm,
} from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { validateLabelName, validateLabelSelector } from "../../validation/labels.ts";
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from "../../validation/names.ts";
import { NOT_POSITIVE_MSG } from "../../validation/numbers.ts";

export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function validateTolerations(tolerations: Array<Wire<V1Toleration>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = path.index(i);
    if (t.key) errs.push(...validateLabelName(t.key, p.child("key")));
    if (!t.key && t.operator !== "Exists") {
      errs.push(field.invalid(p.child("operator"), t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== "NoExecute") {
      errs.push(field.invalid(p.child("effect"), t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    errs.push(...validateTolerationOperator(t, p));
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(p.child("effect"), t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateTolerationOperator(t: Wire<V1Toleration>, p: FieldPath): FieldError[] {
  switch (t.operator ?? "") {
    case "":
    case "Equal": {
      const msgs = isValidLabelValue(t.value ?? "");
      return msgs.length ? [field.invalid(p.child("operator"), t.value ?? "", msgs.join(";"))] : [];
    }
    case "Exists":
      return t.value ? [field.invalid(p.child("operator"), t.value, "value must be empty when `operator` is 'Exists'")] : [];
    default:
      return [field.notSupported(p.child("operator"), t.operator, ["Equal", "Exists"])];
  }
}

export function validateAffinity(a: Wire<V1Affinity> | undefined, path: FieldPath): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na?.requiredDuringSchedulingIgnoredDuringExecution) {
    errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, path.child("nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution")));
  }
  (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term, i) => {
    const p = path.child("nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution").index(i);
    if (term.weight <= 0 || term.weight > 100) errs.push(field.invalid(p.child("weight"), term.weight, "must be in the range 1-100"));
    // Preferred terms may carry label values that do not validate (upstream allows them).
    errs.push(...validateNodeSelectorTerm(term.preference, p.child("preference"), true));
  });
  for (const key of ["podAffinity", "podAntiAffinity"] as const) {
    const pa = a[key];
    if (!pa) continue;
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term, i) => {
      errs.push(...validatePodAffinityTerm(term, path.child(key, "requiredDuringSchedulingIgnoredDuringExecution").index(i)));
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w: Wire<V1WeightedPodAffinityTerm>, i) => {
      const p = path.child(key, "preferredDuringSchedulingIgnoredDuringExecution").index(i);
      if (w.weight <= 0 || w.weight > 100) errs.push(field.invalid(p.child("weight"), w.weight, "must be in the range 1-100"));
      errs.push(...validatePodAffinityTerm(w.podAffinityTerm, p.child("podAffinityTerm")));
    });
  }
  return errs;
}

function validatePodAffinityTerm(term: Wire<V1PodAffinityTerm>, path: FieldPath): FieldError[] {
  const errs = [...validateLabelSelector(term.labelSelector, path.child("labelSelector")), ...validateLabelSelector(term.namespaceSelector, path.child("namespaceSelector"))];
  for (const ns of term.namespaces ?? []) errs.push(...invalidEach(path.child("namespace"), ns, isDNS1123Label(ns)));
  errs.push(...validateLabelKeys(term, path));
  if (!term.topologyKey) errs.push(field.required(path.child("topologyKey"), "can not be empty"));
  return [...errs, ...validateLabelName(term.topologyKey ?? "", path.child("topologyKey"))];
}

/** matchLabelKeys / mismatchLabelKeys need a labelSelector and must not overlap it or each other. */
function validateLabelKeys(term: Wire<V1PodAffinityTerm>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ["matchLabelKeys", "mismatchLabelKeys"] as const) {
    const keys = term[key] ?? [];
    if (!keys.length) continue;
    if (!term.labelSelector) errs.push(field.forbidden(path.child(key), "must not be specified when labelSelector is not set"));
    else keys.forEach((k, i) => errs.push(...validateLabelName(k, path.child(key).index(i))));
  }
  const mismatch = new Set(term.mismatchLabelKeys ?? []);
  (term.matchLabelKeys ?? []).forEach((k, i) => {
    if (mismatch.has(k)) errs.push(field.invalid(path.child("matchLabelKeys").index(i), k, "exists in both matchLabelKeys and mismatchLabelKeys"));
  });
  return errs;
}

export function validateNodeSelector(ns: Wire<V1NodeSelector>, path: FieldPath, allowInvalidValues = false): FieldError[] {
  const termsPath = path.child("nodeSelectorTerms");
  if (!ns.nodeSelectorTerms?.length) return [field.required(termsPath, "must have at least one node selector term")];
  return ns.nodeSelectorTerms.flatMap((t, i) => validateNodeSelectorTerm(t, termsPath.index(i), allowInvalidValues));
}

function validateNodeSelectorTerm(term: Wire<V1NodeSelectorTerm>, path: FieldPath, allowInvalidValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, path.child("matchExpressions").index(j), allowInvalidValues)));
  (term.matchFields ?? []).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(r, path.child("matchFields").index(j))));
  return errs;
}

function validateNodeSelectorRequirement(r: Wire<V1NodeSelectorRequirement>, path: FieldPath, allowInvalidValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
    case "NotIn":
      if (!values.length) errs.push(field.required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length) errs.push(field.forbidden(path.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1) errs.push(field.required(path.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(field.invalid(path.child("operator"), r.operator, "not a valid selector operator"));
  }
  errs.push(...validateLabelName(r.key, path.child("key")));
  if (!allowInvalidValues) values.forEach((v, i) => errs.push(...invalidEach(path.child("values").index(i), v, isValidLabelValue(v))));
  return errs;
}

function validateNodeFieldSelectorRequirement(r: Wire<V1NodeSelectorRequirement>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (r.operator === "In" || r.operator === "NotIn") {
    if (r.values?.length !== 1) errs.push(field.required(path.child("values"), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else errs.push(field.invalid(path.child("operator"), r.operator, "not a valid selector operator"));
  if (r.key !== "metadata.name") errs.push(field.invalid(path.child("key"), r.key, "not a valid field selector key"));
  else (r.values ?? []).forEach((v, i) => errs.push(...invalidEach(path.child("values").index(i), v, isDNS1123Subdomain(v))));
  return errs;
}

export function validateTopologySpreadConstraints(constraints: Array<Wire<V1TopologySpreadConstraint>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints ?? [];
  list.forEach((c, i) => {
    const p = path.index(i);
    if (c.maxSkew <= 0) errs.push(field.invalid(p.child("maxSkew"), c.maxSkew, NOT_POSITIVE_MSG));
    if (!c.topologyKey) errs.push(field.required(p.child("topologyKey"), "can not be empty"));
    if (!["DoNotSchedule", "ScheduleAnyway"].includes(c.whenUnsatisfiable)) {
      errs.push(field.notSupported(p.child("whenUnsatisfiable"), c.whenUnsatisfiable, ["DoNotSchedule", "ScheduleAnyway"]));
    }
    const repeat = list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable);
    if (repeat) errs.push(field.duplicate(p.child("{topologyKey, whenUnsatisfiable}"), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    errs.push(...validateMinDomains(c, p.child("minDomains")));
    for (const key of ["nodeAffinityPolicy", "nodeTaintsPolicy"] as const) {
      const v = c[key];
      if (v != null && v !== "Honor" && v !== "Ignore") errs.push(field.notSupported(p.child(key), v, ["Honor", "Ignore"]));
    }
    errs.push(...validateSpreadMatchLabelKeys(c, p.child("matchLabelKeys")));
    errs.push(...validateLabelSelector(c.labelSelector, p.child("labelSelector")));
  });
  return errs;
}

function validateMinDomains(c: Wire<V1TopologySpreadConstraint>, path: FieldPath): FieldError[] {
  if (c.minDomains == null) return [];
  const errs: FieldError[] = [];
  if (c.minDomains <= 0) errs.push(field.invalid(path, c.minDomains, NOT_POSITIVE_MSG));
  if (c.whenUnsatisfiable !== "DoNotSchedule") {
    errs.push(field.invalid(path, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
  }
  return errs;
}

function validateSpreadMatchLabelKeys(c: Wire<V1TopologySpreadConstraint>, path: FieldPath): FieldError[] {
  const keys = c.matchLabelKeys ?? [];
  if (!keys.length) return [];
  const errs: FieldError[] = [];
  if (!c.labelSelector) errs.push(field.forbidden(path, "must not be specified when labelSelector is not set"));
  const selectorKeys = new Set([...Object.keys(c.labelSelector?.matchLabels ?? {}), ...(c.labelSelector?.matchExpressions ?? []).map((e) => e.key)]);
  keys.forEach((k, i) => {
    errs.push(...validateLabelName(k, path.index(i)));
    if (selectorKeys.has(k)) errs.push(field.invalid(path.index(i), k, "exists in both matchLabelKeys and labelSelector"));
  });
  return errs;
}
