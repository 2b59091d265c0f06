/**
 * The ClusterRole aggregation controller (kube-controller-manager's
 * "clusterrole-aggregation-controller"): a ClusterRole with an aggregationRule gets, as its rules,
 * the rules of every other ClusterRole its selectors match, in name order without duplicates.
 * Adding `rbac.authorization.k8s.io/aggregate-to-view: "true"` to a role thus extends view (and,
 * through the chain, edit and admin). The controller's identity needs `escalate` on clusterroles.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import type { ClusterRole, PolicyRule } from "../../apiserver/resources/rbac/index.ts";
import { labelSelectorFromObject } from "../../apiserver/selectors/index.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { isApiError } from "../common/types.ts";

export const CLUSTER_ROLES = { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles" };

function matches(role: ClusterRole, selectors: NonNullable<ClusterRole["aggregationRule"]>["clusterRoleSelectors"]): boolean {
  const labels = role.metadata?.labels ?? {};
  return (selectors ?? []).some((s) => {
    try {
      return labelSelectorFromObject(s).matches(labels);
    } catch {
      return false;
    }
  });
}

/** The rules an aggregated role should have. */
export function aggregatedRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  const sources = all.filter((r) => r.metadata?.name !== role.metadata?.name && matches(r, selectors)).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    for (const rule of src.rules ?? []) {
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(structuredClone(rule));
    }
  }
  return out;
}

export class ClusterRoleAggregationController extends KeyedController {
  readonly name = "clusterrole-aggregation-controller";
  private readonly roles: Informer;

  constructor(ctx: ControllerContext) {
    super(ctx, undefined, 1);
    // Any change may change what an aggregated role selects: recompute every aggregated role.
    const all = () => {
      for (const r of this.roles.list()) if ((r as ClusterRole).aggregationRule) this.queue.add(r.metadata?.name ?? "");
    };
    this.roles = this.watch(ctx.informers.informer(CLUSTER_ROLES), { add: all, update: all, delete: all });
  }

  protected async sync(name: string): Promise<void> {
    const cached = this.roles.get(name) as ClusterRole | undefined;
    if (!cached?.aggregationRule) return;
    const rules = aggregatedRules(cached, this.roles.list() as ClusterRole[]);
    if (JSON.stringify(rules) === JSON.stringify(cached.rules ?? [])) return;
    const next = { ...structuredClone(cached), rules } as unknown as KubeObject;
    try {
      await this.ctx.client.update(CLUSTER_ROLES, "", next);
    } catch (err) {
      // A newer version arrives through the informer and is synced again.
      if (isApiError(err, 409) || isApiError(err, 404)) return;
      throw err;
    }
  }
}
