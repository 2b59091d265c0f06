/**
 * The structural schema engine for CustomResourceDefinitions: checking a version's
 * openAPIV3Schema when a CRD is written, and pruning, defaulting and validating custom objects
 * against it, with kube-apiserver 1.32's semantics and messages.
 *
 * What kube-apiserver does to a custom object, in order:
 *  - decoding (request bodies, and objects read back from storage): `decode` — prune unknown
 *    fields, drop nulls that are neither nullable nor defaulted, reduce embedded and root
 *    metadata to ObjectMeta, then apply defaults. Reading from storage defaults too, so new
 *    defaults show on old objects.
 *  - create: `validate(obj)`; update: `validate(obj, old)` (ratcheting: errors in unchanged
 *    parts are not reported; transition rules see oldSelf); status update:
 *    `validateStatus(obj, old)`.
 * The root's apiVersion/kind and ObjectMeta rules (name, labels, ...) are the store's.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { buildRuleTree, runRules, type RuleNode } from "./cel-rules.ts";
import { checkSchema as check, type CheckSchemaOptions } from "./check-schema.ts";
import { Correlation } from "./correlation.ts";
import { applyDefaults, pruneDefaults } from "./defaulting.ts";
import { coerceEmbedded, validateEmbedded } from "./embedded.ts";
import { validateListTypes } from "./list-type.ts";
import { coerceObjectMeta } from "./object-meta.ts";
import { isBlocking, toFieldErrors } from "./openapi-errors.ts";
import { dropNulls, pruneObject } from "./prune.ts";
import { newStructural, type Structural } from "./structural.ts";
import { isObject, type JSONSchemaProps } from "./types.ts";
import { compileValueValidator, dedupe, validateValue, type VNode } from "./value-validator.ts";

export type { JSONSchemaProps, ValidationRule } from "./types.ts";
export type { CheckSchemaOptions } from "./check-schema.ts";

/** apiextensions validation of one version's openAPIV3Schema; `path` is the schema's own path. */
export function checkSchema(schema: JSONSchemaProps, path: FieldPath, opts: CheckSchemaOptions): FieldError[] {
  return check(schema, path, opts);
}

export interface DecodeOptions {
  /** Objects read from storage: malformed metadata fields are dropped instead of failing. */
  fromStorage: boolean;
  /** Receives the paths of pruned unknown fields (for fieldValidation=Warn/Strict), sorted. */
  unknownFieldPaths?: string[];
}

export interface CompiledSchema {
  /** Errors of a custom object against the schema, including x-kubernetes-validations rules; `old` makes it an update. */
  validate(obj: unknown, old?: unknown): FieldError[];
  /** Errors of a status-subresource update: the status against its schema (paths "status..."), then all rules. */
  validateStatus(obj: unknown, old: unknown): FieldError[];
  /** Applies `default`s in place (structural defaulting, nested and in arrays). */
  applyDefaults(obj: unknown): void;
  /** Drops undeclared fields in place (never the root's apiVersion, kind or metadata); paths of dropped fields go to `unknownFieldPaths`. */
  prune(obj: unknown, unknownFieldPaths?: string[]): void;
  /** What kube-apiserver's decoder does to a custom object (see the module comment); returns a metadata error on requests. */
  decode(obj: unknown, opts: DecodeOptions): FieldError | undefined;
}

/** Compiles a version's schema once (validators, pruned defaults, CEL programs). The schema must be structural. */
export function compileSchema(schema: JSONSchemaProps): CompiledSchema {
  const st = newStructural(schema);
  if (!st.ok) throw new Error(`schema is not structural: ${st.error}`);
  return new Compiled(schema, st.schema);
}

/** hasBlockingErr's types: after one of these, CEL rules are not run. */
const BLOCKING = new Set(["FieldValueRequired", "FieldValueNotSupported", "FieldValueTooLong", "FieldValueTooMany"]);

const RULES_SKIPPED = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

class Compiled implements CompiledSchema {
  private readonly root: Structural;
  private readonly validator: VNode;
  private readonly statusValidator: VNode | undefined;
  private readonly rules: RuleNode | undefined;
  /** Walks that only matter when the schema has embedded resources or set/map lists. */
  private readonly hasEmbedded: boolean;
  private readonly hasListTypes: boolean;

  constructor(schema: JSONSchemaProps, root: Structural) {
    this.root = root;
    pruneDefaults(root);
    this.validator = compileValueValidator(schema);
    const status = isObject(schema.properties) ? schema.properties.status : undefined;
    this.statusValidator = isObject(status) ? compileValueValidator(status) : undefined;
    this.rules = buildRuleTree(root, true);
    this.hasEmbedded = subtreeHas(root, (n) => n.embeddedResource);
    this.hasListTypes = subtreeHas(root, (n) => n.listType === "set" || n.listType === "map");
  }

  validate(obj: unknown, old?: unknown): FieldError[] {
    return guardDepth(() => this.validateObject(obj, old), (e) => [e]);
  }

  private validateObject(obj: unknown, old?: unknown): FieldError[] {
    const isUpdate = old !== undefined && old !== null;
    const corr = isUpdate ? new Correlation(obj, old, this.root) : undefined;
    const openapi = dedupe(validateValue(this.validator, obj, "", corr));
    let blocking = openapi.some(isBlocking);
    const errs = toFieldErrors(openapi, undefined);
    if (this.hasEmbedded) {
      const embedded = validateEmbedded(obj, this.root);
      blocking ||= embedded.some((e) => BLOCKING.has(e.type));
      errs.push(...embedded);
    }
    // List invariants ratchet as a whole: an old object that already broke them may keep doing so.
    if (this.hasListTypes && (!isUpdate || validateListTypes(old, this.root).length === 0)) errs.push(...validateListTypes(obj, this.root));
    return this.withRules(errs, blocking, obj, isUpdate ? old : undefined, corr);
  }

  validateStatus(obj: unknown, old: unknown): FieldError[] {
    return guardDepth(() => this.validateStatusUpdate(obj, old), (e) => [e]);
  }

  private validateStatusUpdate(obj: unknown, old: unknown): FieldError[] {
    const errs: FieldError[] = [];
    let blocking = false;
    if (this.statusValidator && isObject(obj) && Object.hasOwn(obj, "status")) {
      const openapi = dedupe(validateValue(this.statusValidator, obj.status, ""));
      blocking = openapi.some(isBlocking);
      errs.push(...toFieldErrors(openapi, "status"));
    }
    const listErrs = this.hasListTypes ? validateListTypes(obj, this.root) : [];
    if (listErrs.length && validateListTypes(old, this.root).length === 0) errs.push(...listErrs);
    return this.withRules(errs, blocking || errs.some((e) => BLOCKING.has(e.type)), obj, old, undefined);
  }

  private withRules(errs: FieldError[], blocking: boolean, obj: unknown, old: unknown, corr: Correlation | undefined): FieldError[] {
    if (!this.rules) return errs;
    if (blocking) errs.push(field.invalid("<nil>", "null", RULES_SKIPPED));
    else errs.push(...runRules(this.rules, obj, old, corr));
    return errs;
  }

  applyDefaults(obj: unknown): void {
    applyDefaults(obj, this.root);
  }

  prune(obj: unknown, unknownFieldPaths?: string[]): void {
    pruneObject(obj, this.root, unknownFieldPaths);
  }

  decode(obj: unknown, opts: DecodeOptions): FieldError | undefined {
    return guardDepth(() => this.decodeObject(obj, opts), (e) => e);
  }

  private decodeObject(obj: unknown, opts: DecodeOptions): FieldError | undefined {
    if (!isObject(obj)) return undefined;
    if (Object.hasOwn(obj, "metadata")) {
      const meta = coerceObjectMeta(obj.metadata, opts.fromStorage);
      if (!meta.ok) {
        if (!opts.fromStorage) return field.invalid("metadata", "", meta.error);
        delete obj.metadata;
      } else {
        if (opts.unknownFieldPaths && isObject(obj.metadata)) {
          for (const k of Object.keys(obj.metadata)) if (!KNOWN_META.has(k)) opts.unknownFieldPaths.push(`metadata.${k}`);
        }
        obj.metadata = meta.meta;
      }
    }
    pruneObject(obj, this.root, opts.unknownFieldPaths);
    dropNulls(obj, this.root);
    const err = this.hasEmbedded ? coerceEmbedded(obj, this.root, false, opts.fromStorage) : undefined;
    if (err) return err;
    applyDefaults(obj, this.root);
    return undefined;
  }
}

const TOO_DEEP = field.invalid("<nil>", "", "object is nested too deeply");

/**
 * Walks recurse with the object's nesting; input nested deeper than the stack allows (tens of
 * thousands of levels, far beyond the 10,000 Go's JSON decoder accepts) is refused, not a crash.
 */
function guardDepth<T>(run: () => T, tooDeep: (e: FieldError) => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError) return tooDeep(TOO_DEEP);
    throw e;
  }
}

function subtreeHas(s: Structural | undefined, pred: (s: Structural) => boolean): boolean {
  if (!s) return false;
  if (pred(s)) return true;
  if (subtreeHas(s.items, pred) || subtreeHas(s.additionalProperties?.schema, pred)) return true;
  for (const p of s.properties?.values() ?? []) if (subtreeHas(p, pred)) return true;
  return false;
}

const KNOWN_META = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);
