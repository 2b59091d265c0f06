/**
 * Pod-only validation (upstream's ValidatePodCreate and ValidatePodUpdate): the rules a pod
 * spec has beyond any pod template, and which fields a running pod may change.
 */
import type { V1Toleration } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { inclusiveRangeError, MAX_INT32 } from "../../validation/numbers.ts";
import { validatePodSpec, validatePodSpecificAnnotations } from "./pod-spec-validation.ts";
import { validateTolerations } from "./scheduling-validation.ts";
import { differingPaths, semanticEqual } from "./semantic.ts";
import type { Container, Pod, PodSpec } from "./types.ts";

const SPEC = FieldPath.root("spec");
const MIRROR_POD = "kubernetes.io/config.mirror";

const UPDATABLE_FIELDS = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

/** Everything a pod must satisfy, on create and update (upstream's validatePodMetadataAndSpec). */
export function validatePod(pod: Pod): FieldError[] {
  const spec = pod.spec ?? { containers: [] };
  const errs = validatePodSpecificAnnotations(pod.metadata?.annotations, spec, FieldPath.root("metadata").child("annotations"));
  errs.push(...validatePodSpec(spec, SPEC, { isPod: true, podName: pod.metadata?.name }));
  if (!spec.serviceAccountName) {
    (spec.volumes ?? []).forEach((v, i) => {
      (v.projected?.sources ?? []).forEach((s, j) => {
        const p = SPEC.child("volumes").index(i).child("projected", "sources").index(j).child("serviceAccountToken");
        if (s.serviceAccountToken) errs.push(field.forbidden(p, "must not be specified when serviceAccountName is not set"));
      });
    });
  }
  errs.push(...imageWhitespace(spec.containers, SPEC.child("containers")));
  errs.push(...imageWhitespace(spec.initContainers, SPEC.child("initContainers")));
  return errs;
}

function imageWhitespace(containers: Container[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const image = c.image ?? "";
    if (image !== image.trim()) errs.push(field.invalid(path.index(i).child("image"), image, "must not have leading or trailing whitespace"));
  });
  return errs;
}

/** Rules only a new pod has: ephemeral containers come later, and gated pods are not bound. */
export function validatePodCreate(pod: Pod): FieldError[] {
  const spec = pod.spec ?? { containers: [] };
  const errs: FieldError[] = [];
  if (spec.ephemeralContainers?.length) errs.push(field.forbidden(SPEC.child("ephemeralContainers"), "cannot be set on create"));
  if (spec.nodeName && spec.schedulingGates?.length) errs.push(field.forbidden(SPEC.child("nodeName"), "cannot be set until all schedulingGates have been cleared"));
  return errs;
}

/** What a pod update may change (upstream's ValidatePodUpdate beyond the common checks). */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateMirrorAnnotation(pod, old);
  const spec = pod.spec ?? { containers: [] };
  const prev = old.spec ?? { containers: [] };
  for (const key of ["containers", "initContainers"] as const) {
    const list = containerUpdateErrors(spec[key] ?? [], prev[key] ?? [], SPEC.child(key));
    if (list.stop) return [...errs, ...list.errors];
    errs.push(...list.errors);
  }
  const deadline = activeDeadlineErrors(spec.activeDeadlineSeconds, prev.activeDeadlineSeconds);
  if (deadline.stop) return [...errs, ...deadline.errors];
  errs.push(...deadline.errors);
  errs.push(...onlyAddedTolerations(spec.tolerations ?? [], prev.tolerations ?? []));
  errs.push(...onlyDeletedSchedulingGates(spec, prev));
  if (semanticEqual(spec, prev)) return errs;
  const munged = mungeUpdatableFields(spec, prev, errs);
  if (!semanticEqual(munged, prev)) {
    const diff = differingPaths(prev, munged).map((p) => `  spec.${p}`).join("\n");
    errs.push(field.forbidden(SPEC, `pod updates may not change fields other than ${UPDATABLE_FIELDS.join(",")}\n${diff}`));
  }
  return errs;
}

function validateMirrorAnnotation(pod: Pod, old: Pod): FieldError[] {
  const now = pod.metadata?.annotations ?? {};
  const before = old.metadata?.annotations ?? {};
  const path = FieldPath.root("metadata").child("annotations").key(MIRROR_POD);
  if (MIRROR_POD in before && now[MIRROR_POD] !== before[MIRROR_POD]) return [field.forbidden(path, "may not remove or update mirror pod annotation")];
  if (!(MIRROR_POD in before) && MIRROR_POD in now) return [field.forbidden(path, "may not add mirror pod annotation")];
  return [];
}

function containerUpdateErrors(next: Container[], prev: Container[], path: FieldPath): { errors: FieldError[]; stop: boolean } {
  if (next.length !== prev.length) return { errors: [field.forbidden(path, "pod updates may not add or remove containers")], stop: true };
  const errors: FieldError[] = [];
  next.forEach((c, i) => {
    const image = c.image ?? "";
    if (!image) errors.push(field.required(path.index(i).child("image")));
    if (image.trim() !== image) errors.push(field.invalid(path.index(i).child("image"), image, "must not have leading or trailing whitespace"));
  });
  return { errors, stop: false };
}

/** activeDeadlineSeconds may be set, or lowered, but not raised or removed. */
function activeDeadlineErrors(next: number | undefined | null, prev: number | undefined | null): { errors: FieldError[]; stop: boolean } {
  const path = SPEC.child("activeDeadlineSeconds");
  if (next != null) {
    if (next < 0 || next > MAX_INT32) return { errors: [field.invalid(path, next, inclusiveRangeError(0, MAX_INT32))], stop: true };
    if (prev != null && prev < next) return { errors: [field.invalid(path, next, "must be less than or equal to previous value")], stop: true };
    return { errors: [], stop: false };
  }
  return { errors: prev != null ? [field.invalid(path, null, "must not update from a positive integer to nil value")] : [], stop: false };
}

/** Existing tolerations stay (their tolerationSeconds may change); new ones may be added. */
function onlyAddedTolerations(next: Array<Wire<V1Toleration>>, prev: Array<Wire<V1Toleration>>): FieldError[] {
  const path = SPEC.child("tolerations");
  for (const old of prev) {
    const kept = next.some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!kept) return [field.forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(next, path);
}

function onlyDeletedSchedulingGates(spec: PodSpec, prev: PodSpec): FieldError[] {
  const before = new Set((prev.schedulingGates ?? []).map((g) => g.name));
  const errs: FieldError[] = [];
  (spec.schedulingGates ?? []).forEach((g, i) => {
    if (!before.has(g.name)) {
      errs.push(field.forbidden(SPEC.child("schedulingGates").index(i).child("name"), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
    }
  });
  return errs;
}

/** The new spec with every field a pod may change reset to its old value. */
function mungeUpdatableFields(spec: PodSpec, prev: PodSpec, errs: FieldError[]): PodSpec {
  const munged: PodSpec = structuredClone(spec);
  const sameImages = (list: Container[] | undefined, old: Container[] | undefined) => list?.map((c, i) => ({ ...c, image: old?.[i]?.image ?? c.image }));
  munged.containers = sameImages(munged.containers, prev.containers) ?? [];
  if (munged.initContainers) munged.initContainers = sameImages(munged.initContainers, prev.initContainers);
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.schedulingGates = prev.schedulingGates;
  munged.tolerations = prev.tolerations;
  const oldGrace = prev.terminationGracePeriodSeconds;
  if (oldGrace != null && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  // A pod still held by scheduling gates may gain node selector entries.
  if (prev.schedulingGates?.length && !semanticEqual(munged.nodeSelector, prev.nodeSelector)) {
    const before = prev.nodeSelector ?? {};
    const after = munged.nodeSelector ?? {};
    if (Object.entries(before).some(([k, v]) => after[k] !== v)) {
      errs.push(field.invalid(SPEC.child("nodeSelector"), after, "only additions to spec.nodeSelector are allowed (no mutations or deletions)"));
    }
    munged.nodeSelector = prev.nodeSelector;
  }
  return munged;
}
