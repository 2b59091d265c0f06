/**
 * Helpers shared by this package's tests: error lists as the messages kubectl shows, and a
 * schema path like the one CRD validation passes in.
 */
import { fieldErrorMessage, type FieldError } from "../../api/errors.ts";
import { FieldPath } from "../../validation/field.ts";

export function messages(errs: FieldError[]): string[] {
  return errs.map(fieldErrorMessage);
}

export const SCHEMA_PATH = FieldPath.root("spec").child("versions").index(0).child("schema", "openAPIV3Schema");

/** The message prefix of SCHEMA_PATH, for readable expectations. */
export const AT = "spec.versions[0].schema.openAPIV3Schema";
