/**
 * Kubernetes' quantity library: quantity("500m"), isQuantity, and the Quantity methods
 * (isInteger, asInteger, asApproximateFloat, sign, add, sub, compareTo, isGreaterThan,
 * isLessThan). Quantities compare by value: quantity("1") == quantity("1000m").
 */
import { compareQuantities, formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, type Quantity } from "../../../../validation/quantity.ts";
import { T } from "../types.ts";
import { CelError, OpaqueVal, type Val } from "../values.ts";
import { fn, noSuchOverload, traversal, type FunctionDef } from "./registry.ts";

export class QuantityVal extends OpaqueVal {
  readonly typeName = "kubernetes.Quantity";
  constructor(readonly q: Quantity) {
    super();
  }
  equals(other: OpaqueVal): boolean {
    return other instanceof QuantityVal && compareQuantities(this.q, other.q) === 0;
  }
  override toString(): string {
    return formatQuantity(this.q);
  }
}

const Q = T.opaque("kubernetes.Quantity");
const NANO = 1_000_000_000n;

function quantity(v: Val | undefined): QuantityVal {
  if (!(v instanceof QuantityVal)) return noSuchOverload();
  return v;
}

function operand(v: Val | undefined): bigint {
  if (v instanceof QuantityVal) return v.q.nanos;
  if (typeof v === "bigint") return v * NANO;
  return noSuchOverload();
}

/** Parsing traverses the string once. */
const parseCost = ([s]: Val[]): number => (typeof s === "string" ? traversal(s.length) : 0);

export const QUANTITY: FunctionDef[] = [
  {
    name: "quantity",
    overloads: [fn(false, [T.string], Q)],
    impl: ([s]) => {
      if (typeof s !== "string") return noSuchOverload();
      const q = parseQuantity(s);
      if (!q) throw new CelError(QUANTITY_FORMAT_ERROR);
      return new QuantityVal(q);
    },
    cost: parseCost,
  },
  { name: "isQuantity", overloads: [fn(false, [T.string], T.bool)], impl: ([s]) => (typeof s === "string" ? parseQuantity(s) !== undefined : noSuchOverload()), cost: parseCost },
  {
    name: "isInteger",
    overloads: [fn(true, [Q], T.bool)],
    impl: ([q]) => {
      const n = quantity(q).q.nanos;
      return n % NANO === 0n && n / NANO >= -(2n ** 63n) && n / NANO < 2n ** 63n;
    },
  },
  {
    name: "asInteger",
    overloads: [fn(true, [Q], T.int)],
    impl: ([q]) => {
      const n = quantity(q).q.nanos;
      if (n % NANO !== 0n || n / NANO < -(2n ** 63n) || n / NANO >= 2n ** 63n) throw new CelError("cannot convert value to integer");
      return n / NANO;
    },
  },
  { name: "asApproximateFloat", overloads: [fn(true, [Q], T.double)], impl: ([q]) => Number(quantity(q).q.nanos) / 1e9 },
  {
    name: "sign",
    overloads: [fn(true, [Q], T.int)],
    impl: ([q]) => {
      const n = quantity(q).q.nanos;
      return n > 0n ? 1n : n < 0n ? -1n : 0n;
    },
  },
  {
    name: "add",
    overloads: [fn(true, [Q, Q], Q), fn(true, [Q, T.int], Q)],
    impl: ([q, x]) => new QuantityVal({ ...quantity(q).q, nanos: quantity(q).q.nanos + operand(x) }),
  },
  {
    name: "sub",
    overloads: [fn(true, [Q, Q], Q), fn(true, [Q, T.int], Q)],
    impl: ([q, x]) => new QuantityVal({ ...quantity(q).q, nanos: quantity(q).q.nanos - operand(x) }),
  },
  { name: "compareTo", overloads: [fn(true, [Q, Q], T.int)], impl: ([a, b]) => BigInt(compareQuantities(quantity(a).q, quantity(b).q)) },
  { name: "isGreaterThan", overloads: [fn(true, [Q, Q], T.bool)], impl: ([a, b]) => compareQuantities(quantity(a).q, quantity(b).q) > 0 },
  { name: "isLessThan", overloads: [fn(true, [Q, Q], T.bool)], impl: ([a, b]) => compareQuantities(quantity(a).q, quantity(b).q) < 0 },
];
