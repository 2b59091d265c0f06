/**
 * The static cost estimate of a checked expression (cel-go's checker cost model with
 * Kubernetes' function costs): the most a rule could cost on the largest value its schema
 * allows. CRD validation refuses rules whose estimate, times how often the rule can run in one
 * object, exceeds the budget. Sizes come from maxLength/maxItems/maxProperties, or from the
 * request size limit when a schema sets none.
 *
 * Only the maximum is computed. The common shapes (comprehensions, string functions, equality,
 * list functions) follow upstream's formulas; anything else counts 1 per call, as upstream's
 * default does.
 */
import type { Expr } from "./ast.ts";
import type { CelType } from "./types.ts";

const UNBOUNDED = 1.8446744073709552e19;

const scalar = (t: CelType | undefined): boolean =>
  t !== undefined && (t.kind === "bool" || t.kind === "int" || t.kind === "uint" || t.kind === "double" || t.kind === "duration" || t.kind === "timestamp");

const cap = (n: number): number => Math.min(n, UNBOUNDED);
const traverse = (size: number, factor = 0.1): number => Math.ceil(cap(size) * factor);

export function estimateCost(e: Expr, types: ReadonlyMap<number, CelType>): number {
  return new Estimator(types).cost(e);
}

class Estimator {
  /** Sizes computed for nodes (literals, call results), by node id. */
  private readonly sizes = new Map<number, number>();

  constructor(private readonly types: ReadonlyMap<number, CelType>) {}

  size(e: Expr): number {
    const computed = this.sizes.get(e.id);
    if (computed !== undefined) return computed;
    const t = this.types.get(e.id);
    // Upstream's size lookup follows declared fields, list items and map values, not `.key` on maps.
    const viaMapKey = e.k === "select" && this.types.get(e.operand.id)?.kind === "map";
    if (t?.bounds && !viaMapKey) return t.bounds.maxElements;
    if (scalar(t)) return 1;
    return UNBOUNDED;
  }

  cost(e: Expr): number {
    switch (e.k) {
      case "lit":
        if (typeof e.v === "string") this.sizes.set(e.id, [...e.v].length);
        else if (e.v instanceof Uint8Array) this.sizes.set(e.id, e.v.length);
        return 0;
      case "ident":
        return 1;
      case "select": {
        const operand = this.cost(e.operand);
        if (e.test) return operand;
        const k = this.types.get(e.operand.id)?.kind;
        return cap(operand + (k === "map" || k === "object" ? 1 : 0));
      }
      case "list": {
        this.sizes.set(e.id, e.elems.length);
        return cap(10 + e.elems.reduce((n, x) => n + this.cost(x), 0));
      }
      case "map": {
        this.sizes.set(e.id, e.entries.length);
        return cap(30 + e.entries.reduce((n, x) => n + this.cost(x.key) + this.cost(x.value), 0));
      }
      case "comp":
        return this.comprehension(e);
      case "call":
        return this.call(e);
    }
  }

  private comprehension(e: Extract<Expr, { k: "comp" }>): number {
    const range = this.cost(e.range);
    const n = this.size(e.range);
    const step = this.cost(e.step);
    const pred = e.pred ? this.cost(e.pred) : 0;
    let total: number;
    switch (e.macro) {
      case "all":
      case "exists":
        // loop condition @not_strictly_false(@result): 2; step @result && pred: 1 + pred; result: 1
        total = range + n * (3 + step) + 1;
        break;
      case "exists_one":
        total = range + n * (step + 2) + 2;
        break;
      case "map":
        this.sizes.set(e.id, n);
        total = range + 10 + n * (pred + 12 + step) + 1;
        break;
      case "filter":
        this.sizes.set(e.id, n);
        total = range + 10 + n * (step + 13) + 1;
        break;
    }
    return cap(total);
  }

  private call(e: Extract<Expr, { k: "call" }>): number {
    const target = e.target ? this.cost(e.target) : 0;
    const argCosts = e.args.map((a) => this.cost(a));
    const args = argCosts.reduce((a, b) => a + b, 0);
    const sizeOf = (x: Expr | undefined) => (x ? this.size(x) : UNBOUNDED);
    const t0 = e.args[0];
    const targetOrFirst = e.target ?? t0;
    let own = 1;
    switch (e.fn) {
      case "_&&_":
      case "_||_":
        return cap(args);
      case "_?_:_": {
        this.sizes.set(e.id, Math.max(sizeOf(e.args[1]), sizeOf(e.args[2])));
        return cap(argCosts[0]! + Math.max(argCosts[1]!, argCosts[2]!));
      }
      case "_+_": {
        const k = this.types.get(e.args[0]!.id)?.kind;
        const total = sizeOf(e.args[0]) + sizeOf(e.args[1]);
        this.sizes.set(e.id, cap(total));
        own = k === "string" || k === "bytes" ? traverse(total) : 1;
        break;
      }
      case "_==_":
      case "_!=_":
      case "_<_":
      case "_<=_":
      case "_>_":
      case "_>=_": {
        const k = this.types.get(e.args[0]!.id)?.kind;
        const isOrderingOfScalars = e.fn !== "_==_" && e.fn !== "_!=_" && k !== "string" && k !== "bytes";
        // Kubernetes' own types (quantities) compare at a unit cost.
        own = isOrderingOfScalars || k === "opaque" ? 1 : traverse(Math.min(sizeOf(e.args[0]), sizeOf(e.args[1])));
        break;
      }
      case "@in":
        own = this.types.get(e.args[1]!.id)?.kind === "list" ? cap(sizeOf(e.args[1])) : 1;
        break;
      case "startsWith":
      case "endsWith":
        own = e.target ? traverse(sizeOf(t0)) : 1;
        break;
      case "contains":
        own = e.target ? traverse(sizeOf(e.target)) * traverse(sizeOf(t0)) : 1;
        break;
      case "matches":
      case "find":
      case "findAll": {
        const str = e.target ?? e.args[0];
        const re = e.target ? e.args[0] : e.args[1];
        own = cap(traverse(sizeOf(str) + 1) * traverse(sizeOf(re), 0.25));
        break;
      }
      case "isSorted":
      case "sum":
      case "max":
      case "min":
      case "indexOf":
      case "lastIndexOf": {
        const t = e.target ? this.types.get(e.target.id) : undefined;
        if (t?.kind === "list") {
          const elemStr = t.elem.kind === "string" || t.elem.kind === "bytes";
          own = cap(sizeOf(e.target) * (1 + (elemStr ? traverse(t.elem.bounds?.maxElements ?? UNBOUNDED) : 0)));
        } else own = traverse(sizeOf(targetOrFirst));
        break;
      }
      case "lowerAscii":
      case "upperAscii":
      case "substring":
      case "trim":
        this.sizes.set(e.id, sizeOf(e.target));
        own = traverse(sizeOf(e.target));
        break;
      case "replace":
      case "split":
        own = traverse(sizeOf(e.target), 0.2);
        break;
      case "join": {
        const t = e.target ? this.types.get(e.target.id) : undefined;
        const elem = t?.kind === "list" ? (t.elem.bounds?.maxElements ?? UNBOUNDED) : UNBOUNDED;
        own = traverse(cap(sizeOf(e.target) * elem));
        break;
      }
      case "sets.contains":
      case "sets.equivalent":
      case "sets.intersects":
        own = cap(sizeOf(e.args[0]) * sizeOf(e.args[1]));
        break;
      case "size":
        own = 1;
        break;
    }
    return cap(target + args + own);
  }
}
