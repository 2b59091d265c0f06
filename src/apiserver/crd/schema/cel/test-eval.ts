/**
 * Test helper: compiles and evaluates one CEL expression with `self` typed by a schema, the way
 * validation rules see it. Returns the value (lists and maps as plain JS), or the error text.
 */
import { newStructural } from "../structural.ts";
import type { JSONSchemaProps } from "../types.ts";
import { declType, newSelfTypeName } from "./decl.ts";
import { Activation, compileExpression, toVal, type Val } from "./index.ts";
import { CelList, CelMap, UInt } from "./values.ts";

export type Outcome = { value: unknown } | { compileError: string } | { error: string };

export function evaluate(src: string, schema: JSONSchemaProps = { type: "object" }, self: unknown = {}, limit = 1_000_000): Outcome {
  const st = newStructural(schema);
  if (!st.ok) throw new Error(st.error);
  const t = declType(st.schema, false, newSelfTypeName())!;
  const c = compileExpression(src, new Map([["self", t]]));
  if (!c.ok) return { compileError: c.issues };
  try {
    return { value: plain(c.program(new Activation(limit, { self: toVal(self, st.schema) }))) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** A CEL value as plain JS, for comparisons in tests. */
export function plain(v: Val): unknown {
  if (v instanceof CelList) return [...v].map(plain);
  if (v instanceof CelMap) return Object.fromEntries(v.keys().map((k) => [String(k), plain(v.find(k)!)]));
  if (v instanceof UInt) return `${v.v}u`;
  return v;
}

/** The value of an expression that must compile and evaluate. */
export function value(src: string, schema?: JSONSchemaProps, self?: unknown): unknown {
  const r = evaluate(src, schema, self);
  if (!("value" in r)) throw new Error(`${src}: ${JSON.stringify(r)}`);
  return r.value;
}
