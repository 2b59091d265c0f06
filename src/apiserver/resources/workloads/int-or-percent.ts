/**
 * IntOrString fields of rolling-update strategies (maxUnavailable, maxSurge), checked and read as
 * upstream's apps validation does: an integer >= 0 or a "N%" string.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { validateNonnegative } from "../../validation/numbers.ts";

/** How JSON carries an IntOrString: 1 or "25%". */
export type IntOrPercent = number | string;

const PERCENT = /^[0-9]+%$/;

/** apimachinery's IsValidPercent message (RegexError with its two examples). */
export const PERCENT_ERROR =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** upstream's ValidatePositiveIntOrPercent: a non-negative integer or a well-formed percentage. */
export function validatePositiveIntOrPercent(value: IntOrPercent | undefined | null, path: FieldPath): FieldError[] {
  if (typeof value === "string") return PERCENT.test(value) ? [] : [field.invalid(path, value, PERCENT_ERROR)];
  return validateNonnegative(value, path);
}

/** The percentage of a well-formed "N%" string, else undefined. */
export function percentValue(value: IntOrPercent | undefined | null): number | undefined {
  return typeof value === "string" && PERCENT.test(value) ? Number.parseInt(value, 10) : undefined;
}

/**
 * upstream's getIntOrPercentValue: the percentage, the integer, or what Go's Atoi makes of any
 * other string (0 when it is not a number), so "may not both be 0" checks agree with upstream.
 */
export function intOrPercentValue(value: IntOrPercent | undefined | null): number {
  const percent = percentValue(value);
  if (percent !== undefined) return percent;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^[+-]?\d+$/.test(value)) return Number.parseInt(value, 10);
  return 0;
}

/** upstream's IsNotMoreThan100Percent: only percentages are capped. */
export function validateNotMoreThan100Percent(value: IntOrPercent | undefined | null, path: FieldPath): FieldError[] {
  const percent = percentValue(value);
  return percent !== undefined && percent > 100 ? [field.invalid(path, value, "must not be greater than 100%")] : [];
}
