/**
 * The authorizer chain (kube-apiserver's union authorizer built from --authorization-mode): the
 * system:masters group is always allowed first, then each mode in order; the first authorizer
 * that allows (or explicitly denies) decides, and when none does the request is refused with the
 * reasons they gave. Rules for SelfSubjectRulesReview are the union of the modes' rules.
 */
import type { UserInfo } from "../registry/definition.ts";
import type { Attributes, Authorizer, Decision, Rules } from "../http/authz.ts";

export const PRIVILEGED_GROUP = "system:masters";
export const AUTHORIZATION_MODES = ["AlwaysAllow", "AlwaysDeny", "Node", "RBAC"] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

/** Parses --authorization-mode ("Node,RBAC"); unknown or repeated modes are an error, as upstream's flag check. */
export function parseAuthorizationModes(text: string): AuthorizationMode[] {
  const modes = text.split(",").map((m) => m.trim()).filter(Boolean);
  if (modes.length === 0) throw new Error("at least one authorization-mode must be passed");
  const seen = new Set<string>();
  for (const m of modes) {
    if (!(AUTHORIZATION_MODES as readonly string[]).includes(m)) throw new Error(`authorization-mode "${m}" is not a valid mode (supported: ${AUTHORIZATION_MODES.join(", ")})`);
    if (seen.has(m)) throw new Error(`authorization-mode "${m}" has mode specified more than once`);
    seen.add(m);
  }
  return modes as AuthorizationMode[];
}

/** An authorizer that may also refuse outright (AlwaysDeny), ending the chain. */
export interface ChainLink extends Authorizer {
  /** Explicit denials stop the chain; a plain "not allowed" lets the next authorizer decide. */
  denies?(attrs: Attributes): boolean;
}

export const alwaysAllow: ChainLink = {
  authorize: async () => ({ allowed: true }),
  rulesFor: async () => ({
    resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
    nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
    incomplete: false,
  }),
};

export const alwaysDeny: ChainLink = {
  authorize: async () => ({ allowed: false, reason: "Everything is forbidden." }),
  denies: () => true,
  rulesFor: async () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }),
};

/** Upstream's privileged-groups authorizer: system:masters may do anything. */
const privileged: ChainLink = {
  authorize: async (attrs) => (attrs.user.groups.includes(PRIVILEGED_GROUP) ? { allowed: true } : { allowed: false, reason: "" }),
};

export class AuthorizerChain implements Authorizer {
  private readonly links: ChainLink[];

  constructor(links: ChainLink[]) {
    this.links = [privileged, ...links];
  }

  async authorize(attrs: Attributes): Promise<Decision> {
    const reasons: string[] = [];
    for (const link of this.links) {
      const d = await link.authorize(attrs);
      if (d.allowed) return d;
      if (d.reason) reasons.push(d.reason);
      if (link.denies?.(attrs)) break;
    }
    return { allowed: false, reason: reasons.join("\n") };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<Rules> {
    const out: Rules = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errs: string[] = [];
    for (const link of this.links) {
      if (!link.rulesFor) continue;
      const r = await link.rulesFor(user, namespace);
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      out.incomplete ||= r.incomplete;
      if (r.evaluationError) errs.push(r.evaluationError);
    }
    if (errs.length > 0) out.evaluationError = errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`;
    return out;
  }
}
