/**
 * The CEL type checker: every identifier must be declared, every field must exist on its
 * object type, every call must match an overload. Errors read as cel-go's checker writes them
 * ("undefined field 'foo'", "found no matching overload for '_+_' applied to '(int, string)'").
 *
 * Calls like `sets.contains(a, b)` parse as a member call on `sets`; when no variable has that
 * name and a function "sets.contains" exists, the checker turns the node into a global call.
 */
import type { Expr } from "./ast.ts";
import type { Issue } from "./issues.ts";
import { FUNCTIONS } from "./library/index.ts";
import { TYPE_IDENTS } from "./library/core.ts";
import { assignable, formatType, join, substitute, T, type Bindings, type CelType } from "./types.ts";
import { OptionalVal, UInt, type Val } from "./values.ts";
import { checkedTimestamp, parseDuration, parseTimestamp } from "./time.ts";
import { compileGoRegexp } from "../re2/index.ts";

export interface CheckResult {
  type: CelType;
  issues: Issue[];
  /** Names of variables the expression reads. */
  uses: Set<string>;
  /** The type of every node, by node id (for the cost estimate). */
  types: Map<number, CelType>;
}

export function check(e: Expr, vars: ReadonlyMap<string, CelType>): CheckResult {
  const c = new Checker(vars);
  const type = c.expr(e, new Map());
  return { type, issues: c.issues, uses: c.uses, types: c.types };
}

type Scope = Map<string, CelType>;

function litType(v: Val): CelType {
  if (v === null) return T.null;
  switch (typeof v) {
    case "boolean":
      return T.bool;
    case "bigint":
      return T.int;
    case "number":
      return T.double;
    case "string":
      return T.string;
  }
  if (v instanceof Uint8Array) return T.bytes;
  if (v instanceof UInt) return T.uint;
  if (v instanceof OptionalVal) return T.optional(T.dyn);
  return T.dyn;
}

const isDyn = (t: CelType) => t.kind === "dyn" || t.kind === "error";

/** The dotted name an expression spells (`a.b.c`), if it is only identifiers and selections. */
function qualifiedName(e: Expr): string | undefined {
  if (e.k === "ident") return e.name;
  if (e.k === "select" && !e.test) {
    const base = qualifiedName(e.operand);
    return base === undefined ? undefined : `${base}.${e.field}`;
  }
  return undefined;
}

class Checker {
  readonly issues: Issue[] = [];
  readonly uses = new Set<string>();
  readonly types = new Map<number, CelType>();

  constructor(private readonly vars: ReadonlyMap<string, CelType>) {}

  private error(off: number, message: string): CelType {
    this.issues.push({ off, message });
    return T.error;
  }

  private lookup(name: string, scope: Scope): CelType | undefined {
    return scope.get(name) ?? this.vars.get(name);
  }

  expr(e: Expr, scope: Scope): CelType {
    const t = this.typeOf(e, scope);
    this.types.set(e.id, t);
    return t;
  }

  private typeOf(e: Expr, scope: Scope): CelType {
    switch (e.k) {
      case "lit":
        return litType(e.v);
      case "ident": {
        const t = this.lookup(e.name, scope);
        if (t) {
          if (!scope.has(e.name)) this.uses.add(e.name);
          return t;
        }
        const typeIdent = TYPE_IDENTS.get(e.name);
        if (typeIdent) return typeIdent.type;
        return this.error(e.off, `undeclared reference to '${e.name}' (in container '')`);
      }
      case "select":
        return this.select(e, scope);
      case "call":
        return this.call(e, scope);
      case "list": {
        let elem: CelType | undefined;
        e.elems.forEach((x, i) => {
          let t = this.expr(x, scope);
          if (e.optional[i]) {
            if (t.kind === "optional") t = t.elem;
            else if (!isDyn(t)) {
              this.error(x.off, `expected type '${formatType(T.optional(T.dyn))}' but found '${formatType(t)}'`);
              return;
            }
          }
          const joined = join(elem, t);
          if (!joined) this.error(x.off, `expected type '${formatType(elem!)}' but found '${formatType(t)}'`);
          else elem = joined;
        });
        return T.list(elem ?? T.dyn);
      }
      case "map": {
        let key: CelType | undefined;
        let value: CelType | undefined;
        for (const entry of e.entries) {
          const kt = this.expr(entry.key, scope);
          let vt = this.expr(entry.value, scope);
          if (entry.optional && vt.kind === "optional") vt = vt.elem;
          const jk = join(key, kt);
          if (!jk) this.error(entry.key.off, `expected type '${formatType(key!)}' but found '${formatType(kt)}'`);
          else key = jk;
          const jv = join(value, vt);
          if (!jv) this.error(entry.value.off, `expected type '${formatType(value!)}' but found '${formatType(vt)}'`);
          else value = jv;
        }
        return T.map(key ?? T.dyn, value ?? T.dyn);
      }
      case "comp":
        return this.comprehension(e, scope);
    }
  }

  private fieldType(t: CelType, field: string, off: number): CelType {
    switch (t.kind) {
      case "object": {
        const f = t.fields.get(field);
        return f ?? this.error(off, `undefined field '${field}'`);
      }
      case "map":
        return t.value;
      case "dyn":
      case "error":
        return T.dyn;
      case "optional":
        return T.optional(this.fieldType(t.elem, field, off));
      default:
        return this.error(off, `type '${formatType(t)}' does not support field selection`);
    }
  }

  private select(e: Extract<Expr, { k: "select" }>, scope: Scope): CelType {
    const operand = this.expr(e.operand, scope);
    const t = this.fieldType(operand, e.field, e.off);
    return e.test ? T.bool : t;
  }

  private call(e: Extract<Expr, { k: "call" }>, scope: Scope): CelType {
    // Namespaced functions (sets.contains, optional.of, strings.quote) parse as member calls.
    if (e.target) {
      const ns = qualifiedName(e.target);
      if (ns !== undefined && !this.lookup(ns.split(".")[0]!, scope) && FUNCTIONS.has(`${ns}.${e.fn}`)) {
        const mutable = e as { fn: string; target?: Expr };
        mutable.fn = `${ns}.${e.fn}`;
        delete mutable.target;
      }
    }
    if (e.fn === "_?._") return this.optionalSelect(e, scope);
    if (e.fn === "_[?_]") return this.optionalIndex(e, scope);
    if (e.fn === "_?_:_") {
      const [c, a, b] = e.args.map((x) => this.expr(x, scope));
      return this.resolve(e, "_?_:_", [c!, a!, b!], false, [{ receiver: false, args: [T.bool, T.param("A"), T.param("A")], result: T.param("A") }]);
    }
    if (e.fn === "_&&_" || e.fn === "_||_") {
      const args = e.args.map((x) => this.expr(x, scope));
      return this.resolve(e, e.fn, args, false, [{ receiver: false, args: [T.bool, T.bool], result: T.bool }]);
    }
    const target = e.target ? this.expr(e.target, scope) : undefined;
    const args = e.args.map((x) => this.expr(x, scope));
    this.literalArguments(e);
    const def = FUNCTIONS.get(e.fn);
    if (!def) return this.error(e.off, `undeclared reference to '${e.fn}' (in container '')`);
    const all = target ? [target, ...args] : args;
    return this.resolve(e, e.fn, all, target !== undefined, def.overloads);
  }

  /** Kubernetes' AST validators: literal durations, timestamps and regexes must parse at compile time. */
  private literalArguments(e: Extract<Expr, { k: "call" }>): void {
    const arg = e.args[e.target ? 0 : e.fn === "matches" ? 1 : 0];
    if (!arg || arg.k !== "lit") return;
    const v = arg.v;
    try {
      if (e.fn === "duration" && !e.target && typeof v === "string") parseDuration(v);
      else if (e.fn === "timestamp" && !e.target && (typeof v === "string" || typeof v === "bigint")) {
        if (typeof v === "string") parseTimestamp(v);
        else checkedTimestamp(v * 1_000_000_000n);
      } else if (e.fn === "matches" && typeof v === "string") compileGoRegexp(v);
      else return;
    } catch {
      const what = e.fn === "duration" ? "invalid duration argument" : e.fn === "timestamp" ? "invalid timestamp" : "invalid matches argument";
      this.error(arg.off, what);
    }
  }

  private resolve(e: Expr, name: string, args: CelType[], receiver: boolean, overloads: ReadonlyArray<{ receiver: boolean; args: CelType[]; result: CelType }>): CelType {
    const results: CelType[] = [];
    for (const o of overloads) {
      if (o.receiver !== receiver || o.args.length !== args.length) continue;
      const b: Bindings = new Map();
      if (o.args.every((p, i) => assignable(p, args[i]!, b))) results.push(substitute(o.result, b));
    }
    if (results.length === 0) {
      if (args.some((a) => a.kind === "error")) return T.error;
      const sig = receiver ? `${formatType(args[0]!)}.(${args.slice(1).map(formatType).join(", ")})` : `(${args.map(formatType).join(", ")})`;
      return this.error(e.off, `found no matching overload for '${name}' applied to '${sig}'`);
    }
    const first = results[0]!;
    return results.every((r) => formatType(r) === formatType(first)) ? first : T.dyn;
  }

  private optionalSelect(e: Extract<Expr, { k: "call" }>, scope: Scope): CelType {
    const operand = this.expr(e.args[0]!, scope);
    const field = e.args[1]!;
    const name = field.k === "lit" && typeof field.v === "string" ? field.v : "";
    const inner = operand.kind === "optional" ? operand.elem : operand;
    const t = this.fieldType(inner, name, e.off);
    return t.kind === "optional" ? t : T.optional(t);
  }

  private optionalIndex(e: Extract<Expr, { k: "call" }>, scope: Scope): CelType {
    const operand = this.expr(e.args[0]!, scope);
    const idx = this.expr(e.args[1]!, scope);
    const inner = operand.kind === "optional" ? operand.elem : operand;
    const t = this.resolve(e, "_[?_]", [inner, idx], false, FUNCTIONS.get("_[_]")!.overloads);
    return t.kind === "error" ? t : T.optional(t);
  }

  private comprehension(e: Extract<Expr, { k: "comp" }>, scope: Scope): CelType {
    const range = this.expr(e.range, scope);
    let iter: CelType;
    if (range.kind === "list") iter = range.elem;
    else if (range.kind === "map") iter = range.key;
    else if (isDyn(range)) iter = T.dyn;
    else {
      this.error(e.range.off, `expression of type '${formatType(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
      iter = T.dyn;
    }
    const inner: Scope = new Map(scope);
    inner.set(e.iterVar, iter);
    if (e.pred) this.expectBool(e.pred, inner, "_?_:_", (t) => `(${formatType(t)}, list(dyn), list(dyn))`);
    const step = this.expr(e.step, inner);
    switch (e.macro) {
      case "all":
        this.checkBool(step, e.off, "_&&_", (t) => `(bool, ${formatType(t)})`);
        return T.bool;
      case "exists":
        this.checkBool(step, e.off, "_||_", (t) => `(bool, ${formatType(t)})`);
        return T.bool;
      case "exists_one":
        this.checkBool(step, e.off, "_?_:_", (t) => `(${formatType(t)}, int, int)`);
        return T.bool;
      case "filter":
        this.checkBool(step, e.off, "_?_:_", (t) => `(${formatType(t)}, list(${formatType(iter)}), list(${formatType(iter)}))`);
        return T.list(iter);
      case "map":
        return T.list(step);
    }
  }

  private expectBool(x: Expr, scope: Scope, op: string, sig: (t: CelType) => string): void {
    this.checkBool(this.expr(x, scope), x.off, op, sig);
  }

  private checkBool(t: CelType, off: number, op: string, sig: (t: CelType) => string): void {
    if (t.kind !== "bool" && !isDyn(t)) this.error(off, `found no matching overload for '${op}' applied to '${sig(t)}'`);
  }
}
