/**
 * CEL for admission (webhook matchConditions, ValidatingAdmissionPolicy): the project's CEL engine
 * with the variables upstream declares — object, oldObject, request, params, namespaceObject,
 * variables, authorizer — all dynamically typed here, over the JSON of the request.
 */
import { Activation, CelError, compileExpression, CostLimitError, dynVal, T, type CelType, type Program, type Val } from "../crd/schema/cel/index.ts";
import type { KubeObject } from "../api/types.ts";
import type { UserInfo } from "../registry/definition.ts";
import type { RequestAttributes } from "./webhook/matching.ts";

/** celconfig.PerCallLimit. */
export const PER_CALL_LIMIT = 1_000_000;

const VARIABLES = ["object", "oldObject", "request", "params", "namespaceObject", "authorizer"];

export type CompiledExpression = { ok: true; program: Program; type: CelType } | { ok: false; error: string };

export function compileAdmissionExpression(source: string, opts: { variables?: boolean } = {}): CompiledExpression {
  const vars = new Map<string, CelType>(VARIABLES.map((v) => [v, T.dyn]));
  if (opts.variables) vars.set("variables", T.map(T.string, T.dyn));
  const c = compileExpression(source, vars);
  return c.ok ? { ok: true, program: c.program, type: c.type } : { ok: false, error: `compilation failed: ${c.issues}` };
}

/** The request variable: upstream's AdmissionRequest fields as CEL sees them. */
export function requestVariable(a: RequestAttributes, user: UserInfo, dryRun: boolean, kind: string, uid: string): Record<string, unknown> {
  const gvk = { group: a.group, version: a.version, kind };
  const gvr = { group: a.group, version: a.version, resource: a.resource };
  return {
    uid,
    kind: gvk,
    resource: gvr,
    subResource: a.subresource,
    requestKind: gvk,
    requestResource: gvr,
    requestSubResource: a.subresource,
    name: a.name,
    namespace: a.namespace,
    operation: a.operation,
    userInfo: { username: user.username, uid: user.uid ?? "", groups: user.groups, extra: user.extra ?? {} },
    dryRun,
  };
}

export interface AdmissionActivation {
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  request: Record<string, unknown>;
  params?: KubeObject | null;
  namespaceObject?: KubeObject | null;
  variables?: Val;
  /** The `authorizer` variable (admission/authorizer-variable.ts); null where none is offered. */
  authorizer?: Val;
}

/** Evaluates a compiled expression; throws CelError (or CostLimitError) as evaluation errors. */
export function evaluate(program: Program, vars: AdmissionActivation, limit = PER_CALL_LIMIT): Val {
  const act = new Activation(limit, {
    object: dynVal(vars.object ?? null),
    oldObject: dynVal(vars.oldObject ?? null),
    request: dynVal(vars.request),
    params: dynVal(vars.params ?? null),
    namespaceObject: dynVal(vars.namespaceObject ?? null),
    variables: vars.variables,
    authorizer: vars.authorizer ?? null,
  });
  return program(act);
}

export { CelError, CostLimitError };
