/**
 * spec of a CustomResourceDefinition, in upstream's order and words
 * (validateCustomResourceDefinitionSpec over the internal view, see internal-spec.ts). The
 * openAPIV3Schema itself is judged by the structural schema engine.
 */
import type { FieldError } from "../../api/errors.ts";
import type { CustomResourceValidation } from "../types.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { isDNS1035Label, isDNS1123Subdomain } from "../../validation/names.ts";
import { checkSchema } from "../schema/index.ts";
import { validateColumn, validateSubresources } from "./columns-subresources.ts";
import { validateConversion, type ConversionOptions } from "./conversion.ts";
import { goVersions, invalidRendered } from "./go-values.ts";
import { type InternalSpec, type InternalVersion, subresourcesFor } from "./internal-spec.ts";
import { validateNames } from "./names.ts";
import { schemaHas } from "./schema-walk.ts";
import { validateSelectableFields } from "./selectable-fields.ts";

export interface SpecOptions extends ConversionOptions {
  /** Every version needs a schema (relaxed on update for CRDs stored without them). */
  requireOpenAPISchema: boolean;
}

const SPEC = FieldPath.root("spec");
const DEPRECATION_WARNING_MAX = 256;

export function validateSpec(spec: InternalSpec, opts: SpecOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(field.required(SPEC.child("group"), ""));
  else {
    const problems = isDNS1123Subdomain(spec.group);
    if (problems.length > 0) errs.push(field.invalid(SPEC.child("group"), spec.group, problems.join(",")));
    else if (spec.group.split(".").length < 2) errs.push(field.invalid(SPEC.child("group"), spec.group, "should be a domain with at least one dot"));
  }
  if (!spec.scope) errs.push(field.required(SPEC.child("scope"), ""));
  else if (spec.scope !== "Cluster" && spec.scope !== "Namespaced") errs.push(field.notSupported(SPEC.child("scope"), spec.scope, ["Cluster", "Namespaced"]));

  const versionsPath = SPEC.child("versions");
  if (!spec.validation?.openAPIV3Schema) {
    spec.versions.forEach((v, i) => {
      const at = versionsPath.index(i).child("schema", "openAPIV3Schema");
      if (opts.requireOpenAPISchema && !v.schema?.openAPIV3Schema) errs.push(field.required(at, "schemas are required"));
      else if (!opts.requireOpenAPISchema && !spec.preserveUnknownFields && v.served && !v.schema?.openAPIV3Schema) errs.push(field.required(at, "because otherwise all fields are pruned"));
    });
  }
  const hasDefaults = [spec.validation, ...spec.versions.map((v) => v.schema)].some((s) => schemaHas(s?.openAPIV3Schema, (n) => n.default !== undefined));
  if (hasDefaults && spec.preserveUnknownFields) errs.push(field.invalid(SPEC.child("preserveUnknownFields"), true, "must be false in order to use defaults in the schema"));

  let storageCount = 0;
  const seen = new Set<string>();
  let unique = true;
  spec.versions.forEach((v, i) => {
    if (v.storage) storageCount++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const problems = isDNS1035Label(v.name);
    if (problems.length > 0) errs.push(field.invalid(versionsPath.index(i).child("name"), v.name, problems.join(",")));
    errs.push(...validateVersion(v, versionsPath.index(i), subresourcesFor(spec, v)?.status !== undefined));
  });
  if (!unique) errs.push(invalidRendered(String(versionsPath), goVersions(spec.versions), "must contain unique version names"));
  if (storageCount !== 1) errs.push(invalidRendered(String(versionsPath), goVersions(spec.versions), "must have exactly one version marked as storage version"));
  if (spec.version) {
    const problems = isDNS1035Label(spec.version);
    if (problems.length > 0) errs.push(field.invalid(SPEC.child("version"), spec.version, problems.join(",")));
  }

  const names = SPEC.child("names");
  if (!spec.names.plural) errs.push(field.required(names.child("plural"), ""));
  if (!spec.names.singular) errs.push(field.required(names.child("singular"), ""));
  if (!spec.names.kind) errs.push(field.required(names.child("kind"), ""));
  if (!spec.names.listKind) errs.push(field.required(names.child("listKind"), ""));
  errs.push(...validateNames(spec.names, names));

  const anyStatus = spec.subresources?.status !== undefined || spec.versions.some((v) => v.subresources?.status !== undefined);
  errs.push(...validateValidation(spec.validation, anyStatus, SPEC.child("validation")));
  errs.push(...validateSubresources(spec.subresources, SPEC.child("subresources")));
  (spec.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, SPEC.child("additionalPrinterColumns").index(i))));
  if (spec.selectableFields?.length) {
    const schema = spec.validation?.openAPIV3Schema;
    if (!spec.validation) errs.push(field.invalid(SPEC.child("selectableFields"), "", "selectableFields may only be set when validations.schema is included"));
    else if (schema) errs.push(...validateSelectableFields(spec.selectableFields, schema, SPEC.child("selectableFields")));
  }

  const strategy = spec.conversion?.strategy;
  if (spec.conversion && strategy !== "None" && spec.preserveUnknownFields) {
    errs.push(field.invalid(SPEC.child("conversion", "strategy"), strategy, "must be None if spec.preserveUnknownFields is true"));
  }
  errs.push(...validateConversion(spec.conversion, SPEC.child("conversion"), opts));
  return errs;
}

/** One version's own fields (those not lifted to the top level). */
function validateVersion(v: InternalVersion, path: FieldPath, statusEnabled: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const problem of deprecationWarningProblems(v.deprecated, v.deprecationWarning)) {
    errs.push(field.invalid(path.child("deprecationWarning"), v.deprecationWarning ?? null, problem));
  }
  errs.push(...validateValidation(v.schema, statusEnabled, path.child("schema")));
  errs.push(...validateSubresources(v.subresources, path.child("subresources")));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, path.child("additionalPrinterColumns").index(i))));
  if (v.selectableFields?.length) {
    const schema = v.schema?.openAPIV3Schema;
    // (sic: upstream's wording)
    if (!schema) errs.push(field.invalid(path.child("selectableFields"), "", "selectableFields may only be set when version.schema.openAPIV3Schema is not included"));
    else errs.push(...validateSelectableFields(v.selectableFields, schema, path.child("selectableFields")));
  }
  return errs;
}

function deprecationWarningProblems(deprecated: boolean, warning: string | undefined): string[] {
  if (!deprecated && warning !== undefined) return ["can only be set for deprecated versions"];
  if (warning === undefined) return [];
  const problems: string[] = [];
  if (Buffer.byteLength(warning) > DEPRECATION_WARNING_MAX) problems.push(`must be <= ${DEPRECATION_WARNING_MAX} characters long`);
  if (warning.length === 0) problems.push("must not be an empty string");
  let index = 0;
  for (const ch of warning) {
    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) {
      problems.push(`must only contain printable UTF-8 characters; non-printable character found at index ${index}`);
      break;
    }
    index += Buffer.byteLength(ch);
  }
  return problems;
}

/** A schema block (spec.validation or a version's schema): the engine judges the schema. */
function validateValidation(validation: CustomResourceValidation | undefined, statusEnabled: boolean, path: FieldPath): FieldError[] {
  const schema = validation?.openAPIV3Schema;
  if (!schema) return [];
  return checkSchema(schema, path.child("openAPIV3Schema"), { hasStatusSubresource: statusEnabled });
}
