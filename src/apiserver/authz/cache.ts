/**
 * Remembered decisions for the in-process components (controllers, scheduler): they ask the same
 * few questions over and over, so each answer is kept until the RBAC policy changes. Meant for
 * those identities only: a node's answers come from the pod graph, which changes without the
 * policy changing, so node users must not be asked through this cache.
 */
import type { Attributes, Authorizer, Decision, Rules } from "../http/authz.ts";
import type { UserInfo } from "../registry/definition.ts";
import type { PolicyIndex } from "./rbac/policy-index.ts";

const MAX_ENTRIES = 10_000;

function keyOf(a: Attributes): string {
  return `${a.user.username}\n${a.user.groups.join(",")}\n${a.verb}\n${a.group ?? ""}\n${a.resource ?? ""}\n${a.subresource ?? ""}\n${a.namespace ?? ""}\n${a.name ?? ""}\n${a.path ?? ""}`;
}

export class CachingAuthorizer implements Authorizer {
  private decisions = new Map<string, Decision>();

  constructor(
    private readonly inner: Authorizer,
    policy: PolicyIndex,
  ) {
    policy.onChange(() => {
      if (this.decisions.size > 0) this.decisions = new Map();
    });
  }

  async authorize(attrs: Attributes): Promise<Decision> {
    const key = keyOf(attrs);
    const hit = this.decisions.get(key);
    if (hit) return hit;
    const d = await this.inner.authorize(attrs);
    if (this.decisions.size >= MAX_ENTRIES) this.decisions = new Map();
    this.decisions.set(key, d);
    return d;
  }

  rulesFor(user: UserInfo, namespace: string): Promise<Rules> {
    return this.inner.rulesFor ? this.inner.rulesFor(user, namespace) : Promise.resolve({ resourceRules: [], nonResourceRules: [], incomplete: true });
  }
}
