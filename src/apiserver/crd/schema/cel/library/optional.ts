/**
 * cel-go's optional types (enabled by Kubernetes since 1.28): optional.of, optional.none,
 * optional.ofNonZeroValue, hasValue, value, orValue, or. The `.?field` and `[?key]` operators
 * are evaluated by the interpreter.
 */
import { T } from "../types.ts";
import { CelError, CelList, CelMap, OptionalVal, UInt, type Val } from "../values.ts";
import { fn, noSuchOverload, type FunctionDef } from "./registry.ts";

const A = T.param("A");

function opt(v: Val | undefined): OptionalVal {
  if (!(v instanceof OptionalVal)) return noSuchOverload();
  return v;
}

function isZero(v: Val): boolean {
  if (v === null || v === false || v === "" || v === 0 || v === 0n) return true;
  if (v instanceof UInt) return v.v === 0n;
  if (v instanceof Uint8Array) return v.length === 0;
  if (v instanceof CelList || v instanceof CelMap) return v.size() === 0;
  return false;
}

export const OPTIONAL: FunctionDef[] = [
  { name: "optional.of", overloads: [fn(false, [A], T.optional(A))], impl: ([v]) => new OptionalVal(v!) },
  { name: "optional.ofNonZeroValue", overloads: [fn(false, [A], T.optional(A))], impl: ([v]) => (isZero(v!) ? OptionalVal.NONE : new OptionalVal(v!)) },
  { name: "optional.none", overloads: [fn(false, [], T.optional(T.dyn))], impl: () => OptionalVal.NONE },
  { name: "hasValue", overloads: [fn(true, [T.optional(A)], T.bool)], impl: ([o]) => opt(o).value !== undefined },
  {
    name: "value",
    overloads: [fn(true, [T.optional(A)], A)],
    impl: ([o]) => {
      const v = opt(o).value;
      if (v === undefined) throw new CelError("optional.none() dereference");
      return v;
    },
  },
  { name: "orValue", overloads: [fn(true, [T.optional(A), A], A)], impl: ([o, d]) => opt(o).value ?? d! },
  { name: "or", overloads: [fn(true, [T.optional(A), T.optional(A)], T.optional(A))], impl: ([o, other]) => (opt(o).value !== undefined ? o! : opt(other)) },
];
