/**
 * Evaluation of parsed JSONPath templates over decoded JSON, as client-go's FindResults does it
 * with missing keys allowed (the mode kube-apiserver uses): each top-level node of the template
 * gives one result list. Numbers follow upstream's JSON decoding: integral values are int64,
 * others float64, and the two do not compare with each other.
 */
import type { ListNode, PathNode, SliceParam } from "./parse.ts";

/** A JSON value as decoded (undefined never appears in results). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class JsonPathEvalError extends Error {}

/** The results of every top-level node of `template` (text nodes give their text). */
export function findResults(template: ListNode, data: unknown): Json[][] {
  const out: Json[][] = [];
  for (const node of template.nodes) out.push(walk([data as Json], node));
  return out;
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walk(input: Json[], node: PathNode): Json[] {
  switch (node.kind) {
    case "list":
      return node.nodes.reduce((values, n) => walk(values, n), input);
    case "text":
      return [node.text];
    case "field":
      return evalField(input, node.name);
    case "array":
      return evalArray(input, node.params);
    case "filter":
      return evalFilter(input, node);
    case "int":
    case "float":
    case "bool":
      return input.map(() => node.value);
    case "wildcard":
      return input.flatMap(children);
    case "recursive":
      return evalRecursive(input);
    case "union":
      return node.lists.flatMap((list) => walk(input, list));
    case "identifier":
      // range/end belong to kubectl's output templates, not to a column or field path.
      throw new JsonPathEvalError(`unrecognized identifier ${node.name}`);
  }
}

/** Map values, array elements, and (as client-go walks Go strings too) a string's bytes. */
function children(v: Json): Json[] {
  if (isObject(v)) return Object.values(v);
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...Buffer.from(v)];
  return [];
}

function evalField(input: Json[], name: string): Json[] {
  const out: Json[] = [];
  for (const v of input) {
    if (isObject(v) && Object.hasOwn(v, name)) out.push(v[name]!);
  }
  return out;
}

function evalArray(input: Json[], node: readonly [SliceParam, SliceParam, SliceParam]): Json[] {
  const out: Json[] = [];
  for (const v of input) {
    if (v === null) continue;
    if (!Array.isArray(v)) throw new JsonPathEvalError(`${goKind(v)} is not array or slice`);
    const len = v.length;
    const [startParam, endParam, stepParam] = node;
    let start = startParam.known ? startParam.value : 0;
    if (start < 0) start += len;
    let end = endParam.known ? endParam.value : len;
    if (end < 0 || (end === 0 && endParam.derived)) end += len;
    // Asking for no elements is allowed whatever the bounds.
    if (end === start) continue;
    if (start >= len || start < 0) throw new JsonPathEvalError(`array index out of bounds: index ${start}, length ${len}`);
    if (end > len || end < 0) throw new JsonPathEvalError(`array index out of bounds: index ${end - 1}, length ${len}`);
    if (start > end) throw new JsonPathEvalError(`starting index ${start} is greater than ending index ${end}`);
    let step = 1;
    if (stepParam.known) {
      if (stepParam.value <= 0) throw new JsonPathEvalError("step must be > 0");
      step = stepParam.value;
    }
    for (let i = start; i < end; i += step) out.push(v[i]!);
  }
  return out;
}

function evalRecursive(input: Json[]): Json[] {
  const out: Json[] = [];
  for (const v of input) {
    if (v === null) continue;
    const kids = children(v);
    if (kids.length === 0) continue;
    out.push(v, ...evalRecursive(kids));
  }
  return out;
}

function evalFilter(input: Json[], node: Extract<PathNode, { kind: "filter" }>): Json[] {
  const out: Json[] = [];
  for (const v of input) {
    if (!Array.isArray(v)) throw new JsonPathEvalError(`${goKind(v)} is not array or slice and cannot be filtered`);
    for (const item of v) {
      if (node.operator === "exists") {
        let found: Json[] = [];
        try {
          found = walk([item], node.left);
        } catch {
          // A failing left side simply does not exist.
        }
        if (found.length > 0) out.push(item);
        continue;
      }
      const lefts = walk([item], node.left);
      if (lefts.length === 0) continue;
      if (lefts.length > 1) throw new JsonPathEvalError("can only compare one element at a time");
      const rights = walk([item], node.right);
      if (rights.length === 0) continue;
      if (rights.length > 1) throw new JsonPathEvalError("can only compare one element at a time");
      if (compare(lefts[0]!, rights[0]!, node.operator)) out.push(item);
    }
  }
  return out;
}

type Basic = { kind: "int" | "float" | "string" | "bool"; value: number | string | boolean };

/** The kind text/template compares by: int64 and float64 are different kinds. */
function basic(v: Json): Basic {
  if (typeof v === "number") return { kind: Number.isInteger(v) ? "int" : "float", value: v };
  if (typeof v === "string") return { kind: "string", value: v };
  if (typeof v === "boolean") return { kind: "bool", value: v };
  throw new JsonPathEvalError("invalid type for comparison");
}

/** text/template's eq/ne/lt/le/gt/ge on two basic values of the same kind. */
function compare(left: Json, right: Json, operator: string): boolean {
  if (operator === "=~") {
    if (typeof left !== "string" || typeof right !== "string") throw new JsonPathEvalError("regexp search only support string now");
    return new RegExp(right).test(left);
  }
  const a = basic(left);
  const b = basic(right);
  if (a.kind !== b.kind) throw new JsonPathEvalError("incompatible types for comparison");
  switch (operator) {
    case "==":
      return a.value === b.value;
    case "!=":
      return a.value !== b.value;
  }
  if (a.kind === "bool") throw new JsonPathEvalError("invalid type for comparison");
  switch (operator) {
    case "<":
      return a.value < b.value;
    case ">":
      return a.value > b.value;
    case "<=":
      return a.value <= b.value;
    case ">=":
      return a.value >= b.value;
  }
  throw new JsonPathEvalError(`unrecognized filter operator ${operator}`);
}

function goKind(v: Json): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "object") return "map[string]interface {}";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  return typeof v;
}
