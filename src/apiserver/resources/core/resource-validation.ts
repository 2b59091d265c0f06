/**
 * Resource names and quantities in requirements, limit ranges and quotas, with upstream's
 * messages (pkg/apis/core/validation: validateResourceRequirements and friends).
 */
import type { FieldError } from "../../api/errors.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isQualifiedName } from "../../validation/names.ts";
import { IS_NEGATIVE_MSG, NOT_POSITIVE_MSG } from "../../validation/numbers.ts";
import { compareQuantities, formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, quantityText, type Quantity } from "../../validation/quantity.ts";
import {
  isExtendedResourceName,
  isHugePageResourceName,
  isIntegerResourceName,
  isNativeResource,
  isOvercommitAllowed,
  isStandardContainerResourceName,
  isStandardQuotaResourceName,
  isStandardResourceName,
} from "./resource-names.ts";
import type { ResourceList, ResourceRequirements } from "./types.ts";

const NANO = 1_000_000_000n;

/** A parsed quantity, or an Invalid error when the text is not one. */
export function readQuantity(value: unknown, path: FieldPath): Quantity | FieldError {
  const text = quantityText(value);
  const q = text === undefined ? undefined : parseQuantity(text);
  return q ?? field.invalid(path, value, QUANTITY_FORMAT_ERROR);
}

export function isFieldError(v: Quantity | FieldError): v is FieldError {
  return "type" in v;
}

/** Any resource name: qualified, and unprefixed names must be standard. */
export function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = invalidEach(path, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes("/") && !isStandardResourceName(name)) errs.push(field.invalid(path, name, "must be a standard resource type or fully qualified"));
  return errs;
}

export function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes("/")) {
    if (!isStandardContainerResourceName(name)) errs.push(field.invalid(path, name, "must be a standard resource for containers"));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(field.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateQuotaResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes("/") && !isStandardQuotaResourceName(name)) errs.push(field.invalid(path, name, "must be a standard resource for quota"));
  return errs;
}

/** Non-negative, and whole for integer resources (upstream's ValidateResourceQuantityValue). */
export function validateResourceQuantity(name: string, q: Quantity, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (q.nanos < 0n) errs.push(field.invalid(path, formatQuantity(q), IS_NEGATIVE_MSG));
  if (isIntegerResourceName(name) && q.nanos % NANO !== 0n) errs.push(field.invalid(path, formatQuantity(q), "must be an integer"));
  return errs;
}

export function validatePositiveQuantity(q: Quantity, path: FieldPath): FieldError[] {
  return q.nanos <= 0n ? [field.invalid(path, formatQuantity(q), NOT_POSITIVE_MSG)] : [];
}

/**
 * Parses a whole list; returns the parsed values and any errors (names checked by `nameCheck`,
 * values checked unless `checkValues` is false, as for limit ranges).
 */
export function readResourceList(
  list: ResourceList | undefined | null,
  path: FieldPath,
  nameCheck: (name: string, path: FieldPath) => FieldError[],
  checkValues = true,
): { values: Map<string, Quantity>; errors: FieldError[] } {
  const values = new Map<string, Quantity>();
  const errors: FieldError[] = [];
  for (const [name, raw] of Object.entries(list ?? {})) {
    const p = path.key(name);
    errors.push(...nameCheck(name, p));
    const q = readQuantity(raw, p);
    if (isFieldError(q)) errors.push(q);
    else {
      values.set(name, q);
      if (checkValues) errors.push(...validateResourceQuantity(name, q, p));
    }
  }
  return { values, errors };
}

/** A container's (or the pod overhead's) requests and limits. */
export function validateResourceRequirements(req: ResourceRequirements | undefined, podClaimNames: Set<string>, path: FieldPath): FieldError[] {
  const limPath = path.child("limits");
  const reqPath = path.child("requests");
  const limits = readResourceList(req?.limits, limPath, validateContainerResourceName);
  const requests = readResourceList(req?.requests, reqPath, validateContainerResourceName);
  const errs = [...limits.errors, ...requests.errors];
  for (const [name, q] of limits.values) errs.push(...hugePageErrors(name, q, limPath.key(name)));
  for (const [name, q] of requests.values) {
    errs.push(...requestAgainstLimit(name, q, limits.values.get(name), reqPath, limPath));
    errs.push(...hugePageErrors(name, q, reqPath.key(name)));
  }
  const names = [...limits.values.keys(), ...requests.values.keys()];
  const hasCpuOrMemory = names.some((n) => n === "cpu" || n === "memory");
  if (!hasCpuOrMemory && names.some(isHugePageResourceName)) errs.push(field.forbidden(path, "HugePages require cpu or memory"));
  errs.push(...validateClaimReferences(req?.claims ?? [], podClaimNames, path.child("claims")));
  return errs;
}

function requestAgainstLimit(name: string, request: Quantity, limit: Quantity | undefined, reqPath: FieldPath, limPath: FieldPath): FieldError[] {
  if (!limit) return isOvercommitAllowed(name) ? [] : [field.required(limPath, "Limit must be set for non overcommitable resources")];
  const cmp = compareQuantities(request, limit);
  if (cmp !== 0 && !isOvercommitAllowed(name)) {
    return [field.invalid(reqPath, formatQuantity(request), `must be equal to ${name} limit of ${formatQuantity(limit)}`)];
  }
  if (cmp > 0) return [field.invalid(reqPath, formatQuantity(request), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`)];
  return [];
}

/** hugepages-<size> amounts must be whole multiples of the page size. */
function hugePageErrors(name: string, q: Quantity, path: FieldPath): FieldError[] {
  if (!isHugePageResourceName(name)) return [];
  const size = parseQuantity(name.slice("hugepages-".length));
  const value = (q.nanos + NANO - 1n) / NANO;
  const pageBytes = size ? (size.nanos + NANO - 1n) / NANO : 0n;
  if (pageBytes > 0n && value > 0n && value % pageBytes === 0n) return [];
  return [field.invalid(path, formatQuantity(q), `${formatQuantity(q)} is not positive integer multiple of ${name}`)];
}

/** resources.claims entries must name one of spec.resourceClaims, each at most once. */
function validateClaimReferences(claims: Array<{ name: string; request?: string }>, podClaimNames: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  claims.forEach((claim, i) => {
    if (!claim.name) return void errs.push(field.required(path.index(i)));
    const key = claim.request ? `${claim.name}/${claim.request}` : claim.name;
    if (seen.has(claim.name) || seen.has(key)) errs.push(field.duplicate(path.index(i), key));
    seen.add(key);
    if (!podClaimNames.has(claim.name)) {
      const known = [...podClaimNames].sort();
      const detail = known.length ? `must be one of the names in pod.spec.resourceClaims: ${known.join(", ")}` : "must be one of the names in pod.spec.resourceClaims which is empty";
      errs.push({ ...field.notFound(path.index(i), claim.name), detail });
    }
  });
  return errs;
}
