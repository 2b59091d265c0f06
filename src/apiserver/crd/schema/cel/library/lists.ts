/**
 * Kubernetes' list library (isSorted, sum, min, max, indexOf, lastIndexOf), cel-go's sets
 * extension (sets.contains, sets.equivalent, sets.intersects) and Kubernetes' regex library
 * (find, findAll).
 */
import { compileGoRegexp } from "../../re2/index.ts";
import { checkedDuration } from "../time.ts";
import { T, type CelType } from "../types.ts";
import { ArrayList, CelError, CelList, checkedInt, checkedUint, compareVals, Duration, UInt, valEquals, type Val } from "../values.ts";
import { fn, noSuchOverload, type FunctionDef } from "./registry.ts";
import { sizeOf } from "./core.ts";

const A = T.param("A");
const COMPARABLE: CelType[] = [T.int, T.uint, T.double, T.bool, T.string, T.bytes, T.duration, T.timestamp];
const SUMMABLE: CelType[] = [T.int, T.uint, T.double, T.duration];

function list(v: Val | undefined): Val[] {
  if (!(v instanceof CelList)) return noSuchOverload();
  return [...v];
}

function cmp(a: Val, b: Val): number {
  const c = compareVals(a, b);
  if (c === undefined) return noSuchOverload();
  return c;
}

function extreme(name: "min" | "max", items: Val[]): Val {
  if (items.length === 0) throw new CelError(`${name} called on empty list`);
  let best: Val = items[0] as Val;
  for (const x of items.slice(1)) {
    const c = cmp(x, best);
    if (name === "min" ? c < 0 : c > 0) best = x;
  }
  return best;
}

function sum(items: Val[]): Val {
  if (items.length === 0) return 0n;
  const first = items[0]!;
  if (typeof first === "bigint") return items.reduce<bigint>((acc, x) => (typeof x === "bigint" ? checkedInt(acc + x) : noSuchOverload()), 0n);
  if (typeof first === "number") return items.reduce<number>((acc, x) => (typeof x === "number" ? acc + x : noSuchOverload()), 0);
  if (first instanceof UInt) return items.reduce<UInt>((acc, x) => (x instanceof UInt ? checkedUint(acc.v + x.v) : noSuchOverload()), new UInt(0n));
  if (first instanceof Duration) return items.reduce<Duration>((acc, x) => (x instanceof Duration ? checkedDuration(acc.nanos + x.nanos) : noSuchOverload()), new Duration(0n));
  return noSuchOverload();
}

const listCost = ([l]: Val[]): number => (l instanceof CelList ? l.size() : 0);

function regexOf(v: Val | undefined) {
  if (typeof v !== "string") return noSuchOverload();
  try {
    return compileGoRegexp(v);
  } catch (e) {
    throw new CelError(`invalid matches argument: ${(e as Error).message}`);
  }
}

const regexCost = ([s, re]: Val[]): number => Math.ceil((1 + sizeOf(s!)) * 0.1) * Math.ceil(sizeOf(re!) * 0.25);

export const LISTS: FunctionDef[] = [
  {
    name: "isSorted",
    overloads: COMPARABLE.map((t) => fn(true, [T.list(t)], T.bool)),
    impl: ([l]) => {
      const items = list(l);
      for (let i = 1; i < items.length; i++) if (cmp(items[i - 1]!, items[i]!) > 0) return false;
      return true;
    },
    cost: listCost,
  },
  { name: "sum", overloads: SUMMABLE.map((t) => fn(true, [T.list(t)], t)), impl: ([l]) => sum(list(l)), cost: listCost },
  { name: "min", overloads: COMPARABLE.map((t) => fn(true, [T.list(t)], t)), impl: ([l]) => extreme("min", list(l)), cost: listCost },
  { name: "max", overloads: COMPARABLE.map((t) => fn(true, [T.list(t)], t)), impl: ([l]) => extreme("max", list(l)), cost: listCost },
  {
    name: "indexOf",
    overloads: [fn(true, [T.list(A), A], T.int)],
    impl: ([l, x]) => BigInt(list(l).findIndex((y) => valEquals(y, x!))),
    cost: listCost,
  },
  {
    name: "lastIndexOf",
    overloads: [fn(true, [T.list(A), A], T.int)],
    impl: ([l, x]) => {
      const items = list(l);
      for (let i = items.length - 1; i >= 0; i--) if (valEquals(items[i]!, x!)) return BigInt(i);
      return -1n;
    },
    cost: listCost,
  },
  {
    name: "sets.contains",
    overloads: [fn(false, [T.list(A), T.list(A)], T.bool)],
    impl: ([a, b]) => {
      const xs = list(a);
      return list(b).every((y) => xs.some((x) => valEquals(x, y)));
    },
    cost: ([a, b]) => sizeOf(a!) * sizeOf(b!),
  },
  {
    name: "sets.equivalent",
    overloads: [fn(false, [T.list(A), T.list(A)], T.bool)],
    impl: ([a, b]) => {
      const xs = list(a);
      const ys = list(b);
      return ys.every((y) => xs.some((x) => valEquals(x, y))) && xs.every((x) => ys.some((y) => valEquals(x, y)));
    },
    cost: ([a, b]) => sizeOf(a!) * sizeOf(b!),
  },
  {
    name: "sets.intersects",
    overloads: [fn(false, [T.list(A), T.list(A)], T.bool)],
    impl: ([a, b]) => {
      const xs = list(a);
      return list(b).some((y) => xs.some((x) => valEquals(x, y)));
    },
    cost: ([a, b]) => sizeOf(a!) * sizeOf(b!),
  },
  {
    name: "find",
    overloads: [fn(true, [T.string, T.string], T.string)],
    impl: ([s, re]) => {
      if (typeof s !== "string") return noSuchOverload();
      return regexOf(re).find(s) ?? "";
    },
    cost: regexCost,
  },
  {
    name: "findAll",
    overloads: [fn(true, [T.string, T.string], T.list(T.string)), fn(true, [T.string, T.string, T.int], T.list(T.string))],
    impl: ([s, re, n]) => {
      if (typeof s !== "string") return noSuchOverload();
      if (n !== undefined && typeof n !== "bigint") return noSuchOverload();
      return new ArrayList(regexOf(re).findAll(s, n === undefined ? -1 : Number(n)));
    },
    cost: regexCost,
  },
];
