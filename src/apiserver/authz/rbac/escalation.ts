/**
 * Privilege escalation prevention on RBAC writes (upstream's policybased storage for roles and
 * bindings): a user may only create or change a Role or ClusterRole whose rules they hold
 * themselves, unless they have `escalate` on it; a ClusterRole with an aggregationRule needs
 * every permission; a binding needs `bind` on the role it references, or the role's rules held.
 * system:masters is exempt (the API server's own loopback identity is such a member).
 */
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext, ResourceDefinition, UserInfo } from "../../registry/definition.ts";
import type { AnyBinding, ClusterRole, PolicyRule } from "../../resources/rbac/types.ts";
import type { Authorizer } from "../../http/authz.ts";
import type { PolicyIndex } from "./policy-index.ts";
import { errors } from "../../api/errors.ts";
import { RBAC_GROUP } from "../../resources/rbac/index.ts";
import { PRIVILEGED_GROUP } from "../chain.ts";
import { compactRules, compactString, goQuotedList, uncoveredRules } from "./rules.ts";

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

export interface EscalationDeps {
  policy: PolicyIndex;
  /** The server's whole authorizer chain, asked about `escalate` and `bind`. */
  authorizer: Authorizer;
}

/** upstream's ConfirmNoEscalation: the message, or undefined when the user holds every rule. */
export function escalationError(policy: PolicyIndex, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const owned = policy.rulesFor(user, namespace);
  const missing = uncoveredRules(
    owned.rules.map((r) => r.rule),
    rules.filter((r) => r),
  );
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join("\n")}`;
  if (owned.errors.length > 0) msg += `; resolution errors: [${owned.errors.join(" ")}]`;
  return msg;
}

/** Only the fields the garbage collector writes changed (upstream's IsOnlyMutatingGCFields). */
function onlyGcFieldsChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, generation: _g, ...meta } = o.metadata ?? {};
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(obj) === strip(old);
}

const isPrivileged = (ctx: RequestContext) => ctx.user.groups.includes(PRIVILEGED_GROUP);

function roleCheck(def: ResourceDefinition, deps: EscalationDeps) {
  return async (obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext): Promise<void> => {
    if (isPrivileged(ctx) || (old && onlyGcFieldsChanged(obj, old))) return;
    const name = obj.metadata?.name ?? "";
    const namespace = def.namespaced ? ctx.namespace : "";
    const escalate = await deps.authorizer.authorize({ user: ctx.user, verb: "escalate", group: RBAC_GROUP, version: "*", resource: def.plural, namespace: namespace || undefined, name: old ? name : undefined });
    if (escalate.allowed) return;
    const role = obj as unknown as ClusterRole;
    const why = escalationError(deps.policy, ctx.user, namespace, role.rules ?? []);
    if (why) throw errors.forbidden({ group: RBAC_GROUP, resource: def.plural, name }, why);
    const aggregates = role.aggregationRule != null || (old !== undefined && (old as unknown as ClusterRole).aggregationRule != null);
    if (!def.namespaced && aggregates && escalationError(deps.policy, ctx.user, "", FULL_AUTHORITY)) {
      throw errors.forbidden({ group: RBAC_GROUP, resource: def.plural, name }, "must have cluster-admin privileges to use the aggregationRule");
    }
  };
}

function bindingCheck(def: ResourceDefinition, deps: EscalationDeps) {
  return async (obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext): Promise<void> => {
    if (isPrivileged(ctx) || (old && onlyGcFieldsChanged(obj, old))) return;
    const binding = obj as unknown as AnyBinding;
    const ref = binding.roleRef ?? {};
    const name = obj.metadata?.name ?? "";
    const namespace = def.namespaced ? ctx.namespace : "";
    const resource = ref.kind === "ClusterRole" ? "clusterroles" : ref.kind === "Role" ? "roles" : undefined;
    if (resource) {
      const bind = await deps.authorizer.authorize({ user: ctx.user, verb: "bind", group: ref.apiGroup ?? "", resource, namespace: namespace || undefined, name: ref.name });
      if (bind.allowed) return;
    }
    const found = deps.policy.roleRefRules(ref, namespace);
    if ("error" in found) throw errors.forbidden({ group: RBAC_GROUP, resource: def.plural, name }, found.error);
    const why = escalationError(deps.policy, ctx.user, namespace, found.rules);
    if (why) throw errors.forbidden({ group: RBAC_GROUP, resource: def.plural, name }, why);
  };
}

/** The definition with the escalation (roles) or bind (bindings) check run before every create and update. */
export function withEscalationChecks(def: ResourceDefinition, deps: EscalationDeps): ResourceDefinition {
  if (def.group !== RBAC_GROUP) return def;
  const check = def.kind === "Role" || def.kind === "ClusterRole" ? roleCheck(def, deps) : bindingCheck(def, deps);
  const inner = def.strategy?.beforeWrite;
  return {
    ...def,
    strategy: {
      ...def.strategy,
      async beforeWrite(obj, old, ctx) {
        await check(obj, old, ctx);
        return inner?.(obj, old, ctx);
      },
    },
  };
}
