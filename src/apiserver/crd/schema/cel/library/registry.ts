/**
 * How library functions are declared: typed overloads for the checker, one dynamic
 * implementation for evaluation (which checks the runtime kinds itself and fails with
 * "no such overload" when they do not fit), and an optional cost beyond the base cost of 1.
 */
import type { CelType } from "../types.ts";
import { CelError, type Val } from "../values.ts";

export interface Overload {
  /** Member-style (`x.f(y)`): the receiver is args[0]. */
  receiver: boolean;
  args: CelType[];
  result: CelType;
}

export interface EvalContext {
  /** Adds to the running cost; throws CostLimitError past the limit. */
  charge(units: number): void;
}

export interface FunctionDef {
  name: string;
  overloads: Overload[];
  /** Receives the receiver first for member calls. */
  impl: (args: Val[], ctx: EvalContext) => Val;
  /** Cost beyond 1 for this call, from its arguments and result (cel-go's and Kubernetes' cost model). */
  cost?: (args: Val[], result: Val) => number;
}

export const fn = (receiver: boolean, args: CelType[], result: CelType): Overload => ({ receiver, args, result });

/** Thrown when an implementation does not handle its arguments' runtime kinds. */
export class NoSuchOverload extends CelError {
  constructor() {
    super("no such overload");
  }
}

export function noSuchOverload(): never {
  throw new NoSuchOverload();
}

/** ceil(size × 0.1): the cost of traversing a string, list or bytes once. */
export function traversal(size: number): number {
  return Math.ceil(size * 0.1);
}
