/**
 * Field paths and field-error constructors, as upstream's k8s.io/apimachinery/pkg/util/validation/field.
 * Paths print as "spec.containers[0].image" and "metadata.labels[app]".
 */
import type { FieldError } from "../api/errors.ts";

export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  child(...names: string[]): FieldPath {
    return new FieldPath([this.text, ...names].filter(Boolean).join("."));
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

type Path = FieldPath | string;
const p = (path: Path) => String(path);

export const field = {
  required: (path: Path, detail = ""): FieldError => ({ type: "FieldValueRequired", field: p(path), detail }),
  invalid: (path: Path, value: unknown, detail = ""): FieldError => ({ type: "FieldValueInvalid", field: p(path), value, detail }),
  notSupported: (path: Path, value: unknown, valid: string[]): FieldError => ({
    type: "FieldValueNotSupported",
    field: p(path),
    value,
    detail: valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(", ")}` : "",
  }),
  duplicate: (path: Path, value: unknown): FieldError => ({ type: "FieldValueDuplicate", field: p(path), value }),
  forbidden: (path: Path, detail: string): FieldError => ({ type: "FieldValueForbidden", field: p(path), detail }),
  tooLong: (path: Path, max: number): FieldError => ({ type: "FieldValueTooLong", field: p(path), detail: `may not be more than ${max} bytes` }),
  tooMany: (path: Path, actual: number, max: number): FieldError => ({ type: "FieldValueTooMany", field: p(path), detail: `must have at most ${max} items (${actual} given)` }),
  notFound: (path: Path, value: unknown): FieldError => ({ type: "FieldValueNotFound", field: p(path), value }),
  /** Upstream's ValidateImmutableField message. */
  immutable: (path: Path, value: unknown): FieldError => ({ type: "FieldValueInvalid", field: p(path), value, detail: "field is immutable" }),
};

/** Each message from a syntax check (names.ts) as an Invalid error on `path`. */
export function invalidEach(path: Path, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => field.invalid(path, value, m));
}
