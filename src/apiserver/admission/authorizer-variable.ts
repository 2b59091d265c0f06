/**
 * The `authorizer` variable of admission CEL, backed by the API server's real authorizer chain.
 * CEL evaluation is synchronous and authorization is not: a check nobody has answered yet stops
 * the evaluation (AuthorizationPending), the plugin awaits the checks asked for, and evaluates
 * again with those answers at hand (`AdmissionAuthorizer.run`). Expressions are pure, so a re-run only
 * costs time, and an expression can afford at most two checks (their CEL cost), so the rounds are
 * few.
 */
import type { Authorizer, Attributes } from "../http/authz.ts";
import type { UserInfo } from "../registry/definition.ts";
import { AuthorizerVal, type AuthzOutcome, type AuthzQuery } from "../crd/schema/cel/index.ts";
import type { RequestAttributes } from "./webhook/matching.ts";
import { saGroups, saUsername } from "../serviceaccount/index.ts";

/** Thrown inside an evaluation that needs a decision it does not have yet. */
export class AuthorizationPending extends Error {
  constructor() {
    super("an authorization check is pending");
  }
}

/** Lets an AuthorizationPending through the catch blocks that turn other errors into evaluation failures. */
export function rethrowPending(err: unknown): void {
  if (err instanceof AuthorizationPending) throw err;
}

/** Enough for any expression within the cost limit; a guard against a runaway loop. */
const MAX_ROUNDS = 16;

export class AdmissionAuthorizer {
  private readonly decided = new Map<string, AuthzOutcome>();
  private readonly pending = new Map<string, Attributes>();

  constructor(
    private readonly authorizer: Authorizer | undefined,
    private readonly user: UserInfo,
  ) {}

  /** The `authorizer` value for one request; `authorizer.requestResource` is the request's resource. */
  variable(a: RequestAttributes): AuthorizerVal {
    return new AuthorizerVal((q) => this.answer(q), {}, { group: a.group, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name });
  }

  /** Runs `evaluate` until every check it makes has an answer. */
  async run<T>(evaluate: () => T): Promise<T> {
    for (let round = 1; ; round++) {
      try {
        return evaluate();
      } catch (err) {
        if (!(err instanceof AuthorizationPending) || round >= MAX_ROUNDS) throw err;
        await this.resolve();
      }
    }
  }

  private answer(q: AuthzQuery): AuthzOutcome {
    const key = JSON.stringify(q);
    const known = this.decided.get(key);
    if (known) return known;
    if (!this.authorizer) return { allowed: false, reason: "", error: "no authorizer is configured" };
    const sa = q.serviceAccount;
    const user = sa ? { username: saUsername(sa.namespace, sa.name), groups: saGroups(sa.namespace) } : this.user;
    // No authorizer here reads selectors (upstream's RBAC and Node ignore them too).
    const { serviceAccount: _, fieldSelector: _f, labelSelector: _l, ...rest } = q;
    this.pending.set(key, { ...rest, user });
    throw new AuthorizationPending();
  }

  private async resolve(): Promise<void> {
    const asked = [...this.pending];
    this.pending.clear();
    await Promise.all(
      asked.map(async ([key, attrs]) => {
        try {
          const d = await this.authorizer!.authorize(attrs);
          this.decided.set(key, { allowed: d.allowed, reason: d.reason ?? "" });
        } catch (err) {
          this.decided.set(key, { allowed: false, reason: "", error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }
}
