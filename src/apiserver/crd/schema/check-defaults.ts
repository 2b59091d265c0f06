/**
 * Defaults must be valid (upstream's defaulting.ValidateDefaults): every `default` must have no
 * fields its schema would prune, well-formed embedded resources, pass its schema's value
 * validations and its x-kubernetes-validations rules. Errors sit under "<node>.default".
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { buildRuleTree, runRules } from "./cel-rules.ts";
import { coerceEmbedded, validateEmbedded } from "./embedded.ts";
import { badValue } from "./go-format.ts";
import { toFieldErrors } from "./openapi-errors.ts";
import { pruneValue } from "./prune.ts";
import { asResourceRoot, type Structural } from "./structural.ts";
import { deepCopy, deepEqual } from "./types.ts";
import { compileValueValidator, dedupe, validateValue } from "./value-validator.ts";

const META_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

export function validateDefaults(root: Structural, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  walk(asResourceRoot(root), path, false, true, errs);
  return errs;
}

function walk(s: Structural, path: FieldPath, insideMeta: boolean, isRoot: boolean, errs: FieldError[]): void {
  if (s.embeddedResource) insideMeta = false;
  if (s.default !== undefined) errs.push(...(insideMeta ? checkInsideMeta(s, path) : checkDefault(s, path)));
  if (s.items) walk(s.items, path.child("items"), insideMeta, false, errs);
  for (const [k, p] of s.properties ?? []) {
    // The root's metadata is ObjectMeta: structural checks already refused anything but name/generateName there.
    if (isRoot && k === "metadata") continue;
    walk(p, path.child("properties").key(k), insideMeta || (s.embeddedResource && META_FIELDS.has(k)), false, errs);
  }
}

function schemaErrors(s: Structural, value: unknown, at: FieldPath): FieldError[] {
  return toFieldErrors(dedupe(validateValue(compileValueValidator(s.raw), value, "")), String(at));
}

function checkDefault(s: Structural, path: FieldPath): FieldError[] {
  const at = path.child("default");
  const def = s.default;
  const errs: FieldError[] = [];
  const pruned = deepCopy(def);
  pruneValue(pruned, s, s.embeddedResource);
  if (!deepEqual(pruned, def)) errs.push(field.invalid(at, badValue(def), "must not have unknown fields"));
  const copy = deepCopy(def);
  const coerceErr = coerceEmbedded(copy, s, s.embeddedResource, false, at);
  if (coerceErr) return [...errs, coerceErr];
  const embedded = validateEmbedded(copy, s, at);
  if (embedded.length) return [...errs, ...embedded];
  const schema = schemaErrors(s, copy, at);
  if (schema.length) return [...errs, ...schema];
  const rules = buildRuleTree(s, s.embeddedResource);
  if (rules) {
    // With oldSelf = self first (transition rules see no change), then as a create.
    const withOld = runRules(rules, copy, copy, undefined, String(at));
    errs.push(...(withOld.length ? withOld : runRules(rules, copy, undefined, undefined, String(at))));
  }
  return errs;
}

/** Defaults inside embedded metadata: checked against their schema (metadata rules are the store's). */
function checkInsideMeta(s: Structural, path: FieldPath): FieldError[] {
  const at = path.child("default");
  const schema = schemaErrors(s, s.default, at);
  if (schema.length) return schema;
  const rules = buildRuleTree(s, false);
  return rules ? runRules(rules, s.default, s.default, undefined, String(at)) : [];
}
