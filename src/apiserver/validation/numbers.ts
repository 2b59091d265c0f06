/**
 * Numeric range checks and their upstream wording (k8s.io/apimachinery/pkg/util/validation and
 * pkg/api/validation).
 */
import type { FieldError } from "../api/errors.ts";
import { field, type FieldPath } from "./field.ts";

export const IS_NEGATIVE_MSG = "must be greater than or equal to 0";
export const NOT_POSITIVE_MSG = "must be greater than zero";
export const MAX_INT32 = 2147483647;

/** "must be between 1 and 65535, inclusive" — upstream's InclusiveRangeError. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** A present number below zero is Invalid (upstream's ValidateNonnegativeField). */
export function validateNonnegative(value: number | undefined | null, path: FieldPath): FieldError[] {
  return typeof value === "number" && value < 0 ? [field.invalid(path, value, IS_NEGATIVE_MSG)] : [];
}

/** Linux user ids: 0..2^31-1. */
export function isValidUserID(id: number): string[] {
  return Number.isInteger(id) && id >= 0 && id <= MAX_INT32 ? [] : [inclusiveRangeError(0, MAX_INT32)];
}

export const isValidGroupID = isValidUserID;
