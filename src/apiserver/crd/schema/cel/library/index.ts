/**
 * The functions rules can call: the CEL standard library plus what Kubernetes 1.32 enables for
 * CRD validation rules (strings v2, sets, lists, regex, quantity, optional types). Not offered
 * (so rules using them fail to compile): url(), ip(), cidr(), semver, format.* validators,
 * math.*, two-variable comprehensions. The authorizer functions are declared too, but only
 * admission expressions have an `authorizer` to call them on.
 */
import { AUTHZ } from "./authz.ts";
import { CORE } from "./core.ts";
import { LISTS } from "./lists.ts";
import { OPTIONAL } from "./optional.ts";
import { QUANTITY } from "./quantity.ts";
import { NoSuchOverload, type EvalContext, type FunctionDef } from "./registry.ts";
import { STRINGS } from "./strings.ts";
import type { Val } from "../values.ts";

function merge(defs: FunctionDef[]): FunctionDef {
  if (defs.length === 1) return defs[0]!;
  // Same name in several libraries (indexOf on strings and lists): the first that takes the arguments.
  return {
    name: defs[0]!.name,
    overloads: defs.flatMap((d) => d.overloads),
    impl: (args: Val[], ctx: EvalContext) => {
      for (const d of defs) {
        try {
          return d.impl(args, ctx);
        } catch (e) {
          if (!(e instanceof NoSuchOverload)) throw e;
        }
      }
      throw new NoSuchOverload();
    },
    cost: (args, result) => {
      for (const d of defs) if (d.cost) return d.cost(args, result);
      return 0;
    },
  };
}

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = (() => {
  const byName = new Map<string, FunctionDef[]>();
  for (const d of [...CORE, ...STRINGS, ...LISTS, ...QUANTITY, ...OPTIONAL, ...AUTHZ]) {
    const list = byName.get(d.name) ?? [];
    list.push(d);
    byName.set(d.name, list);
  }
  return new Map([...byName].map(([name, defs]) => [name, merge(defs)]));
})();

export type { FunctionDef, EvalContext } from "./registry.ts";
export { AuthorizerVal, type AuthzChecker, type AuthzOutcome, type AuthzQuery } from "./authz.ts";
