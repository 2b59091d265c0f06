/**
 * Go's %#v rendering of internal API values, which upstream's field errors print when the bad
 * value is a struct or a slice ("Invalid value: []string{\"/healthz\"}: ..."). Only the shapes
 * the validators quote are covered: string slices, flat structs and nil pointers.
 */
import type { FieldError } from "../api/errors.ts";
import { goQuote } from "./go-quote.ts";
import type { FieldPath } from "./field.ts";

/** A rendered Go value, to tell it apart from a plain string that still needs quoting. */
export class GoSyntax {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A field of a struct: a string (quoted), a boolean, a number, or an already rendered value. */
export type GoField = string | number | boolean | GoSyntax;

function render(v: GoField): string {
  if (typeof v === "string") return goQuote(v);
  return String(v);
}

/** `[]T{"a", "b"}`, or `[]T(nil)` for an absent slice (Go keeps nil and empty apart here). */
export function goSlice(elemType: string, values: readonly string[] | null | undefined): GoSyntax {
  if (values == null) return new GoSyntax(`[]${elemType}(nil)`);
  return new GoSyntax(`[]${elemType}{${values.map(goQuote).join(", ")}}`);
}

/** `pkg.T{A:"x", B:false}` with the fields in declaration order. */
export function goStruct(typeName: string, fields: ReadonlyArray<readonly [string, GoField]>): GoSyntax {
  return new GoSyntax(`${typeName}{${fields.map(([k, v]) => `${k}:${render(v)}`).join(", ")}}`);
}

/** A nil pointer field: `(*int64)(nil)`. */
export function goNilPointer(type: string): GoSyntax {
  return new GoSyntax(`(*${type})(nil)`);
}

/**
 * A set pointer field. Go prints the address, which no client can predict; a fixed one keeps the
 * message's shape.
 */
export function goPointer(type: string): GoSyntax {
  return new GoSyntax(`(*${type})(0xc000010000)`);
}

/** An Invalid error whose value is printed in Go syntax (the value travels in the detail). */
export function invalidGo(path: FieldPath | string, shown: GoSyntax, detail: string): FieldError {
  return { type: "FieldValueInvalid", field: String(path), detail: `${shown.text}: ${detail}` };
}

/** A Duplicate error whose value is printed in Go syntax. */
export function duplicateGo(path: FieldPath | string, shown: GoSyntax): FieldError {
  return { type: "FieldValueDuplicate", field: String(path), detail: shown.text };
}
