/**
 * kube-openapi's validation errors (pkg/validation/errors), and how apiextensions turns them
 * into field errors (kubeOpenAPIResultToFieldErrors). Messages name the value by its path
 * "in body": `spec.replicas in body must be of type integer: "string"`.
 */
import type { FieldError } from "../../api/errors.ts";
import { badValue, goFloat } from "./go-format.ts";
import { goQuote } from "../../validation/go-quote.ts";

export const enum Code {
  /** Not a *errors.Validation (anyOf/oneOf/allOf/not failures): reported on the whole object. */
  Composite,
  InvalidType,
  Required,
  TooLong,
  TooShort,
  Pattern,
  Enum,
  MultipleOf,
  Max,
  Min,
  Unique,
  MaxItems,
  MinItems,
  TooFewProperties,
  TooManyProperties,
  UnallowedProperty,
  MultipleOfMustBePositive,
}

/** Errors that make upstream skip CEL rules (hasBlockingErr: Required, NotSupported, TooLong, TooMany, TypeInvalid). */
export function isBlocking(e: OpenAPIError): boolean {
  return e.code === Code.Required || e.code === Code.Enum || e.code === Code.TooLong || e.code === Code.MaxItems || e.code === Code.TooManyProperties || e.code === Code.InvalidType;
}

export interface OpenAPIError {
  code: Code;
  /** The value's path as kube-openapi spells it ("spec.items[0].name", "" at the root). */
  name: string;
  value?: unknown;
  /** The limit for TooLong / MaxItems / TooManyProperties. */
  valid?: number;
  values?: unknown[];
  message: string;
}

const IN = "body";

/** A number as kube-openapi prints a schema bound: integers for integer data, Go %v floats otherwise. */
function bound(n: number, asInt: boolean): string {
  return asInt ? String(Math.trunc(n)) : goFloat(n);
}

export const openapi = {
  invalidType(name: string, typeName: string, value: string): OpenAPIError {
    return { code: Code.InvalidType, name, value, message: `${name} in ${IN} must be of type ${typeName}: ${goQuote(value)}` };
  },
  required(name: string): OpenAPIError {
    return { code: Code.Required, name, message: `${name} in ${IN} is required` };
  },
  tooLong(name: string, max: number, value: string): OpenAPIError {
    return { code: Code.TooLong, name, value, valid: max, message: `${name} in ${IN} should be at most ${max} chars long` };
  },
  tooShort(name: string, min: number, value: string): OpenAPIError {
    return { code: Code.TooShort, name, value, valid: min, message: `${name} in ${IN} should be at least ${min} chars long` };
  },
  pattern(name: string, pattern: string, value: string): OpenAPIError {
    return { code: Code.Pattern, name, value, message: `${name} in ${IN} should match '${pattern}'` };
  },
  enumFail(name: string, value: unknown, values: unknown[]): OpenAPIError {
    return { code: Code.Enum, name, value, values, message: `${name} in ${IN} should be one of ${values.map(String).join(" ")}` };
  },
  notMultipleOf(name: string, factor: number, asInt: boolean, value: unknown): OpenAPIError {
    return { code: Code.MultipleOf, name, value, message: `${name} in ${IN} should be a multiple of ${bound(factor, asInt)}` };
  },
  multipleOfMustBePositive(name: string, factor: number, asInt: boolean): OpenAPIError {
    return { code: Code.MultipleOfMustBePositive, name, value: factor, message: `factor MultipleOf declared for ${name} must be positive: ${bound(factor, asInt)}` };
  },
  exceedsMaximum(name: string, max: number, exclusive: boolean, asInt: boolean, value: unknown): OpenAPIError {
    const op = exclusive ? "less than" : "less than or equal to";
    return { code: Code.Max, name, value, message: `${name} in ${IN} should be ${op} ${bound(max, asInt)}` };
  },
  exceedsMinimum(name: string, min: number, exclusive: boolean, asInt: boolean, value: unknown): OpenAPIError {
    const op = exclusive ? "greater than" : "greater than or equal to";
    return { code: Code.Min, name, value, message: `${name} in ${IN} should be ${op} ${bound(min, asInt)}` };
  },
  duplicateItems(name: string): OpenAPIError {
    return { code: Code.Unique, name, message: `${name} in ${IN} shouldn't contain duplicates` };
  },
  tooManyItems(name: string, max: number, size: number): OpenAPIError {
    return { code: Code.MaxItems, name, value: size, valid: max, message: `${name} in ${IN} should have at most ${max} items` };
  },
  tooFewItems(name: string, min: number, size: number): OpenAPIError {
    return { code: Code.MinItems, name, value: size, valid: min, message: `${name} in ${IN} should have at least ${min} items` };
  },
  tooFewProperties(name: string, min: number, size: number): OpenAPIError {
    return { code: Code.TooFewProperties, name, value: size, valid: min, message: `${name} in ${IN} should have at least ${min} properties` };
  },
  tooManyProperties(name: string, max: number, size: number): OpenAPIError {
    return { code: Code.TooManyProperties, name, value: size, valid: max, message: `${name} in ${IN} should have at most ${max} properties` };
  },
  propertyNotAllowed(name: string, key: string): OpenAPIError {
    return { code: Code.UnallowedProperty, name, value: key, message: `${name}.${key} in ${IN} is a forbidden property` };
  },
  mustValidateAtLeastOne(name: string): OpenAPIError {
    return { code: Code.Composite, name, message: `${goQuote(name)} must validate at least one schema (anyOf)` };
  },
  mustValidateOnlyOne(name: string, valid: number): OpenAPIError {
    const extra = valid === 0 ? "Found none valid" : `Found ${valid} valid alternatives`;
    return { code: Code.Composite, name, message: `${goQuote(name)} must validate one and only one schema (oneOf). ${extra}` };
  },
  mustValidateAll(name: string, noneValid: boolean): OpenAPIError {
    return { code: Code.Composite, name, message: `${goQuote(name)} must validate all the schemas (allOf)${noneValid ? ". None validated" : ""}` };
  },
  mustNotValidate(name: string): OpenAPIError {
    return { code: Code.Composite, name, message: `${goQuote(name)} must not validate the schema (not)` };
  },
};

/**
 * kubeOpenAPIResultToFieldErrors: `base` is the path the validated value sits at (undefined for
 * a whole custom object, which upstream prints as "<nil>" where an error names no field).
 */
export function toFieldErrors(errs: OpenAPIError[], base: string | undefined): FieldError[] {
  const root = base ?? "<nil>";
  return errs.map((e): FieldError => {
    if (e.code === Code.Composite) return { type: "FieldValueInvalid", field: root, value: "", detail: e.message };
    let field = root;
    if (e.name !== "" && e.name !== ".") {
      const child = e.name.startsWith(".") ? e.name.slice(1) : e.name;
      field = base ? `${base}.${child}` : child;
    }
    switch (e.code) {
      case Code.Required:
        return { type: "FieldValueRequired", field, detail: "" };
      case Code.Enum: {
        const supported = (e.values ?? []).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
        return { type: "FieldValueNotSupported", field, value: badValue(e.value), detail: supported.length ? `supported values: ${supported.map(goQuote).join(", ")}` : "" };
      }
      case Code.TooLong:
        return { type: "FieldValueTooLong", field, detail: `may not be more than ${e.valid} bytes` };
      case Code.MaxItems:
      case Code.TooManyProperties:
        return { type: "FieldValueTooMany", field, value: e.value, detail: `must have at most ${e.valid} items` };
      case Code.InvalidType:
        return { type: "FieldValueInvalid", field, value: badValue(e.value ?? ""), detail: e.message };
      default:
        return { type: "FieldValueInvalid", field, value: badValue(e.value ?? ""), detail: e.message };
    }
  });
}
