/**
 * One term of a label selector (apimachinery's labels.Requirement): its construction checks,
 * whose error text kube-apiserver returns verbatim, matching, and its canonical string form.
 */
import { isQualifiedName, isValidLabelValue } from "../../validation/names.ts";
import { goQuote } from "../../validation/go-quote.ts";

/** selection.Operator values. */
export type LabelOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

export const BINARY_OPERATORS: readonly LabelOperator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const ALL_OPERATORS: readonly LabelOperator[] = [...BINARY_OPERATORS, "exists", "!"];

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** A selector that failed to parse or build; the message is upstream's error text. */
export class SelectorError extends Error {
  override readonly name = "SelectorError";
}

/** Go's %#v of a []string. */
function goStringSlice(values: readonly string[] | undefined): string {
  return values === undefined ? "[]string(nil)" : `[]string{${values.map(goQuote).join(", ")}}`;
}

export const invalid = (field: string, value: string, detail: string) => `${field}: Invalid value: ${value}: ${detail}`;

/** The checks upstream's validateLabelKey makes, as an error message (undefined when valid). */
export function labelKeyError(key: string, field: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? invalid(field, goQuote(key), errs.join("; ")) : undefined;
}

/** Go's strconv.ParseInt(s, 10, 64). */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function operatorErrors(op: LabelOperator, values: readonly string[] | undefined): string[] {
  const n = values?.length ?? 0;
  const shown = goStringSlice(values);
  switch (op) {
    case "in":
    case "notin":
      return n === 0 ? [invalid("values", shown, "for 'in', 'notin' operators, values set can't be empty")] : [];
    case "=":
    case "==":
    case "!=":
      return n !== 1 ? [invalid("values", shown, "exact-match compatibility requires one single value")] : [];
    case "exists":
    case "!":
      return n !== 0 ? [invalid("values", shown, "values set must be empty for exists and does not exist")] : [];
    case "gt":
    case "lt": {
      const errs = n !== 1 ? [invalid("values", shown, "for 'Gt', 'Lt' operators, exactly one value is required")] : [];
      (values ?? []).forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      return errs;
    }
    default:
      return [`operator: Unsupported value: ${goQuote(op)}: supported values: ${ALL_OPERATORS.map(goQuote).join(", ")}`];
  }
}

/** Several errors print as "[a, b]" with duplicates removed, one as itself (Go's aggregate). */
export function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}

/**
 * upstream's NewRequirement. `values` undefined stands for a Go nil slice (it only shows in
 * error text). Throws SelectorError with upstream's message.
 */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[] | undefined): LabelRequirement {
  const errs: string[] = [];
  const keyErr = labelKeyError(key, "key");
  if (keyErr) errs.push(keyErr);
  errs.push(...operatorErrors(operator, values));
  (values ?? []).forEach((v, i) => {
    const problems = isValidLabelValue(v);
    if (problems.length > 0) errs.push(invalid(`values[${i}][${key}]`, goQuote(v), problems.join("; ")));
  });
  if (errs.length > 0) throw new SelectorError(aggregate(errs));
  return { key, operator, values: [...(values ?? [])] };
}

export function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : "";
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(value);
    case "notin":
    case "!=":
      return !has || !r.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt":
      return compareInts(r, has ? value : undefined);
  }
}

function compareInts(r: LabelRequirement, value: string | undefined): boolean {
  if (value === undefined || r.values.length !== 1) return false;
  const actual = parseInt64(value);
  const bound = parseInt64(r.values[0]!);
  if (actual === undefined || bound === undefined) return false;
  return r.operator === "gt" ? actual > bound : actual < bound;
}

const OPERATOR_TEXT: Readonly<Record<LabelOperator, string>> = { "=": "=", "==": "==", "!=": "!=", in: " in ", notin: " notin ", gt: ">", lt: "<", exists: "", "!": "" };

/** "k", "!k", "k=v", "k in (a,b)": values sorted, as upstream prints them. */
export function requirementString(r: LabelRequirement): string {
  const key = r.operator === "!" ? `!${r.key}` : r.key;
  if (r.operator === "exists" || r.operator === "!") return key;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(",");
  const body = r.operator === "in" || r.operator === "notin" ? `(${values})` : values;
  return key + OPERATOR_TEXT[r.operator] + body;
}
