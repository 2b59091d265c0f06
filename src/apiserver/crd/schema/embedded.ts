/**
 * x-kubernetes-embedded-resource objects (upstream's schema/objectmeta): their apiVersion and
 * kind must be strings, their metadata is reduced to ObjectMeta, and on writes they must carry
 * apiVersion and kind and valid metadata. Paths are field.Path style ("spec.template.metadata",
 * "spec.byName[a]" under additionalProperties).
 */
import type { FieldError } from "../../api/errors.ts";
import { FieldPath, field } from "../../validation/field.ts";
import { validateAnnotations, validateLabels } from "../../validation/labels.ts";
import { isDNS1035Label, isDNS1123Label, isQualifiedName } from "../../validation/names.ts";
import { badValue } from "./go-format.ts";
import { coerceObjectMeta } from "./object-meta.ts";
import { asResourceRoot, type Structural } from "./structural.ts";
import { hasKey, isObject, type JsonObject } from "./types.ts";
import { isValidPathSegmentName, isValidPathSegmentPrefix } from "../../validation/path-segment.ts";

type Path = FieldPath | undefined;

const child = (p: Path, name: string): FieldPath => (p ? p.child(name) : FieldPath.root(name));
const key = (p: Path, k: string): FieldPath => (p ? p.key(k) : FieldPath.root("").key(k));
const index = (p: Path, i: number): FieldPath => (p ? p.index(i) : FieldPath.root("").index(i));

/**
 * objectmeta.Coerce: fixes up embedded resources in place (the resource root too when
 * `isResourceRoot`). Returns the first problem, unless `dropInvalid` drops bad fields instead.
 */
export function coerceEmbedded(x: unknown, s: Structural | undefined, isResourceRoot: boolean, dropInvalid: boolean, path?: FieldPath): FieldError | undefined {
  return coerce(x, s && isResourceRoot ? asResourceRoot(s) : s, dropInvalid, path);
}

function coerce(x: unknown, s: Structural | undefined, dropInvalid: boolean, path: Path): FieldError | undefined {
  if (!s) return undefined;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const e = coerce(x[i], s.items, dropInvalid, index(path, i));
      if (e) return e;
    }
    return undefined;
  }
  if (!isObject(x)) return undefined;
  for (const k of Object.keys(x)) {
    const v = x[k];
    if (s.embeddedResource) {
      if (k === "apiVersion" || k === "kind") {
        if (typeof v !== "string") {
          if (dropInvalid) delete x[k];
          else return field.invalid(child(path, k), badValue(v), "must be a string");
        }
      } else if (k === "metadata") {
        const meta = coerceObjectMeta(v, dropInvalid);
        if (meta.ok) x.metadata = meta.meta;
        else if (!dropInvalid) return field.invalid(child(path, "metadata"), badValue(v), meta.error);
      }
    }
    const prop = s.properties?.get(k);
    if (prop) {
      const e = coerce(x[k], prop, dropInvalid, child(path, k));
      if (e) return e;
    } else if (s.additionalProperties) {
      const e = coerce(x[k], s.additionalProperties.schema, dropInvalid, key(path, k));
      if (e) return e;
    }
  }
  return undefined;
}

/** objectmeta.Validate for the embedded resources below the root (the root's metadata is the store's). */
export function validateEmbedded(x: unknown, s: Structural | undefined, path?: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  walk(x, s, path, errs);
  return errs;
}

function walk(x: unknown, s: Structural | undefined, path: Path, errs: FieldError[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    x.forEach((item, i) => walk(item, s.items, index(path, i), errs));
    return;
  }
  if (!isObject(x)) return;
  if (s.embeddedResource) errs.push(...validateEmbeddedResource(path, x));
  for (const k of Object.keys(x)) {
    const prop = s.properties?.get(k);
    if (prop) walk(x[k], prop, child(path, k), errs);
    else if (s.additionalProperties) walk(x[k], s.additionalProperties.schema, key(path, k), errs);
  }
}

function validateEmbeddedResource(path: Path, x: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!hasKey(x, "apiVersion")) errs.push(field.required(child(path, "apiVersion"), "must not be empty"));
  if (!hasKey(x, "kind")) errs.push(field.required(child(path, "kind"), "must not be empty"));
  for (const k of Object.keys(x)) {
    const v = x[k];
    if (k === "apiVersion") {
      if (typeof v !== "string") errs.push(field.invalid(child(path, k), badValue(v), "must be a string"));
      else if (v === "") errs.push(field.invalid(child(path, k), v, "must not be empty"));
      else if (v.split("/").length > 2) errs.push(field.invalid(child(path, k), v, `unexpected GroupVersion string: ${v}`));
    } else if (k === "kind") {
      if (typeof v !== "string") errs.push(field.invalid(child(path, k), badValue(v), "must be a string"));
      else if (v === "") errs.push(field.invalid(child(path, k), v, "must not be empty"));
      else {
        const problems = isDNS1035Label(v.toLowerCase());
        if (problems.length) errs.push(field.invalid(child(path, k), v, `may have mixed case, but should otherwise match: ${problems.join(",")}`));
      }
    } else if (k === "metadata") {
      const meta = coerceObjectMeta(v, false);
      if (!meta.ok) errs.push(field.invalid(child(path, k), badValue(v), meta.error));
      else errs.push(...validateEmbeddedMeta(meta.meta, child(path, k)));
    }
  }
  return errs;
}

/** ValidateObjectMeta with path-segment names, as for embedded resources (an empty name is tolerated). */
function validateEmbeddedMeta(meta: JsonObject, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const s = (k: string): string => (typeof meta[k] === "string" ? (meta[k] as string) : "");
  const generateName = s("generateName");
  if (generateName) for (const m of isValidPathSegmentPrefix(generateName)) errs.push(field.invalid(path.child("generateName"), generateName, m));
  const name = s("name") || "fakename";
  for (const m of isValidPathSegmentName(name)) errs.push(field.invalid(path.child("name"), name, m));
  const namespace = s("namespace");
  if (namespace) for (const m of isDNS1123Label(namespace)) errs.push(field.invalid(path.child("namespace"), namespace, m));
  const generation = typeof meta.generation === "number" ? meta.generation : 0;
  if (generation < 0) errs.push(field.invalid(path.child("generation"), generation, "must be greater than or equal to 0"));
  errs.push(...validateLabels(meta.labels as Record<string, string> | undefined, path.child("labels")));
  errs.push(...validateAnnotations(meta.annotations as Record<string, string> | undefined, path.child("annotations")));
  const refs = Array.isArray(meta.ownerReferences) ? (meta.ownerReferences as JsonObject[]) : [];
  let firstController = "";
  for (const ref of refs) {
    const p = path.child("ownerReferences");
    const apiVersion = String(ref.apiVersion ?? "");
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    if (!version) errs.push(field.invalid(p.child("apiVersion"), apiVersion, "version must not be empty"));
    if (!ref.kind) errs.push(field.invalid(p.child("kind"), String(ref.kind ?? ""), "kind must not be empty"));
    if (!ref.name) errs.push(field.invalid(p.child("name"), String(ref.name ?? ""), "name must not be empty"));
    if (!ref.uid) errs.push(field.invalid(p.child("uid"), String(ref.uid ?? ""), "uid must not be empty"));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          field.invalid(p, badValue(refs), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else firstController = current;
    }
  }
  const finalizers = Array.isArray(meta.finalizers) ? (meta.finalizers as string[]) : [];
  for (const f of finalizers) for (const m of isQualifiedName(f)) errs.push(field.invalid(path.child("finalizers"), f, m));
  if (finalizers.includes("orphan") && finalizers.includes("foregroundDeletion")) {
    errs.push(field.invalid(path.child("finalizers"), badValue(finalizers), "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}
