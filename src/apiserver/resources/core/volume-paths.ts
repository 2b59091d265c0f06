/**
 * Relative-path rules for volume items and sub-paths (upstream's validateLocalDescendingPath
 * and friends).
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";

/** No ".." element anywhere in the path. */
export function validatePathNoBacksteps(target: string, path: FieldPath): FieldError[] {
  return target.replaceAll("\\", "/").split("/").includes("..") ? [field.invalid(path, target, "must not contain '..'")] : [];
}

/** Relative and without "..". */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith("/")) errs.push(field.invalid(path, target, "must be a relative path"));
  return [...errs, ...validatePathNoBacksteps(target, path)];
}

/** Relative, without "..", and not starting with "..". */
export function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith("..") && !target.startsWith("../")) errs.push(field.invalid(path, target, "must not start with '..'"));
  return errs;
}
