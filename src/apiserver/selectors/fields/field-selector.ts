/**
 * Field selectors, as apimachinery's fields package parses and matches them: terms joined by
 * ",", each `field=value`, `field==value` or `field!=value`. Values escape "\", "," and "=" with
 * a backslash; fields are taken literally up to the first operator. A field the object does not
 * have reads as "" (so `spec.nodeName=` selects unscheduled pods).
 */
import { errors } from "../../api/errors.ts";

export interface FieldRequirement {
  readonly field: string;
  /** "==" parses as "=". */
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** The value of a field of the object being matched; undefined reads as "". */
export type FieldGetter = (field: string) => string | undefined;

/** Maps a requirement's field and value to supported ones; both "" drops the term (upstream's TransformFunc). */
export type FieldTransform = (field: string, value: string) => { field: string; value: string };

/** Which message an unsupported field gets: most built-in types use the first, others the second. */
export type UnsupportedFieldWording = "field label not supported" | "not a known field selector";

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  matches(getField: FieldGetter): boolean {
    return this.requirements.every((r) => ((getField(r.field) ?? "") === r.value) === (r.operator === "="));
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The value an `F=v` term pins field F to (the first such term), for narrowing a lookup. */
  exactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === "=")?.value;
  }

  transform(fn: FieldTransform): FieldSelector {
    const next: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const { field, value } = fn(r.field, r.value);
      if (field !== "" || value !== "") next.push({ field, operator: r.operator, value });
    }
    return new FieldSelector(next);
  }

  /**
   * Throws 400 unless every term's field is in `allowed`, with the message upstream's field
   * label conversion gives: "field label not supported: spec.foo", or for types without their
   * own conversion `"spec.foo" is not a known field selector: only "metadata.name", ...`.
   */
  checkSupported(allowed: Iterable<string>, wording: UnsupportedFieldWording = "field label not supported"): void {
    const known = allowed instanceof Set ? (allowed as ReadonlySet<string>) : new Set(allowed);
    const bad = this.requirements.find((r) => !known.has(r.field));
    if (!bad) return;
    if (wording === "field label not supported") throw errors.badRequest(`field label not supported: ${bad.field}`);
    const only = [...known].map((f) => JSON.stringify(f)).join(", ");
    throw errors.badRequest(`${JSON.stringify(bad.field)} is not a known field selector: only ${only}`);
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }
}

export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Undoes escapeFieldValue; a stray "\", "," or "=" is a 400 with upstream's text. */
export function unescapeFieldValue(text: string): string {
  let out = "";
  let escaped = false;
  for (const c of text) {
    if (escaped) {
      if (c !== "\\" && c !== "," && c !== "=") throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === "\\") escaped = true;
    // Upstream prints the rune with %v, i.e. as its code point number.
    else if (c === "," || c === "=") throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw errors.badRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Splits at commas that are not escaped; escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === ",") {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const OPERATORS = ["!=", "==", "="] as const;

/** Splits at the first operator; "!=" and "==" win over "=" at the same position. */
function splitTerm(term: string): FieldRequirement | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), operator: op === "!=" ? "!=" : "=", value: unescapeFieldValue(term.slice(i + op.length)) };
      }
    }
  }
  return undefined;
}

/** Go's sort.Strings order: by UTF-8 bytes, which code point order matches. */
function byteOrder(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * Parses a `fieldSelector` query value. Terms come back sorted (upstream sorts them before
 * parsing, which fixes both the order of errors and of toString()).
 */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text).sort(byteOrder)) {
    if (term === "") continue;
    const r = splitTerm(term);
    if (!r) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push(r);
  }
  return new FieldSelector(requirements);
}
