/**
 * CEL expression trees. Operators are calls with CEL's internal names ("_+_", "_[_]", "@in",
 * "_?_:_"); macros (has, all, exists, exists_one, map, filter) are their own nodes rather than
 * expanded comprehensions, which keeps evaluation and error positions simple.
 */
import type { Val } from "./values.ts";

interface Base {
  /** Unique per expression, for the checker's type annotations. */
  id: number;
  /** Code point offset of the token the node is reported at (as cel-go positions it). */
  off: number;
}

export type MacroKind = "all" | "exists" | "exists_one" | "map" | "filter";

export type Expr =
  | (Base & { k: "lit"; v: Val })
  | (Base & { k: "ident"; name: string })
  | (Base & { k: "select"; operand: Expr; field: string; test: boolean })
  | (Base & { k: "call"; fn: string; target?: Expr; args: Expr[] })
  | (Base & { k: "list"; elems: Expr[]; optional: boolean[] })
  | (Base & { k: "map"; entries: Array<{ key: Expr; value: Expr; optional: boolean }> })
  /** all/exists/exists_one/filter: `step` is the predicate; map: `step` is the transform, `pred` the optional filter. */
  | (Base & { k: "comp"; macro: MacroKind; iterVar: string; range: Expr; step: Expr; pred?: Expr });

export type ExprKind = Expr["k"];
