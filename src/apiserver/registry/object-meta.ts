/**
 * The metadata rules every type shares (upstream's rest.BeforeCreate/BeforeUpdate and
 * ValidateObjectMeta): system fields are set by the server, user fields are checked for syntax.
 */
import type { FieldError } from "../api/errors.ts";
import type { KubeObject, ObjectMeta } from "../api/types.ts";
import type { ResourceDefinition } from "./definition.ts";
import { field, FieldPath, invalidEach } from "../validation/field.ts";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../validation/names.ts";

/** Total size of all annotations (keys + values), as upstream's TotalAnnotationSizeLimitB. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** Characters upstream's name generator picks from: no vowels, no look-alikes. */
const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Which syntax a type's names follow. Most are DNS subdomains; some must be single labels. */
export type NameRule = "subdomain" | "label" | "dns1035" | "path-segment";

export function nameRuleOf(def: ResourceDefinition): NameRule {
  return def.nameRule ?? "subdomain";
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `generateName` + 5 random characters, as upstream's SimpleNameGenerator. */
export function generateName(base: string): string {
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return prefix + suffix;
}

/** Sets the fields the server owns on a new object. */
export function prepareMetaForCreate(obj: KubeObject, def: ResourceDefinition, namespace: string, now: number): ObjectMeta {
  const meta: ObjectMeta = (obj.metadata ??= {});
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  if (def.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  meta.uid = crypto.randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (def.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  return meta;
}

/** Keeps the server-owned fields of the stored object on an update. */
export function prepareMetaForUpdate(obj: KubeObject, old: KubeObject, def: ResourceDefinition): ObjectMeta {
  const meta: ObjectMeta = (obj.metadata ??= {});
  const prev = old.metadata ?? {};
  // A different uid is refused by validateObjectMetaUpdate (a PUT already failed its precondition).
  meta.uid ||= prev.uid;
  meta.creationTimestamp = prev.creationTimestamp;
  meta.deletionTimestamp = prev.deletionTimestamp;
  meta.deletionGracePeriodSeconds = prev.deletionGracePeriodSeconds;
  if (prev.deletionTimestamp === undefined) delete meta.deletionTimestamp;
  if (prev.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
  if (def.namespaced) meta.namespace = prev.namespace;
  delete meta.selfLink;
  if (def.tracksGeneration) meta.generation = prev.generation ?? 1;
  else delete meta.generation;
  return meta;
}

function checkName(name: string, rule: NameRule): string[] {
  switch (rule) {
    case "label":
      return isDNS1123Label(name);
    case "dns1035":
      return isDNS1035Label(name);
    case "path-segment":
      if (name === "." || name === "..") return [`may not be '${name}'`];
      return /[/%]/.test(name) ? [`may not contain '${name.includes("/") ? "/" : "%"}'`] : [];
    default:
      return isDNS1123Subdomain(name);
  }
}

/** ValidateObjectMeta: name, generateName, namespace, labels, annotations, owner references, finalizers. */
export function validateObjectMeta(meta: ObjectMeta, def: ResourceDefinition): FieldError[] {
  const path = FieldPath.root("metadata");
  const errs: FieldError[] = [];
  const rule = nameRuleOf(def);
  if (!meta.name) errs.push(field.required(path.child("name"), "name or generateName is required"));
  else errs.push(...invalidEach(path.child("name"), meta.name, checkName(meta.name, rule)));
  if (meta.generateName) {
    // The generated suffix is appended later, so the prefix only needs to be a valid start.
    const probe = meta.generateName.replace(/-+$/, "") || "a";
    errs.push(...invalidEach(path.child("generateName"), meta.generateName, checkName(probe, rule)));
  }
  if (def.namespaced && !meta.namespace) errs.push(field.required(path.child("namespace"), ""));
  errs.push(...validateLabels(meta.labels, path.child("labels")));
  errs.push(...validateAnnotations(meta.annotations, path.child("annotations")));
  (meta.finalizers ?? []).forEach((f, i) => {
    errs.push(...invalidEach(path.child("finalizers").index(i), f, isQualifiedName(f)));
  });
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const p = path.child("ownerReferences").index(i);
    if (!ref.apiVersion) errs.push(field.invalid(p.child("apiVersion"), ref.apiVersion ?? "", "version must not be empty"));
    if (!ref.kind) errs.push(field.invalid(p.child("kind"), ref.kind ?? "", "kind must not be empty"));
    if (!ref.name) errs.push(field.invalid(p.child("name"), ref.name ?? "", "name must not be empty"));
    if (!ref.uid) errs.push(field.invalid(p.child("uid"), ref.uid ?? "", "uid must not be empty"));
  });
  const controllers = (meta.ownerReferences ?? []).filter((r) => r.controller);
  if (controllers.length > 1) {
    errs.push(field.invalid(path.child("ownerReferences"), meta.ownerReferences, "Only one reference can have Controller set to true"));
  }
  return errs;
}

export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k)));
    errs.push(...invalidEach(path.key(k), v, isValidLabelValue(v)));
  }
  return errs;
}

function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    total += k.length + v.length;
  }
  if (total > ANNOTATIONS_MAX_BYTES) errs.push(field.tooLong(path, ANNOTATIONS_MAX_BYTES));
  return errs;
}

/** Immutable metadata on update (name and namespace are checked by the caller against the URL). */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root("metadata");
  if (old.deletionTimestamp && (meta.finalizers ?? []).some((f) => !(old.finalizers ?? []).includes(f))) {
    errs.push(field.forbidden(path.child("finalizers"), "no new finalizers can be added if the object is being deleted"));
  }
  if (meta.uid !== old.uid) errs.push(field.invalid(path.child("uid"), meta.uid, "field is immutable"));
  return errs;
}
