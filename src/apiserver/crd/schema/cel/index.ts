/**
 * Compiling CEL expressions: parse, type-check against the variables' types, and build an
 * evaluator. A failure is the issue list in cel-go's format, for "compilation failed: ...".
 */
import { check } from "./checker.ts";
import { estimateCost } from "./cost-estimate.ts";
import { compile, type Program } from "./interpreter.ts";
import { CompileError, formatIssues } from "./issues.ts";
import { parse } from "./parser.ts";
import type { CelType } from "./types.ts";

export { Activation, type Program } from "./interpreter.ts";
export { CelError, CostLimitError, OptionalVal, type Val } from "./values.ts";
export { declType, newSelfTypeName } from "./decl.ts";
export { toVal } from "./json-values.ts";
export { dynVal, plainOf } from "./dyn-values.ts";
export { T, formatType, type CelType } from "./types.ts";
export { AuthorizerVal, type AuthzChecker, type AuthzOutcome, type AuthzQuery } from "./library/index.ts";

export type Compiled = { ok: true; program: Program; type: CelType; uses: Set<string>; /** Static cost estimate (maximum). */ cost: number } | { ok: false; issues: string };

export function compileExpression(source: string, vars: ReadonlyMap<string, CelType>): Compiled {
  let ast;
  try {
    ast = parse(source);
  } catch (e) {
    if (e instanceof CompileError) return { ok: false, issues: e.message };
    throw e;
  }
  const checked = check(ast, vars);
  if (checked.issues.length) return { ok: false, issues: formatIssues(checked.issues, source) };
  return { ok: true, program: compile(ast), type: checked.type, uses: checked.uses, cost: estimateCost(ast, checked.types) };
}
