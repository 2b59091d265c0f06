/**
 * The service account controller (kube-controller-manager's "serviceaccount-controller"):
 * every active namespace has a `default` ServiceAccount; one deleted is made again.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { as, hasStatusCause, isApiError, NAMESPACES, SERVICE_ACCOUNTS, type Namespace } from "../common/types.ts";

export interface ServiceAccountsOptions {
  /** The accounts every namespace gets (--service-account... upstream: just "default"). */
  names?: string[];
  workers?: number;
}

export class ServiceAccountsController extends KeyedController {
  readonly name = "serviceaccount-controller";
  private readonly namespaces: Informer;
  private readonly accounts: Informer;
  private readonly names: string[];

  constructor(ctx: ControllerContext, opts: ServiceAccountsOptions = {}) {
    super(ctx, undefined, opts.workers ?? 1);
    this.names = opts.names ?? ["default"];
    const enqueueNs = (obj: KubeObject) => this.queue.add(obj.metadata?.name ?? "");
    this.namespaces = this.watch(ctx.informers.informer(NAMESPACES), { add: enqueueNs, update: (_, cur) => enqueueNs(cur) });
    // Only the managed accounts are cached (one name, the common case, narrows the watch).
    const scope = this.names.length === 1 ? { fieldSelector: `metadata.name=${this.names[0]}` } : {};
    this.accounts = this.watch(ctx.informers.informer(SERVICE_ACCOUNTS, scope), {
      delete: (obj) => {
        if (this.names.includes(obj.metadata?.name ?? "")) this.queue.add(obj.metadata?.namespace ?? "");
      },
    });
  }

  protected async sync(namespace: string): Promise<void> {
    const cached = this.namespaces.get(namespace);
    if (!cached || as<Namespace>(cached).status?.phase === "Terminating" || cached.metadata?.deletionTimestamp) return;
    for (const name of this.names) {
      if (this.accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.ctx.client.create(SERVICE_ACCOUNTS, namespace, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } });
      } catch (err) {
        // Made meanwhile, or the namespace is going away: nothing to do.
        if (isApiError(err, 409) || hasStatusCause(err, "NamespaceTerminating") || isApiError(err, 404)) continue;
        throw err;
      }
    }
  }
}
