/**
 * Kubernetes' authorizer library for admission CEL (ValidatingAdmissionPolicy, matchConditions):
 *   authorizer.path('/healthz').check('get')
 *   authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').name('n').check('update')
 *   authorizer.serviceAccount('ns', 'sa').group('')...   (checks as that ServiceAccount)
 *   authorizer.requestResource.check('approve')           (the request's own resource)
 *   ....resource('pods').fieldSelector('spec.nodeName=n').labelSelector('app=web')  (1.32's selectors)
 * and on the Decision: allowed(), reason(), errored(), error(). Empty paths and resources and
 * invalid ServiceAccount names are evaluation errors, as upstream's.
 *
 * Checks are answered synchronously by a `AuthzChecker` the caller provides: CEL evaluation is
 * synchronous, so an admission plugin answers from decisions it fetched before (and re-runs the
 * expression when a new check was asked for; see admission/authorizer-variable.ts).
 */
import { T } from "../types.ts";
import { CelError, CelMap, OpaqueVal, type Val } from "../values.ts";
import { fn, noSuchOverload, type FunctionDef } from "./registry.ts";
import { isDNS1123Label, isDNS1123Subdomain } from "../../../../validation/names.ts";

/** What one check asks (the user is the checker's business). */
export interface AuthzQuery {
  verb: string;
  /** Set for checks made through serviceAccount(ns, name). */
  serviceAccount?: { namespace: string; name: string };
  path?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /**
   * Selectors of a check (upstream's AuthorizeWithSelectors, on in 1.32). Only webhook
   * authorizers read them upstream; RBAC and Node ignore them, and so do kts's authorizers.
   */
  fieldSelector?: string;
  labelSelector?: string;
}

export interface AuthzOutcome {
  allowed: boolean;
  reason: string;
  /** Set when the authorizer failed (errored() is then true). */
  error?: string;
}

export type AuthzChecker = (q: AuthzQuery) => AuthzOutcome;

type Principal = Pick<AuthzQuery, "serviceAccount">;
type ResourceFields = Pick<AuthzQuery, "group" | "resource" | "subresource" | "namespace" | "name" | "fieldSelector" | "labelSelector">;

const AUTHORIZER = T.opaque("kubernetes.authorization.Authorizer");
const PATH_CHECK = T.opaque("kubernetes.authorization.PathCheck");
const GROUP_CHECK = T.opaque("kubernetes.authorization.GroupCheck");
const RESOURCE_CHECK = T.opaque("kubernetes.authorization.ResourceCheck");
const DECISION = T.opaque("kubernetes.authorization.Decision");

/** Values compare by identity: nothing in the library asks for equality of checks. */
abstract class AuthzVal extends OpaqueVal {
  equals(other: OpaqueVal): boolean {
    return other === this;
  }
}

/**
 * The `authorizer` variable. A map as far as field selection goes, so that
 * `authorizer.requestResource` reads as upstream's declared variable of that name.
 */
export class AuthorizerVal extends CelMap {
  readonly isObject = false;
  readonly typeName = "kubernetes.authorization.Authorizer";

  constructor(
    readonly checker: AuthzChecker,
    readonly principal: Principal = {},
    private readonly request?: ResourceFields,
  ) {
    super();
  }

  size(): number {
    return this.request ? 1 : 0;
  }

  find(key: Val): Val | undefined {
    return key === "requestResource" && this.request ? new ResourceCheckVal(this, this.request) : undefined;
  }

  keys(): Val[] {
    return this.request ? ["requestResource"] : [];
  }

  check(q: Omit<AuthzQuery, "serviceAccount">): DecisionVal {
    return new DecisionVal(this.checker({ ...q, ...this.principal }));
  }
}

class PathCheckVal extends AuthzVal {
  readonly typeName = "kubernetes.authorization.PathCheck";
  constructor(
    readonly authz: AuthorizerVal,
    readonly path: string,
  ) {
    super();
  }
}

class GroupCheckVal extends AuthzVal {
  readonly typeName = "kubernetes.authorization.GroupCheck";
  constructor(
    readonly authz: AuthorizerVal,
    readonly group: string,
  ) {
    super();
  }
}

class ResourceCheckVal extends AuthzVal {
  readonly typeName = "kubernetes.authorization.ResourceCheck";
  constructor(
    readonly authz: AuthorizerVal,
    readonly fields: ResourceFields,
  ) {
    super();
  }
  with(more: ResourceFields): ResourceCheckVal {
    return new ResourceCheckVal(this.authz, { ...this.fields, ...more });
  }
}

export class DecisionVal extends AuthzVal {
  readonly typeName = "kubernetes.authorization.Decision";
  constructor(readonly outcome: AuthzOutcome) {
    super();
  }
}

function authorizer(v: Val | undefined): AuthorizerVal {
  return v instanceof AuthorizerVal ? v : noSuchOverload();
}

function text(v: Val | undefined): string {
  return typeof v === "string" ? v : noSuchOverload();
}

function resourceCheck(v: Val | undefined): ResourceCheckVal {
  return v instanceof ResourceCheckVal ? v : noSuchOverload();
}

function decision(v: Val | undefined): AuthzOutcome {
  return v instanceof DecisionVal ? v.outcome : noSuchOverload();
}

/** Upstream's messages for blank arguments, evaluation errors rather than checks. */
function nonBlank(v: Val | undefined, what: string): string {
  const s = text(v);
  if (s.trim() === "") throw new CelError(`${what} must not be empty`);
  return s;
}

/** serviceAccount(ns, name) validates both names first, as upstream does. */
function serviceAccountOf(ns: Val | undefined, name: Val | undefined): { namespace: string; name: string } {
  const namespace = text(ns);
  const account = text(name);
  if (isDNS1123Subdomain(account).length > 0) throw new CelError("Invalid service account name");
  if (isDNS1123Label(namespace).length > 0) throw new CelError("Invalid service account namespace");
  return { namespace, name: account };
}

/** A narrowing step of a ResourceCheck: subresource, namespace, name, and the selectors. */
function narrowing(field: "subresource" | "namespace" | "name" | "fieldSelector" | "labelSelector"): FunctionDef {
  return { name: field, overloads: [fn(true, [RESOURCE_CHECK, T.string], RESOURCE_CHECK)], impl: ([r, s]) => resourceCheck(r).with({ [field]: text(s) }) };
}

/** Upstream prices a check so that an expression can afford two of them (PerCallLimit 1,000,000). */
const CHECK_COST = 350_000;

export const AUTHZ: FunctionDef[] = [
  { name: "path", overloads: [fn(true, [AUTHORIZER, T.string], PATH_CHECK)], impl: ([a, p]) => new PathCheckVal(authorizer(a), nonBlank(p, "path")) },
  { name: "group", overloads: [fn(true, [AUTHORIZER, T.string], GROUP_CHECK)], impl: ([a, g]) => new GroupCheckVal(authorizer(a), text(g)) },
  {
    name: "serviceAccount",
    overloads: [fn(true, [AUTHORIZER, T.string, T.string], AUTHORIZER)],
    impl: ([a, ns, name]) => new AuthorizerVal(authorizer(a).checker, { serviceAccount: serviceAccountOf(ns, name) }),
  },
  {
    name: "resource",
    overloads: [fn(true, [GROUP_CHECK, T.string], RESOURCE_CHECK)],
    impl: ([g, r]) => {
      if (!(g instanceof GroupCheckVal)) return noSuchOverload();
      return new ResourceCheckVal(g.authz, { group: g.group, resource: nonBlank(r, "resource") });
    },
  },
  narrowing("subresource"),
  narrowing("namespace"),
  narrowing("name"),
  narrowing("fieldSelector"),
  narrowing("labelSelector"),
  {
    name: "check",
    overloads: [fn(true, [PATH_CHECK, T.string], DECISION), fn(true, [RESOURCE_CHECK, T.string], DECISION)],
    impl: ([c, verb]) => {
      if (c instanceof PathCheckVal) return c.authz.check({ verb: text(verb), path: c.path });
      if (c instanceof ResourceCheckVal) return c.authz.check({ verb: text(verb), ...c.fields });
      return noSuchOverload();
    },
    cost: () => CHECK_COST,
  },
  { name: "allowed", overloads: [fn(true, [DECISION], T.bool)], impl: ([d]) => decision(d).allowed },
  { name: "reason", overloads: [fn(true, [DECISION], T.string)], impl: ([d]) => decision(d).reason },
  { name: "errored", overloads: [fn(true, [DECISION], T.bool)], impl: ([d]) => decision(d).error !== undefined },
  { name: "error", overloads: [fn(true, [DECISION], T.string)], impl: ([d]) => decision(d).error ?? "" },
];
