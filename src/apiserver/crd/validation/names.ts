/**
 * spec.names and status.acceptedNames: DNS-1035 labels, a kind that is one in lower case, and
 * kind and listKind apart (upstream's ValidateCustomResourceDefinitionNames). Presence of the
 * required names is the spec's business (validate-spec.ts), since acceptedNames may be empty.
 */
import type { FieldError } from "../../api/errors.ts";
import type { CustomResourceDefinitionNames } from "../types.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { isDNS1035Label } from "../../validation/names.ts";

export function validateNames(names: CustomResourceDefinitionNames, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const label = (value: string | undefined, at: FieldPath, prefix = "", lower = false) => {
    if (!value) return;
    const problems = isDNS1035Label(lower ? value.toLowerCase() : value);
    if (problems.length > 0) errs.push(field.invalid(at, value, prefix + problems.join(",")));
  };
  label(names.plural, path.child("plural"));
  label(names.singular, path.child("singular"));
  label(names.kind, path.child("kind"), "may have mixed case, but should otherwise match: ", true);
  label(names.listKind, path.child("listKind"), "may have mixed case, but should otherwise match: ", true);
  (names.shortNames ?? []).forEach((s, i) => {
    const problems = isDNS1035Label(s);
    if (problems.length > 0) errs.push(field.invalid(path.child("shortNames").index(i), s, problems.join(",")));
  });
  if (names.kind && names.kind === names.listKind) errs.push(field.invalid(path.child("listKind"), names.listKind, "kind and listKind may not be the same"));
  (names.categories ?? []).forEach((c, i) => {
    const problems = isDNS1035Label(c);
    if (problems.length > 0) errs.push(field.invalid(path.child("categories").index(i), c, problems.join(",")));
  });
  return errs;
}
