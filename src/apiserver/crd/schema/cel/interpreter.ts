/**
 * Evaluation of checked CEL expressions, compiled once into closures. Semantics follow cel-go:
 * && and || absorb errors when the other side decides the result, all/exists likewise, and
 * every step is charged to a cost budget (cel-go's runtime cost model: 1 per identifier,
 * selection and call, more for string and list work) so no rule can run away.
 */
import type { Expr } from "./ast.ts";
import { FUNCTIONS, type EvalContext } from "./library/index.ts";
import { index as indexOp, TYPE_IDENTS } from "./library/core.ts";
import { ArrayList, CelError, CelList, CelMap, CostLimitError, LiteralMap, OptionalVal, UInt, type Val } from "./values.ts";

/** The variables and running cost of one evaluation. Comprehension variables live in slots. */
export class Activation implements EvalContext {
  cost = 0;
  readonly slots: Val[] = [];
  private readonly globals = new Map<string, Val>();

  constructor(
    readonly limit: number,
    globals: Record<string, Val | undefined>,
  ) {
    this.bindAll(globals);
  }

  charge(units: number): void {
    this.cost += units;
    if (this.cost > this.limit) throw new CostLimitError();
  }

  bindAll(globals: Record<string, Val | undefined>): void {
    for (const [k, v] of Object.entries(globals)) if (v !== undefined) this.globals.set(k, v);
  }

  has(name: string): boolean {
    return this.globals.has(name);
  }

  get(name: string): Val {
    const v = this.globals.get(name);
    if (v === undefined && !this.globals.has(name)) throw new CelError(`no such attribute: ${name}`);
    return v as Val;
  }
}

export type Program = (a: Activation) => Val;

/** Comprehension variables in scope, by name, to their slot. */
type Scope = ReadonlyMap<string, number>;

/** Per-iteration overhead of macros, as their expansion into comprehensions costs in cel-go. */
const QUANTIFIER_STEP_COST = 3;
const BUILDER_STEP_COST = 13;

export function compile(e: Expr, scope: Scope = new Map()): Program {
  switch (e.k) {
    case "lit": {
      const v = e.v;
      return () => v;
    }
    case "ident": {
      const name = e.name;
      const slot = scope.get(name);
      if (slot !== undefined) {
        return (a) => {
          a.charge(1);
          return a.slots[slot]!;
        };
      }
      const typeIdent = TYPE_IDENTS.get(name);
      return (a) => {
        a.charge(1);
        if (typeIdent && !a.has(name)) return typeIdent.value;
        return a.get(name);
      };
    }
    case "select": {
      const operand = compile(e.operand, scope);
      const field = e.field;
      if (e.test) {
        return (a) => {
          const v = operand(a);
          if (v instanceof CelMap) return v.find(field) !== undefined;
          throw new CelError("invalid type for field selection.");
        };
      }
      return (a) => {
        const v = operand(a);
        a.charge(1);
        return select(v, field);
      };
    }
    case "list": {
      const elems = e.elems.map((x) => compile(x, scope));
      const optional = e.optional;
      return (a) => {
        const out: Val[] = [];
        elems.forEach((p, i) => {
          const v = p(a);
          if (optional[i]) {
            if (!(v instanceof OptionalVal)) throw new CelError("no such overload");
            if (v.value !== undefined) out.push(v.value);
          } else out.push(v);
        });
        a.charge(10);
        return new ArrayList(out);
      };
    }
    case "map": {
      const entries = e.entries.map((x) => ({ key: compile(x.key, scope), value: compile(x.value, scope), optional: x.optional }));
      return (a) => {
        const m = new LiteralMap();
        for (const x of entries) {
          const k = x.key(a);
          let v = x.value(a);
          if (x.optional) {
            if (!(v instanceof OptionalVal)) throw new CelError("no such overload");
            if (v.value === undefined) continue;
            v = v.value;
          }
          if (!m.set(k, v)) throw new CelError(`Failed with repeated key`);
        }
        a.charge(30);
        return m;
      };
    }
    case "comp":
      return comprehension(e, scope);
    case "call":
      return call(e, scope);
  }
}

function select(v: Val, field: string): Val {
  if (v instanceof CelMap) {
    const x = v.find(field);
    if (x === undefined) throw new CelError(`no such key: ${field}`);
    return x;
  }
  if (v instanceof OptionalVal) return v.value === undefined ? v : new OptionalVal(select(v.value, field));
  throw new CelError("no such overload");
}

function call(e: Extract<Expr, { k: "call" }>, scope: Scope): Program {
  const args = e.args.map((x) => compile(x, scope));
  switch (e.fn) {
    case "_&&_":
    case "_||_": {
      const decisive = e.fn === "_||_";
      const [l, r] = args as [Program, Program];
      return (a) => {
        let err: unknown;
        try {
          const x = l(a);
          if (x === decisive) return decisive;
          if (typeof x !== "boolean") err = new CelError("no such overload");
        } catch (ex) {
          if (ex instanceof CostLimitError) throw ex;
          err = ex;
        }
        const y = r(a);
        if (y === decisive) return decisive;
        if (err) throw err;
        if (typeof y !== "boolean") throw new CelError("no such overload");
        return y;
      };
    }
    case "_?_:_": {
      const [c, t, f] = args as [Program, Program, Program];
      return (a) => {
        const x = c(a);
        if (typeof x !== "boolean") throw new CelError("no such overload");
        return x ? t(a) : f(a);
      };
    }
    case "_?._": {
      const operand = args[0]!;
      const field = (e.args[1] as Extract<Expr, { k: "lit" }>).v as string;
      return (a) => {
        let v = operand(a);
        a.charge(1);
        if (v instanceof OptionalVal) {
          if (v.value === undefined) return v;
          v = v.value;
        }
        if (!(v instanceof CelMap)) throw new CelError("no such overload");
        const x = v.find(field);
        return x === undefined ? OptionalVal.NONE : new OptionalVal(x);
      };
    }
    case "_[?_]": {
      const [c, i] = args as [Program, Program];
      return (a) => {
        let v = c(a);
        const k = i(a);
        a.charge(1);
        if (v instanceof OptionalVal) {
          if (v.value === undefined) return v;
          v = v.value;
        }
        if (v instanceof CelMap) {
          const x = v.find(k);
          return x === undefined ? OptionalVal.NONE : new OptionalVal(x);
        }
        if (v instanceof CelList) {
          const n = typeof k === "bigint" ? k : k instanceof UInt ? k.v : undefined;
          if (n === undefined) throw new CelError("no such overload");
          return n >= 0n && n < BigInt(v.size()) ? new OptionalVal(v.get(Number(n))) : OptionalVal.NONE;
        }
        throw new CelError("no such overload");
      };
    }
    case "_[_]": {
      const [c, i] = args as [Program, Program];
      return (a) => {
        const v = c(a);
        const k = i(a);
        a.charge(1);
        if (v instanceof OptionalVal) return v.value === undefined ? v : new OptionalVal(indexOp([v.value, k]));
        return indexOp([v, k]);
      };
    }
  }
  const def = FUNCTIONS.get(e.fn);
  if (!def) throw new CelError(`undeclared reference to '${e.fn}'`);
  const target = e.target ? compile(e.target, scope) : undefined;
  const all = target ? [target, ...args] : args;
  const impl = def.impl;
  const cost = def.cost;
  // Fixed arities avoid allocating through map() on every call.
  if (all.length === 1) {
    const [p0] = all as [Program];
    return (a) => {
      const vals = [p0(a)];
      const result = impl(vals, a);
      a.charge(1 + (cost ? cost(vals, result) : 0));
      return result;
    };
  }
  if (all.length === 2) {
    const [p0, p1] = all as [Program, Program];
    return (a) => {
      const vals = [p0(a), p1(a)];
      const result = impl(vals, a);
      a.charge(1 + (cost ? cost(vals, result) : 0));
      return result;
    };
  }
  return (a) => {
    const vals = all.map((p) => p(a));
    const result = impl(vals, a);
    a.charge(1 + (cost ? cost(vals, result) : 0));
    return result;
  };
}

function iterate(range: Val): Val[] {
  if (range instanceof CelList) return [...range];
  if (range instanceof CelMap) return range.keys();
  throw new CelError("no such overload");
}

function comprehension(e: Extract<Expr, { k: "comp" }>, scope: Scope): Program {
  const range = compile(e.range, scope);
  const slot = scope.size;
  const inner = new Map(scope);
  inner.set(e.iterVar, slot);
  const step = compile(e.step, inner);
  const pred = e.pred ? compile(e.pred, inner) : undefined;
  switch (e.macro) {
    case "all":
    case "exists": {
      const decisive = e.macro === "exists";
      return (a) => {
        const items = iterate(range(a));
        let err: unknown;
        for (const item of items) {
          a.charge(QUANTIFIER_STEP_COST);
          a.slots[slot] = item;
          try {
            const x = step(a);
            if (x === decisive) return decisive;
            if (typeof x !== "boolean") err ??= new CelError("no such overload");
          } catch (ex) {
            if (ex instanceof CostLimitError) throw ex;
            err ??= ex;
          }
        }
        if (err) throw err;
        return !decisive;
      };
    }
    case "exists_one":
      return (a) => {
        let n = 0;
        for (const item of iterate(range(a))) {
          a.charge(QUANTIFIER_STEP_COST);
          a.slots[slot] = item;
          const x = step(a);
          if (typeof x !== "boolean") throw new CelError("no such overload");
          if (x) n++;
        }
        return n === 1;
      };
    case "filter":
      return (a) => {
        const out: Val[] = [];
        for (const item of iterate(range(a))) {
          a.charge(BUILDER_STEP_COST);
          a.slots[slot] = item;
          const keep = step(a);
          if (typeof keep !== "boolean") throw new CelError("no such overload");
          if (keep) out.push(item);
        }
        return new ArrayList(out);
      };
    case "map":
      return (a) => {
        const out: Val[] = [];
        for (const item of iterate(range(a))) {
          a.charge(BUILDER_STEP_COST);
          a.slots[slot] = item;
          if (pred) {
            const keep = pred(a);
            if (typeof keep !== "boolean") throw new CelError("no such overload");
            if (!keep) continue;
          }
          out.push(step(a));
        }
        return new ArrayList(out);
      };
  }
}
